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

from lstm_core import evaluate, figures
from lstm_core.config import BOOK_RECTANGLE_PARAMETERS, RectangleConfig, max_train_size, max_units
from ui import cache, params, widgets
from ui.frame import require_app

require_app()

TRAIN_SIZES = [100, 500, 1_000, 5_000, 10_000, 25_000]
DEFAULT = RectangleConfig  # the dataclass' field defaults
WIDTHS = (0.2, 0.4, 0.6, 0.8)
# What the page address may set (`…/rectangles?units=4&train_size=100`): the same ranges and defaults as the
# widgets below.
_SIZES = [size for size in TRAIN_SIZES if size <= max_train_size()] or [max_train_size()]
URL_PARAMETERS = [
    params.whole_number("units", 1, max_units(), min(DEFAULT.units, max_units())),
    params.choice("train_size", _SIZES, min(DEFAULT.train_size, _SIZES[-1])),
    params.whole_number("seed", 0, 10_000, DEFAULT.seed),
]


def model_ui():
    sizes = [size for size in TRAIN_SIZES if size <= max_train_size()] or [max_train_size()]
    with st.sidebar.form("model"):
        st.header("Model")
        units = st.slider("units", 1, max_units(), min(DEFAULT.units, max_units()), key="units", bind="query-params",
                          help="Memory cells in the LSTM layer. The book uses 10.")
        train_size = st.select_slider("training rectangles", sizes, min(DEFAULT.train_size, sizes[-1]),
                                      key="train_size", bind="query-params",
                                      help="Random rectangles seen once each. The book shows 100 to 10,000 "
                                           "and trains on 25,000: watch the drawings improve with more.")
        seed = st.number_input("seed", 0, 10_000, DEFAULT.seed, key="seed", bind="query-params",
                               help="Same seed, same rectangles and initial weights: the same model.")
        pressed = st.form_submit_button("Train", type="primary")
    return dict(units=units, train_size=train_size, seed=int(seed)), pressed


def results_ui(trained, config):
    free, completed, errors = cache.rectangle_drawings(config, WIDTHS)
    left, middle, right = st.columns(3)
    left.metric("consistency error (0 = perfect rectangles)", f"{trained.metrics['consistency']:.4f}")
    middle.metric("training time", f"{trained.seconds:.1f} s",
                  "from the model store" if trained.source == "store" else None, delta_color="off")
    right.metric("parameters", f"{trained.model.count_params():,}")
    pinned = widgets.run_tools_ui(trained, "rectangles")  # "Train more", "Pin this run": (config, Trained) or None
    pinned_free, pinned_completed, _ = cache.rectangle_drawings(pinned[0], WIDTHS) if pinned else (None, None, None)
    one, two = st.columns(2)
    with one:
        st.plotly_chart(figures.rectangles_figure(free, ["drawn from [0, 0]"], title="Drawn from scratch",
                                                  pinned=pinned_free))
    with two:
        st.plotly_chart(figures.rectangles_figure(
            completed, [f"first corner [{w}, 0]" for w in WIDTHS], title="Completed from a given first corner",
            pinned=pinned_completed))
    table = pd.DataFrame(
        [{"start": "[0, 0]", **_corners(free), "consistency error": errors[0]}]
        + [{"start": f"[{w}, 0]", **_corners(d), "consistency error": e}
           for w, d, e in zip(WIDTHS, completed, errors[1:])])
    st.dataframe(table, hide_index=True, width="stretch")
    st.plotly_chart(figures.loss_figure(trained.history, trained.curve or None,
                                        pinned=pinned[1].curve if pinned else None))


def _corners(drawing) -> dict:
    return {f"corner {i}": f"[{x:.2f}, {y:.2f}]" for i, (x, y) in enumerate(np.asarray(drawing)[1:], start=1)}


st.title("Generative LSTM: drawing rectangles")
st.caption("Book chapter 11. Each predicted corner is fed back as the next input.")
widgets.store_notice()
params.check(URL_PARAMETERS)
values, pressed = model_ui()
config = widgets.shown_config(widgets.config_or_stop(RectangleConfig, **values), "rectangles", reset=pressed)
trained = widgets.trained_or_prompt(config, pressed)
if trained is not None:
    results_ui(trained, config)
with st.expander("How the consistency error is measured"):
    st.markdown(
        "A rectangle drawn clockwise from the origin has corners `[0,0]`, `[w,0]`, `[w,h]`, `[0,h]`: "
        "so **y1 = 0, x2 = x1, x3 = 0, y3 = y2**. The error of a drawing is the mean absolute violation of "
        f"these four, plus a penalty of up to 1 for each side shorter than {evaluate.MIN_SIDE}, so a drawing "
        "that collapses to a line or a point scores at least 1. The model's score averages its drawing from "
        f"`[0,0]` and its completions from first corners `[w,0]`, w = {', '.join(map(str, evaluate.EVALUATION_WIDTHS))}.")

st.subheader("Layers")
st.caption(f"LSTM: 4·units·(2 + units + 1) parameters; Dense: units·2 + 2. The book's model has {BOOK_RECTANGLE_PARAMETERS}.")
widgets.layer_table_ui(config)
widgets.code_ui(config)
