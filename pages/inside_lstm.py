"""
Lesson: inside the LSTM cell (book chapter 1, course notes).

A trained damped-sine model (chapter 7, the same models as the sine lesson,
from the same model store) reads a wave of the teacher's choice. For each
LSTM layer the page shows, time step by unit, the input, forget and output
gates, the candidate values, the cell state and the hidden state, computed
by hand from the trained weights with the LSTM equations and checked
against Keras' own output. A line chart follows chosen units' cell state
along the wave, so students can find a unit that tracks the decay or the
phase.
"""

import numpy as np
import pandas as pd
import streamlit as st

from lstm_core import concept_figures, gates
from lstm_core.config import SineConfig, max_epochs, max_train_size, max_units
from ui import cache, params, widgets
from ui.frame import require_app

require_app()

TRAIN_SIZES = [100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000]
DEFAULT = SineConfig  # the field defaults: the book's model, shared with the sine lesson
_SIZES = [size for size in TRAIN_SIZES if size <= max_train_size()] or [max_train_size()]
SIGNED = {"candidate", "cell", "hidden"}
URL_PARAMETERS = [
    params.whole_number("inside_period", 5, 40, 15), params.number("inside_decay", 0.0, 0.2, 0.05),
    params.whole_number("inside_units", 1, max_units(), min(DEFAULT.units, max_units())),
    params.whole_number("inside_depth", 1, 4, DEFAULT.depth),
    params.choice("inside_train_size", _SIZES, min(DEFAULT.train_size, _SIZES[-1])),
    params.whole_number("inside_epochs", 1, min(20, max_epochs()), min(DEFAULT.epochs, max_epochs())),
    params.whole_number("inside_seed", 0, 10_000, DEFAULT.seed),
]
EQUATIONS = r"""
\begin{aligned}
z_t &= x_t W + h_{t-1} U + b \quad \text{(split into four blocks, in Keras' order } i, f, c, o)\\
i_t &= \sigma(z_i) \qquad f_t = \sigma(z_f) \qquad g_t = \tanh(z_c) \qquad o_t = \sigma(z_o)\\
c_t &= f_t \odot c_{t-1} + i_t \odot g_t \qquad h_t = o_t \odot \tanh(c_t)
\end{aligned}
"""


def wave_ui():
    st.sidebar.header("Wave")
    period = st.sidebar.slider("period", 5, 40, 15, key="inside_period", bind="query-params",
                               help="Steps per oscillation of the wave the model reads. Watch the gates and "
                                    "the cell state follow its rhythm.")
    decay = st.sidebar.slider("decay", 0.0, 0.2, 0.05, step=0.005, format="%.3f", key="inside_decay",
                              bind="query-params",
                              help="How fast the wave dies out. Look for a unit whose cell state drifts with it.")
    return period, decay


def model_ui():
    with st.sidebar.form("inside_model"):
        st.header("Model")
        units = st.slider("units", 1, max_units(), min(DEFAULT.units, max_units()), key="inside_units",
                          bind="query-params", help="Memory cells in each LSTM layer (rows of the heatmaps).")
        depth = st.slider("depth", 1, 4, DEFAULT.depth, key="inside_depth", bind="query-params",
                          help="Stacked LSTM layers; each has its own heatmaps.")
        train_size = st.select_slider("training examples", _SIZES, min(DEFAULT.train_size, _SIZES[-1]),
                                      key="inside_train_size", bind="query-params",
                                      help="Random waves seen in training. An untrained-looking model (few "
                                           "examples) has gates that barely move.")
        epochs = st.slider("epochs", 1, min(20, max_epochs()), min(DEFAULT.epochs, max_epochs()),
                           key="inside_epochs", bind="query-params", help="Passes over the training examples.")
        seed = st.number_input("seed", 0, 10_000, DEFAULT.seed, key="inside_seed", bind="query-params",
                               help="Same seed, same model. The defaults are the sine lesson's model.")
        pressed = st.form_submit_button("Train", type="primary", key="inside_train",
                                        help="Train (or load from the model store) the damped-sine model.")
    return dict(units=units, depth=depth, train_size=train_size, epochs=epochs, seed=int(seed)), pressed


def heatmaps_ui(trace, layer: int):
    rows = [("input_gate", "forget_gate", "output_gate"), ("candidate", "cell", "hidden")]
    for names in rows:
        for column, name in zip(st.columns(3), names):
            column.plotly_chart(concept_figures.heatmap_figure(
                trace.get(name), title=f"layer {layer}: {gates.TITLES[name]}", signed=name in SIGNED))
    st.caption("Gates run from 0 (closed) to 1 (open), candidate, cell and hidden state are signed (blue "
               "positive, red negative). A forget gate near 1 keeps the cell state; an input gate near 1 writes "
               "the candidate into it; the output gate decides how much of it shows in the hidden state.")


def units_ui(trace, inputs, decay, layer: int):
    tracking = gates.unit_tracking(trace.cell, inputs, gates.envelope(len(inputs), decay))
    best = gates.interesting_units(tracking)
    units = trace.cell.shape[1]
    chosen = st.multiselect(
        "units to follow", list(range(units)), default=sorted({best["phase"], best["decay"]}),
        key=f"inside_chosen_{layer}_{units}",
        help="Cell states to draw against the wave. Preselected: the unit whose cell state correlates most with "
             "the wave (phase) and the one that correlates most with its envelope exp(-decay·t) (decay).")
    st.plotly_chart(concept_figures.units_figure(inputs, trace.cell, chosen, envelope=gates.envelope(len(inputs), decay),
                                                 title=f"Layer {layer}: cell state of chosen units against the wave"))
    table = pd.DataFrame({"unit": np.arange(units), "correlation with the wave (phase)": tracking["phase"],
                          "correlation with the envelope (decay)": tracking["decay"]})
    with st.expander("Every unit's correlation with the wave and with its envelope"):
        st.dataframe(table.round(3), hide_index=True, width="stretch")


st.title("Inside the LSTM cell")
st.caption("The gates and the cell state of a trained damped-sine model (chapter 7), step by step, computed from "
           "its weights.")
widgets.store_notice()
params.check(URL_PARAMETERS)
period, decay = wave_ui()
values, pressed = model_ui()
config = widgets.config_or_stop(SineConfig, **values)
trained = widgets.trained_or_prompt(config, pressed, "this model")
st.latex(EQUATIONS)
if trained is not None:
    traces, difference = cache.gate_traces(config, period, decay)
    inputs, _ = cache.sine_wave(period, decay, config.length, config.output)
    st.success(f"Computed with the equations above from the trained weights; the hidden states differ from Keras' "
               f"own by at most {difference:.1e}.")
    layer = 1
    if len(traces) > 1:
        layer = st.radio("layer", list(range(1, len(traces) + 1)), key="inside_layer", horizontal=True,
                         format_func=lambda n: f"layer {n}" + (" (input side)" if n == 1 else ""),
                         help="Which LSTM layer to look inside. Layer 1 reads the wave; each next layer reads "
                              "the hidden states of the one before.")
    heatmaps_ui(traces[layer - 1], layer)
    units_ui(traces[layer - 1], inputs, decay, layer)
