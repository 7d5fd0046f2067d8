"""
Lesson: inside the LSTM cell (book chapter 1, course notes).

A trained damped-sine model (chapter 7, the same models as the sine lesson,
from the same model store) reads a wave of the teacher's choice. For each
LSTM layer the page shows, time step by unit, the input, forget and output
gates, the candidate values, the cell state and the hidden state, computed
by hand from the trained weights with the LSTM equations and checked
against Keras' own output. A line chart follows chosen units' cell state
along the wave, so students can find a unit that tracks the decay or the
phase. A preset menu opens the book's model on a wave inside or outside its
training range, or a one-layer model of 4 units whose units are easier to
read one by one.
"""

import numpy as np
import pandas as pd
import streamlit as st

from lstm_core import concept_figures, gates, presets
from lstm_core.config import SineConfig, max_epochs, max_train_size, max_units
from ui import cache, params, widgets
from ui.frame import require_app
from ui.i18n import figure, t
from ui.presets import preset_ui

require_app()

TRAIN_SIZES = [100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000]
DEFAULT = SineConfig  # the field defaults: the book's model, shared with the sine lesson
_SIZES = [size for size in TRAIN_SIZES if size <= max_train_size()] or [max_train_size()]
SIGNED = {"candidate", "cell", "hidden"}
URL_PARAMETERS = [
    params.whole_number("period", 5, 40, 15), params.number("decay", 0.0, 0.2, 0.05),
    params.whole_number("units", 1, max_units(), min(DEFAULT.units, max_units())),
    params.whole_number("depth", 1, 4, DEFAULT.depth),
    params.choice("train_size", _SIZES, min(DEFAULT.train_size, _SIZES[-1])),
    params.whole_number("epochs", 1, min(20, max_epochs()), min(DEFAULT.epochs, max_epochs())),
    params.whole_number("seed", 0, 10_000, DEFAULT.seed),
]
EQUATIONS = r"""
\begin{aligned}
z_t &= x_t W + h_{t-1} U + b \\
i_t &= \sigma(z_i) \qquad f_t = \sigma(z_f) \qquad g_t = \tanh(z_c) \qquad o_t = \sigma(z_o)\\
c_t &= f_t \odot c_{t-1} + i_t \odot g_t \qquad h_t = o_t \odot \tanh(c_t)
\end{aligned}
"""


def wave_ui():
    st.sidebar.header(t("inside_lstm.wave"))
    period = st.sidebar.slider("period", 5, 40, 15, key="period", bind="query-params",
                               help=t("inside_lstm.period.help"))
    decay = st.sidebar.slider("decay", 0.0, 0.2, 0.05, step=0.005, format="%.3f", key="decay",
                              bind="query-params", help=t("inside_lstm.decay.help"))
    return period, decay


def model_ui():
    with st.sidebar.form("inside_model"):
        st.header(t("inside_lstm.model"))
        units = st.slider("units", 1, max_units(), min(DEFAULT.units, max_units()), key="units",
                          bind="query-params", help=t("inside_lstm.units.help"))
        depth = st.slider("depth", 1, 4, DEFAULT.depth, key="depth", bind="query-params",
                          help=t("inside_lstm.depth.help"))
        train_size = st.select_slider(t("inside_lstm.train_size"), _SIZES, min(DEFAULT.train_size, _SIZES[-1]),
                                      key="train_size", bind="query-params",
                                      help=t("inside_lstm.train_size.help"))
        epochs = st.slider("epochs", 1, min(20, max_epochs()), min(DEFAULT.epochs, max_epochs()),
                           key="epochs", bind="query-params", help=t("inside_lstm.epochs.help"))
        seed = st.number_input("seed", 0, 10_000, DEFAULT.seed, key="seed", bind="query-params",
                               help=t("inside_lstm.seed.help"))
        pressed = st.form_submit_button(t("inside_lstm.train"), type="primary", key="inside_train",
                                        help=t("inside_lstm.train.help"))
    return dict(units=units, depth=depth, train_size=train_size, epochs=epochs, seed=int(seed)), pressed


def layer_name(layer: int) -> str:
    return t("inside_lstm.layer.first" if layer == 1 else "inside_lstm.layer.other", layer=layer)


def heatmaps_ui(trace, layer: int):
    rows = [("input_gate", "forget_gate", "output_gate"), ("candidate", "cell", "hidden")]
    for names in rows:
        for column, name in zip(st.columns(3), names):
            title = t("inside_lstm.heatmap", layer=layer, gate=t(f"inside_lstm.gate.{name}"))
            column.plotly_chart(figure(concept_figures.heatmap_figure(trace.get(name), title=title,
                                                                      signed=name in SIGNED)))
    st.caption(t("inside_lstm.heatmaps.caption"))


def units_ui(trace, inputs, decay, layer: int):
    tracking = gates.unit_tracking(trace.cell, inputs, gates.envelope(len(inputs), decay))
    best = gates.interesting_units(tracking)
    units = trace.cell.shape[1]
    chosen = st.multiselect(
        t("inside_lstm.chosen"), list(range(units)), default=sorted({best["phase"], best["decay"]}),
        key=f"inside_chosen_{layer}_{units}", help=t("inside_lstm.chosen.help"))
    st.plotly_chart(figure(concept_figures.units_figure(
        inputs, trace.cell, chosen, envelope=gates.envelope(len(inputs), decay),
        title=t("inside_lstm.units_figure", layer=layer), unit_label=t("inside_lstm.unit_label"))))
    table = pd.DataFrame({t("inside_lstm.table.unit"): np.arange(units),
                          t("inside_lstm.table.phase"): tracking["phase"],
                          t("inside_lstm.table.decay"): tracking["decay"]})
    with st.expander(t("inside_lstm.table")):
        st.dataframe(table.round(3), hide_index=True, width="stretch")


st.title(t("inside_lstm.title"))
st.caption(t("inside_lstm.caption"))
widgets.store_notice()
params.check(URL_PARAMETERS)
preset_ui("inside_lstm", presets.INSIDE_LSTM)
period, decay = wave_ui()
values, pressed = model_ui()
config = widgets.config_or_stop(SineConfig, **values)
trained = widgets.trained_or_prompt(config, pressed, t("inside_lstm.this_model"))
st.latex(EQUATIONS)
st.caption(t("inside_lstm.equations"))
if trained is not None:
    traces, difference = cache.gate_traces(config, period, decay)
    inputs, _ = cache.sine_wave(period, decay, config.length, config.output)
    st.success(t("inside_lstm.checked", difference=difference))
    layer = 1
    if len(traces) > 1:
        names = {n: layer_name(n) for n in range(1, len(traces) + 1)}  # translated now, not when formatted later
        layer = st.radio(t("inside_lstm.layer"), list(names), key="layer", horizontal=True,
                         format_func=names.get, help=t("inside_lstm.layer.help"))
    heatmaps_ui(traces[layer - 1], layer)
    units_ui(traces[layer - 1], inputs, decay, layer)
