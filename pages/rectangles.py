"""
Lesson: a generative LSTM draws rectangles (book chapter 11).

Trained on corner → next corner pairs of random rectangles, the model draws
one from scratch: start at `[0,0]`, predict the next corner, feed it back,
three times. Given a first corner `[w, 0]` it completes a rectangle of that
width. The consistency error measures how far each drawing is from a true
rectangle, the drawing from `[0,0]` and the completions apart (see
`lstm_core/evaluate.py`). The sidebar's framing chooses the book's one-step
calls (no state from corner to corner) or a sequence model that carries its
state from corner to corner; below the results the two framings of the same
rectangles, units and seed are compared side by side.
"""

import numpy as np
import pandas as pd
import streamlit as st

from lstm_core import evaluate, figures, presets
from lstm_core.evaluate import format_error
from lstm_core.experiments import RectangleConfig, rectangles
from lstm_core.experiments.rectangles import BOOK_PARAMETERS, FRAMINGS
from lstm_core.figures import ladder as ladder_figures
from lstm_core.figures import replay as replay_figures
from lstm_core.tools import export
from ui import cache, controls, params, replay, widgets
from ui.downloads import downloads_ui
from ui.frame import require_app
from ui.i18n import figure, t
from ui.presets import preset_ui

require_app()

TRAIN_SIZES = (100, 500, 1_000, 5_000, 10_000, 25_000)
WIDTHS = evaluate.EVALUATION_WIDTHS  # the given first corners: the same the metric and the lab use
FIELDS = ("framing", "units", "train_size", "seed")  # the epochs stay the book's one pass (Train more adds some)


def page_controls() -> dict:
    """The page's controls, by key (widgets, link parameters and presets all read these)."""
    every = controls.training(RectangleConfig, TRAIN_SIZES, most_epochs=1)
    every["framing"] = controls.choice("framing", FRAMINGS, RectangleConfig.framing, kind="radio")
    return {key: every[key] for key in FIELDS}


def model_ui(declared: dict):
    with st.sidebar.form("model"):
        st.header(t("rectangles.model"))
        values = {"framing": declared["framing"].widget(
            t("rectangles.framing"), t("rectangles.framing.help"),
            captions=[t(f"rectangles.framing.{framing}") for framing in FRAMINGS])}
        values.update({key: declared[key].widget(t("rectangles.train_size") if key == "train_size" else key,
                                                 t(f"rectangles.{key}.help")) for key in FIELDS[1:]})
        pressed = st.form_submit_button(t("rectangles.train"), type="primary")
    return values, pressed


def start_labels() -> list[str]:
    return [t("rectangles.drawn_label")] + [t("rectangles.corner_label", width=w) for w in WIDTHS]


def drawings_table(free, completed, errors) -> pd.DataFrame:
    rows = [("[0, 0]", free, errors[0])] + [(f"[{w}, 0]", d, e) for w, d, e in zip(WIDTHS, completed, errors[1:])]
    return pd.DataFrame([{t("rectangles.start"): start, **_corners(drawing),
                          t("rectangles.error_column"): format_error(error)} for start, drawing, error in rows])


def _corners(drawing) -> dict:
    return {t("rectangles.corner", index=i): f"[{round(x, 2) + 0.0:.2f}, {round(y, 2) + 0.0:.2f}]"  # never "-0.00"
            for i, (x, y) in enumerate(np.asarray(drawing)[1:], start=1)}


def live_view(config):
    """The drawings as they are while `config` trains, counted in rectangles seen."""
    draw = replay.rectangles_live(WIDTHS, start_labels())
    return lambda model, seen, total: replay_figures.legend_below(
        draw(model, *(int(n) for n in rectangles.rectangles_seen(config, [seen, total]))))


def replay_ui(trained, config, pinned=None):
    """The drawing from [0,0] and the completions at each snapshot of the training, above the loss curve."""
    seen, free, completed = cache.rectangle_replay(config, WIDTHS)
    chart = st.container()
    moment = replay.moment_ui("rectangles", len(seen))
    labels = replay_figures.moment_labels(seen, seen[-1], t("rectangles.replay.label"))
    chart.plotly_chart(figure(replay_figures.rectangles_replay_figure(
        free, completed, seen, rectangles.curve(trained), labels=labels, title=t("rectangles.replay"),
        texts=replay.texts(), active=moment, completed_labels=start_labels()[1:],
        free_label=t("rectangles.drawn_label"),
        panel_titles=(t("rectangles.drawn"), t("rectangles.completed")),
        pinned_curve=rectangles.curve(pinned[1]) if pinned else None)))


def metrics_ui(trained) -> None:
    scores = rectangles.scores(trained)
    headline, free, done, seconds, parameters = st.columns([3, 2, 2, 2, 2])
    headline.metric(t("rectangles.error"), format_error(scores["consistency"]), help=t("rectangles.error.help"))
    free.metric(t("rectangles.error.free"), format_error(scores["free"]))
    done.metric(t("rectangles.error.completions"), format_error(scores["completions"]))
    seconds.metric(t("rectangles.seconds"), f"{trained.seconds:.1f} s", widgets.source_text(trained),
                   delta_color="off")
    parameters.metric(t("rectangles.parameters"), f"{trained.model.count_params():,}")
    config = trained.config
    st.caption(t("rectangles.one_fit", size=f"{config.train_size:,}", batch=rectangles.batch_rectangles(config),
                 rate=config.learning_rate, seconds=f"{trained.seconds:.1f}"))


def results_ui(trained, config):
    free, completed, errors = cache.rectangle_drawings(config, WIDTHS)
    metrics_ui(trained)
    pinned = widgets.run_tools_ui(trained, "rectangles")  # "Train more", "Pin this run": (config, Trained) or None
    pinned_free, pinned_completed, _ = cache.rectangle_drawings(pinned[0], WIDTHS) if pinned else (None, None, None)
    drawn = replay_figures.legend_below(figures.rectangles_figure(
        free, [t("rectangles.drawn_label")], title=t("rectangles.drawn"), pinned=pinned_free))
    completions = replay_figures.legend_below(figures.rectangles_figure(
        completed, start_labels()[1:], title=t("rectangles.completed"), pinned=pinned_completed))
    if pinned:  # the pinned run's drawings beside this one's, as before replay
        one, two = st.columns(2)
        one.plotly_chart(figure(drawn))
        two.plotly_chart(figure(completions))
    replay_ui(trained, config, pinned)
    st.dataframe(drawings_table(free, completed, errors), hide_index=True, width="stretch")
    labels = ["[0, 0]"] + [f"[{w}, 0]" for w in WIDTHS]
    drawings = np.concatenate([free[None], completed])
    pinned_curve = rectangles.curve(pinned[1]) if pinned else None
    downloads_ui(trained, {"drawings": lambda: export.drawings_frame(drawings, labels)}, {
        "drawn": lambda: drawn, "completed": lambda: completions,
        "loss": lambda: figures.loss_figure(trained.history, rectangles.curve(trained), pinned=pinned_curve,
                                            x_title="training rectangles seen")})


def framings_ui(trained, config) -> None:
    """The same rectangles, units and seed in the other framing, beside this one: drawings, errors, a sentence."""
    st.subheader(t("rectangles.compare.title"))
    st.caption(t("rectangles.compare.caption"))
    other = config.replace(framing=FRAMINGS[1 - FRAMINGS.index(config.framing)])
    name = t(f"rectangles.framing.name.{other.framing}")
    pressed = False
    if not cache.is_available(other) and not cache.trainer().is_pending(other):
        pressed = st.button(t("rectangles.compare.train", framing=name), key="rectangles_compare_train",
                            help=t("rectangles.compare.train.help"))
    twin = widgets.trained_or_prompt(other, pressed, prompt=t("rectangles.compare.prompt", framing=name),
                                     label=name, live=live_view(other))
    if twin is None:
        return
    models = {config.framing: trained, other.framing: twin}
    found = {framing: rectangles.scores(models[framing]) for framing in FRAMINGS}
    drawn = [cache.rectangle_drawings(models[framing].config, WIDTHS) for framing in FRAMINGS]
    titles = [t("rectangles.compare.panel", framing=t(f"rectangles.framing.name.{framing}"),
                error=format_error(found[framing]["consistency"])) for framing in FRAMINGS]
    st.plotly_chart(figure(ladder_figures.rectangle_panels([d[0] for d in drawn], [d[1] for d in drawn], titles,
                                                           title=t("rectangles.compare.figure"))))
    st.markdown(f"**{rectangles.comparison_sentence(found, t)}**")
    st.dataframe(pd.DataFrame([{
        t("rectangles.compare.framing"): t(f"rectangles.framing.name.{framing}"),
        t("rectangles.error.free"): format_error(found[framing]["free"]),
        t("rectangles.error.completions"): format_error(found[framing]["completions"]),
        t("rectangles.error_column"): format_error(found[framing]["consistency"]),
    } for framing in FRAMINGS]), hide_index=True, width="stretch")


st.title(t("rectangles.title"))
st.caption(t("rectangles.caption"))
widgets.store_notice()
declared = page_controls()
params.check(controls.parameters(declared.values()))
preset_ui("rectangles", presets.RECTANGLES, declared)
values, pressed = model_ui(declared)
config = widgets.shown_config(widgets.config_or_stop(RectangleConfig, **values), "rectangles", reset=pressed)
trained = widgets.trained_or_prompt(config, pressed, live=live_view(config))
if trained is not None:
    results_ui(trained, config)
    framings_ui(trained, config)
with st.expander(t("rectangles.metric.title")):
    st.markdown(t("rectangles.metric.text", min_side=evaluate.MIN_SIDE, widths=", ".join(map(str, WIDTHS))))

st.subheader(t("rectangles.layers"))
st.caption(t("rectangles.layers.caption", book=BOOK_PARAMETERS))
widgets.layer_table_ui(config)
widgets.code_ui(config)
