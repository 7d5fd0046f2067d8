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

from lstm_core import gates, presets
from lstm_core.experiments import SineConfig
from lstm_core.figures import concepts as concept_figures
from ui import cache, sine_controls, widgets
from ui.frame import require_app
from ui.i18n import figure, t

require_app()

SIGNED = {"candidate", "cell", "hidden"}
EQUATIONS = r"""
\begin{aligned}
z_t &= x_t W + h_{t-1} U + b \\
i_t &= \sigma(z_i) \qquad f_t = \sigma(z_f) \qquad g_t = \tanh(z_c) \qquad o_t = \sigma(z_o)\\
c_t &= f_t \odot c_{t-1} + i_t \odot g_t \qquad h_t = o_t \odot \tanh(c_t)
\end{aligned}
"""


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
period, decay, values, pressed = sine_controls.sidebar_ui("inside_lstm", presets.INSIDE_LSTM, key="inside_train",
                                                          help=t("inside_lstm.train.help"))
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
