"""
Lesson: a stacked LSTM predicts the end of a damped sine wave (book chapter 7).

The model reads 50 steps of a wave whose period and decay it has never been
told, and predicts the next 5 values at once (many-to-one, with a 5-value
output). The sidebar has a preset menu, the *test wave* (instant: it changes
the wave shown, not the model) and the *model* (units, depth, training
examples, epochs, seed), which sits in a form so that moving its sliders
never interrupts a training under way. Every setting is kept in the link.
"""

import streamlit as st

from lstm_core import figures, presets
from lstm_core.experiments import SineConfig
from lstm_core.experiments.sine import BOOK_MAE, BOOK_PARAMETERS
from lstm_core.tools import export
from lstm_core.figures import replay as replay_figures
from ui import cache, replay, sine_controls, widgets
from ui.downloads import downloads_ui
from ui.frame import require_app
from ui.i18n import figure, t

require_app()


def book_ui(config, differences) -> None:
    """Whether this run is chapter 7's, and what the fast recipe buys, from the two recipes' own runs."""
    if not differences:
        st.caption(t("sine.book.like_for_like", book=BOOK_MAE))
        return
    st.caption(t("sine.book.differs", book=BOOK_MAE, differences=", ".join(
        t("sine.book.difference", field=field, value=f"{value:g}" if isinstance(value, float) else value,
          book=f"{book:g}" if isinstance(book, float) else book) for field, value, book in differences)))
    if config.recipe == "fast":
        book_run, fast_run = cache.cached(config.with_recipe("book")), cache.cached(config.with_recipe("fast"))
        if book_run is None or fast_run is None:
            st.caption(t("sine.recipe.unmeasured"))
        else:
            st.caption(t("sine.recipe.measured", seed=config.seed, book_seconds=book_run.seconds,
                         book_mae=book_run.metrics["mae"], fast_seconds=fast_run.seconds,
                         fast_mae=fast_run.metrics["mae"]))


def results_ui(trained, config, period, decay, inputs, expected):
    mae = trained.metrics["mae"]
    differences = config.book_differences()
    left, middle, right = st.columns(3)
    if differences:  # a comparison with the book's number is only made like for like
        left.metric(t("sine.mae"), f"{mae:.4f}", t("sine.book.delta.off"), delta_color="off")
    else:
        left.metric(t("sine.mae"), f"{mae:.4f}", t("sine.mae.delta", delta=mae - BOOK_MAE, book=BOOK_MAE),
                    delta_color="inverse")
    middle.metric(t("sine.seconds"), f"{trained.seconds:.1f} s",
                  widgets.source_text(trained), delta_color="off")
    right.metric(t("sine.parameters"), f"{trained.model.count_params():,}")
    book_ui(config, differences)
    pinned = widgets.run_tools_ui(trained, "sine")  # "Train more", "Pin this run": (config, Trained) or None
    pinned_prediction = cache.sine_prediction(pinned[0], period, decay) if pinned else None
    examples, predictions = cache.sine_replay(config, period, decay)
    predicted = predictions[-1]  # the last snapshot is the trained model (tested)
    chart = st.container()
    moment = replay.moment_ui("sine", len(examples))
    chart.plotly_chart(figure(replay_figures.sine_replay_figure(
        inputs, expected, predictions, examples, trained.curve, labels=replay.labels(examples, examples[-1]),
        title=t("sine.figure", period=period, decay=decay), texts=replay.texts(), active=moment,
        pinned=pinned_prediction, pinned_curve=pinned[1].curve if pinned else None)))
    st.caption(t("sine.replay.caption"))
    title, pinned_curve = t("sine.figure", period=period, decay=decay), pinned[1].curve if pinned else None
    downloads_ui(trained, {"predictions": lambda: export.sine_frame(inputs, expected, predicted)}, {
        "prediction": lambda: figures.sine_prediction_figure(inputs, expected, predicted, pinned=pinned_prediction,
                                                             title=title),
        "loss": lambda: figures.loss_figure(trained.history, trained.curve or None, pinned=pinned_curve)})


st.title(t("sine.title"))
st.caption(t("sine.caption"))
widgets.store_notice()
period, decay, values, pressed = sine_controls.sidebar_ui("sine", presets.SINE)
config = widgets.shown_config(widgets.config_or_stop(SineConfig, **values), "sine", reset=pressed)
inputs, expected = cache.sine_wave(period, decay)
trained = widgets.trained_or_prompt(config, pressed, live=replay.sine_live(inputs, expected),
                                    live_inputs=(period, decay))
if trained is None:
    st.plotly_chart(figure(figures.sine_prediction_figure(
        inputs, expected, title=t("sine.figure.wave", period=period, decay=decay))))
else:
    results_ui(trained, config, period, decay, inputs, expected)

st.subheader(t("sine.layers"))
st.caption(t("sine.layers.caption", book=f"{BOOK_PARAMETERS:,}"))
widgets.layer_table_ui(config)
widgets.code_ui(config)
