"""
Lesson: a generative LSTM draws rectangles (book chapter 11).

Trained on corner → next corner pairs of random rectangles, the model draws
one from scratch: start at `[0,0]`, predict the next corner, feed it back,
three times. Given a first corner `[w, 0]` it completes a rectangle of that
width. The consistency error measures how far each drawing is from a true
rectangle (see `lstm_core/evaluate.py`).
"""

import numpy as np
import pandas as pd
import streamlit as st

from lstm_core import evaluate, figures, presets
from lstm_core.experiments import RectangleConfig
from lstm_core.experiments.rectangles import BOOK_PARAMETERS
from lstm_core.tools import export
from lstm_core.figures import replay as replay_figures
from ui import cache, controls, params, replay, widgets
from ui.downloads import downloads_ui
from ui.frame import require_app
from ui.i18n import figure, t
from ui.presets import preset_ui

require_app()

TRAIN_SIZES = (100, 500, 1_000, 5_000, 10_000, 25_000)
WIDTHS = (0.2, 0.4, 0.6, 0.8)
FIELDS = ("units", "train_size", "seed")  # the epochs stay the book's one pass (Train more adds some)


def page_controls() -> dict:
    """The page's controls, by key (widgets, link parameters and presets all read these)."""
    every = controls.training(RectangleConfig, TRAIN_SIZES, most_epochs=1)
    return {key: every[key] for key in FIELDS}


def model_ui(declared: dict):
    with st.sidebar.form("model"):
        st.header(t("rectangles.model"))
        values = {key: declared[key].widget(t("rectangles.train_size") if key == "train_size" else key,
                                            t(f"rectangles.{key}.help")) for key in FIELDS}
        pressed = st.form_submit_button(t("rectangles.train"), type="primary")
    return values, pressed


def drawings_table(free, completed, errors) -> pd.DataFrame:
    rows = [("[0, 0]", free, errors[0])] + [(f"[{w}, 0]", d, e) for w, d, e in zip(WIDTHS, completed, errors[1:])]
    return pd.DataFrame([{t("rectangles.start"): start, **_corners(drawing), t("rectangles.error_column"): error}
                         for start, drawing, error in rows])


def _corners(drawing) -> dict:
    return {t("rectangles.corner", index=i): f"[{round(x, 2) + 0.0:.2f}, {round(y, 2) + 0.0:.2f}]"  # never "-0.00"
            for i, (x, y) in enumerate(np.asarray(drawing)[1:], start=1)}


def replay_ui(trained, config, pinned=None):
    """The drawing from [0,0] and the completions at each snapshot of the training, above the loss curve."""
    examples, free, completed = cache.rectangle_replay(config, WIDTHS)
    chart = st.container()
    moment = replay.moment_ui("rectangles", len(examples))
    chart.plotly_chart(figure(replay_figures.rectangles_replay_figure(
        free, completed, examples, trained.curve, labels=replay.labels(examples, examples[-1], "rectangles"),
        title=t("rectangles.replay"), texts=replay.texts(), active=moment,
        completed_labels=[t("rectangles.corner_label", width=w) for w in WIDTHS], free_label=t("rectangles.drawn_label"),
        panel_titles=(t("rectangles.drawn"), t("rectangles.completed")), pinned_curve=pinned[1].curve if pinned else None)))


def results_ui(trained, config):
    free, completed, errors = cache.rectangle_drawings(config, WIDTHS)
    left, middle, right = st.columns(3)
    left.metric(t("rectangles.error"), f"{trained.metrics['consistency']:.4f}")
    middle.metric(t("rectangles.seconds"), f"{trained.seconds:.1f} s",
                  widgets.source_text(trained), delta_color="off")
    right.metric(t("rectangles.parameters"), f"{trained.model.count_params():,}")
    pinned = widgets.run_tools_ui(trained, "rectangles")  # "Train more", "Pin this run": (config, Trained) or None
    pinned_free, pinned_completed, _ = cache.rectangle_drawings(pinned[0], WIDTHS) if pinned else (None, None, None)
    drawn = figures.rectangles_figure(free, [t("rectangles.drawn_label")], title=t("rectangles.drawn"),
                                      pinned=pinned_free)
    completions = figures.rectangles_figure(
        completed, [t("rectangles.corner_label", width=w) for w in WIDTHS], title=t("rectangles.completed"),
        pinned=pinned_completed)
    loss = figures.loss_figure(trained.history, trained.curve or None, pinned=pinned[1].curve if pinned else None)
    if pinned:  # the pinned run's drawings beside this one's, as before replay
        one, two = st.columns(2)
        one.plotly_chart(figure(drawn))
        two.plotly_chart(figure(completions))
    replay_ui(trained, config, pinned)
    st.dataframe(drawings_table(free, completed, errors), hide_index=True, width="stretch")
    labels = ["[0, 0]"] + [f"[{w}, 0]" for w in WIDTHS]
    drawings = np.concatenate([free[None], completed])
    downloads_ui(trained, {"drawings": export.drawings_frame(drawings, labels)},
                 {"drawn": drawn, "completed": completions, "loss": loss})


st.title(t("rectangles.title"))
st.caption(t("rectangles.caption"))
widgets.store_notice()
declared = page_controls()
params.check(controls.parameters(declared.values()))
preset_ui("rectangles", presets.RECTANGLES, declared)
values, pressed = model_ui(declared)
config = widgets.shown_config(widgets.config_or_stop(RectangleConfig, **values), "rectangles", reset=pressed)
trained = widgets.trained_or_prompt(config, pressed, live=replay.rectangles_live(
    WIDTHS, [t("rectangles.drawn_label")] + [t("rectangles.corner_label", width=w) for w in WIDTHS]))
if trained is not None:
    results_ui(trained, config)
with st.expander(t("rectangles.metric.title")):
    st.markdown(t("rectangles.metric.text", min_side=evaluate.MIN_SIDE,
                  widths=", ".join(map(str, evaluate.EVALUATION_WIDTHS))))

st.subheader(t("rectangles.layers"))
st.caption(t("rectangles.layers.caption", book=BOOK_PARAMETERS))
widgets.layer_table_ui(config)
widgets.code_ui(config)
