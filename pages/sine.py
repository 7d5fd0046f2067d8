"""
Lesson: a stacked LSTM predicts the end of a damped sine wave (book chapter 7).

The model reads 50 steps of a wave whose period and decay it has never been
told, and predicts the next 5 values at once (many-to-one, with a 5-value
output). The sidebar has two groups: the *test wave* (instant: it changes
the wave shown, not the model) and the *model* (units, depth, training
examples, epochs, seed), which sits in a form so that moving its sliders
never interrupts a training under way.
"""

import streamlit as st

from lstm_core import figures
from lstm_core.config import BOOK_SINE_MAE, BOOK_SINE_PARAMETERS, SineConfig, max_epochs, max_train_size, max_units
from ui import cache, params, widgets
from ui.frame import require_app

require_app()

TRAIN_SIZES = [100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000]
DEFAULT = SineConfig  # the dataclass' field defaults (an instance would be validated against today's limits)
# What the page address may set (`…/sine?units=4&period=17`): the same ranges and defaults as the widgets below.
_SIZES = [size for size in TRAIN_SIZES if size <= max_train_size()] or [max_train_size()]
URL_PARAMETERS = [
    params.whole_number("period", 5, 40, 15), params.number("decay", 0.0, 0.2, 0.05),
    params.whole_number("units", 1, max_units(), min(DEFAULT.units, max_units())),
    params.whole_number("depth", 1, 4, DEFAULT.depth),
    params.choice("train_size", _SIZES, min(DEFAULT.train_size, _SIZES[-1])),
    params.whole_number("epochs", 1, min(20, max_epochs()), min(DEFAULT.epochs, max_epochs())),
    params.whole_number("seed", 0, 10_000, DEFAULT.seed),
]


def wave_ui():
    st.sidebar.header("Test wave")
    period = st.sidebar.slider(
        "period", 5, 40, 15, key="period", bind="query-params",
        help="Steps per full oscillation of the wave shown. The model was trained on periods 10 to 20: "
             "outside that range, watch the prediction fail.")
    decay = st.sidebar.slider(
        "decay", 0.0, 0.2, 0.05, step=0.005, format="%.3f", key="decay", bind="query-params",
        help="How fast the oscillation dies out. Training used decays 0.01 to 0.1.")
    return period, decay


def model_ui():
    sizes = [size for size in TRAIN_SIZES if size <= max_train_size()] or [max_train_size()]
    with st.sidebar.form("model"):
        st.header("Model")
        units = st.slider("units", 1, max_units(), min(DEFAULT.units, max_units()), key="units", bind="query-params",
                          help="Memory cells in each LSTM layer. The book uses 20.")
        depth = st.slider("depth", 1, 4, DEFAULT.depth, key="depth", bind="query-params",
                          help="Stacked LSTM layers; every layer but the last returns its whole sequence.")
        train_size = st.select_slider("training examples", sizes, min(DEFAULT.train_size, sizes[-1]),
                                      key="train_size", bind="query-params",
                                      help="Random waves seen in training. The book uses 10,000.")
        epochs = st.slider("epochs", 1, min(20, max_epochs()), min(DEFAULT.epochs, max_epochs()), key="epochs", bind="query-params",
                           help="Passes over the training examples.")
        seed = st.number_input("seed", 0, 10_000, DEFAULT.seed, key="seed", bind="query-params",
                               help="Same seed, same data and initial weights: the same model.")
        pressed = st.form_submit_button("Train", type="primary")
    return dict(units=units, depth=depth, train_size=train_size, epochs=epochs, seed=int(seed)), pressed


def results_ui(trained, config, period, decay, inputs, expected):
    mae = trained.metrics["mae"]
    left, middle, right = st.columns(3)
    left.metric("held-out MAE (1,000 fresh waves)", f"{mae:.4f}", f"{mae - BOOK_SINE_MAE:+.4f} vs book's {BOOK_SINE_MAE}",
                delta_color="inverse")
    middle.metric("training time", f"{trained.seconds:.1f} s", "from the model store" if trained.source == "store" else None,
                  delta_color="off")
    right.metric("parameters", f"{trained.model.count_params():,}")
    pinned = widgets.run_tools_ui(trained, "sine")  # "Train more", "Pin this run": (config, Trained) or None
    predicted = cache.sine_prediction(config, period, decay)
    st.plotly_chart(figures.sine_prediction_figure(
        inputs, expected, predicted, title=f"period {period}, decay {decay:.3f}: expected vs predicted",
        pinned=cache.sine_prediction(pinned[0], period, decay) if pinned else None))
    st.plotly_chart(figures.loss_figure(trained.history, trained.curve or None,
                                        pinned=pinned[1].curve if pinned else None))


st.title("Stacked LSTM: the damped sine wave")
st.caption("Book chapter 7. The model sees 50 steps and predicts the next 5 at once.")
widgets.store_notice()
params.check(URL_PARAMETERS)
period, decay = wave_ui()
values, pressed = model_ui()
config = widgets.shown_config(widgets.config_or_stop(SineConfig, **values), "sine", reset=pressed)
inputs, expected = cache.sine_wave(period, decay)
trained = widgets.trained_or_prompt(config, pressed)
if trained is None:
    st.plotly_chart(figures.sine_prediction_figure(inputs, expected, title=f"period {period}, decay {decay:.3f}"))
else:
    results_ui(trained, config, period, decay, inputs, expected)

st.subheader("Layers")
st.caption(f"Each LSTM layer has 4·units·(inputs + units + 1) parameters. The book's model has {BOOK_SINE_PARAMETERS:,}.")
widgets.layer_table_ui(config)
widgets.code_ui(config)
