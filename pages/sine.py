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

from lstm_core import export, figures, presets
from lstm_core.config import BOOK_SINE_MAE, BOOK_SINE_PARAMETERS, SineConfig, max_epochs, max_train_size, max_units
from ui import cache, params, widgets
from ui.downloads import downloads_ui
from ui.frame import require_app
from ui.i18n import figure, t
from ui.presets import preset_ui

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
    st.sidebar.header(t("sine.wave"))
    period = st.sidebar.slider("period", 5, 40, 15, key="period", bind="query-params", help=t("sine.period.help"))
    decay = st.sidebar.slider("decay", 0.0, 0.2, 0.05, step=0.005, format="%.3f", key="decay",
                              bind="query-params", help=t("sine.decay.help"))
    return period, decay


def model_ui():
    with st.sidebar.form("model"):
        st.header(t("sine.model"))
        units = st.slider("units", 1, max_units(), min(DEFAULT.units, max_units()), key="units",
                          bind="query-params", help=t("sine.units.help"))
        depth = st.slider("depth", 1, 4, DEFAULT.depth, key="depth", bind="query-params", help=t("sine.depth.help"))
        train_size = st.select_slider(t("sine.train_size"), _SIZES, min(DEFAULT.train_size, _SIZES[-1]),
                                      key="train_size", bind="query-params", help=t("sine.train_size.help"))
        epochs = st.slider("epochs", 1, min(20, max_epochs()), min(DEFAULT.epochs, max_epochs()), key="epochs",
                           bind="query-params", help=t("sine.epochs.help"))
        seed = st.number_input("seed", 0, 10_000, DEFAULT.seed, key="seed", bind="query-params",
                               help=t("sine.seed.help"))
        pressed = st.form_submit_button(t("sine.train"), type="primary")
    return dict(units=units, depth=depth, train_size=train_size, epochs=epochs, seed=int(seed)), pressed


def results_ui(trained, config, period, decay, inputs, expected):
    mae = trained.metrics["mae"]
    left, middle, right = st.columns(3)
    left.metric(t("sine.mae"), f"{mae:.4f}", t("sine.mae.delta", delta=mae - BOOK_SINE_MAE, book=BOOK_SINE_MAE),
                delta_color="inverse")
    middle.metric(t("sine.seconds"), f"{trained.seconds:.1f} s",
                  t("sine.from_store") if trained.source == "store" else None, delta_color="off")
    right.metric(t("sine.parameters"), f"{trained.model.count_params():,}")
    pinned = widgets.run_tools_ui(trained, "sine")  # "Train more", "Pin this run": (config, Trained) or None
    predicted = cache.sine_prediction(config, period, decay)
    prediction = figures.sine_prediction_figure(
        inputs, expected, predicted, title=t("sine.figure", period=period, decay=decay),
        pinned=cache.sine_prediction(pinned[0], period, decay) if pinned else None)
    loss = figures.loss_figure(trained.history, trained.curve or None, pinned=pinned[1].curve if pinned else None)
    st.plotly_chart(figure(prediction))
    st.plotly_chart(figure(loss))
    downloads_ui(trained, {"predictions": export.sine_frame(inputs, expected, predicted)},
                 {"prediction": prediction, "loss": loss})


st.title(t("sine.title"))
st.caption(t("sine.caption"))
widgets.store_notice()
params.check(URL_PARAMETERS)
preset_ui("sine", presets.SINE)
period, decay = wave_ui()
values, pressed = model_ui()
config = widgets.shown_config(widgets.config_or_stop(SineConfig, **values), "sine", reset=pressed)
inputs, expected = cache.sine_wave(period, decay)
trained = widgets.trained_or_prompt(config, pressed)
if trained is None:
    st.plotly_chart(figure(figures.sine_prediction_figure(
        inputs, expected, title=t("sine.figure.wave", period=period, decay=decay))))
else:
    results_ui(trained, config, period, decay, inputs, expected)

st.subheader(t("sine.layers"))
st.caption(t("sine.layers.caption", book=f"{BOOK_SINE_PARAMETERS:,}"))
widgets.layer_table_ui(config)
widgets.code_ui(config)
