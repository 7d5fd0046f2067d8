"""
Lesson: inside the LSTM cell (book chapter 1, course notes).

A trained damped-sine model (chapter 7, the same models as the sine lesson,
from the same model store) reads a wave of the teacher's choice. For each
LSTM layer the page shows, time step by unit, the input, forget and output
gates, the candidate values, the cell state and the hidden state, computed
by hand from the trained weights with the LSTM equations and checked
against Keras' own output. A line chart follows chosen units' cell state
along the wave, so students can find a unit whose cell state follows the
wave itself or its decay (the two correlations of `gates.unit_tracking`). A
preset menu opens the book's model on a wave inside or outside its training
range, or a one-layer model of 4 units whose units are easier to read one by
one.

"Step through the cell" draws one unit's cell as in the classic LSTM
diagrams, with its numbers at every time step and the equations with those
numbers plugged in, as one animated chart the browser plays (no rerun per
frame). "Why the LSTM keeps its gradient" sets the product of the forget
gates along the cell-state line against the Jacobian norm of a SimpleRNN
trained on the same task (the cells lesson's, trained only on request), on
this page's wave, or on the cells lesson's long lag: the damped sine needs
little memory, and its trained LSTM lets go faster than the SimpleRNN, which
the page says rather than hides.
"""

import numpy as np
import pandas as pd
import streamlit as st

from lstm_core import gates, presets, stepper
from lstm_core.experiments import SineConfig
from lstm_core.figures import cell as cell_figures
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
# Along the cell-state line (gates held fixed) and through a SimpleRNN: what a gradient is multiplied by.
PATH_EQUATIONS = r"""
\begin{gathered}
\frac{\partial c_T}{\partial c_k} = \prod_{j=k+1}^{T} f_j \\
\frac{\partial h_T}{\partial h_k} = \prod_{j=k+1}^{T} \mathrm{diag}\left(1 - h_j^2\right) U^\top
\end{gathered}
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


def stepper_ui(config, period: float, decay: float, inputs, layer: int):
    """The animated cell of one unit of `layer`. Returns `(its LayerSteps, the unit)`."""
    st.subheader(t("inside_lstm.stepper.header"))
    steps = cache.cell_steps(config, period, decay)[layer - 1]
    tracking = gates.unit_tracking(steps.trace.cell, inputs, gates.envelope(len(inputs), decay))
    unit = st.selectbox(t("inside_lstm.stepper.unit"), list(range(steps.units)),
                        index=gates.interesting_units(tracking)["decay"], key=f"inside_step_unit_{layer}_{steps.units}",
                        help=t("inside_lstm.stepper.unit.help"))
    st.markdown(t("inside_lstm.stepper.intro"))
    texts = {name: t(f"inside_lstm.stepper.fig.{name}") for name in cell_figures.TEXTS}  # format fields kept
    st.plotly_chart(cache.cell_figure(config, period, decay, layer, unit, texts))
    st.caption(t("inside_lstm.stepper.caption"))
    return steps, unit


def verdict(best: float, rnn: float, task: str) -> str:
    """What the chart shows at the compared step, in words that follow the numbers (either cell may keep more)."""
    if rnn <= 0:
        return t("inside_lstm.path.verdict.vanished")
    if best > rnn:
        return t("inside_lstm.path.verdict.lstm", ratio=f"{best / rnn:,.0f}" if best / rnn >= 10 else f"{best / rnn:.1f}")
    return t(f"inside_lstm.path.verdict.rnn_{task}")


def path_ui(config, period: float, decay: float, steps, unit: int, layer: int):
    """The forget-gate products of an LSTM against a SimpleRNN's Jacobian norm: this page's model on its wave,
    or the cells lesson's two cells on its long-lag task (where remembering is needed)."""
    st.subheader(t("inside_lstm.path.header"))
    lag = stepper.lag_config()
    tasks = {"sine": t("inside_lstm.path.task.sine"), "lag": t("inside_lstm.path.task.lag", lag=lag.lag)}
    task = st.radio(t("inside_lstm.path.task"), list(tasks), key="inside_path_task", horizontal=True,
                    format_func=tasks.get, help=t("inside_lstm.path.task.help", lag=lag.lag))
    rnn_config = stepper.simple_rnn_config(config) if task == "sine" else lag
    chart, words = st.columns([3, 2])
    with words:
        st.markdown(t("inside_lstm.path.intro"))
        st.latex(PATH_EQUATIONS)
        # The button only while there is nothing to show: opening the page never trains.
        pressed = not cache.is_available(rnn_config) and st.button(
            t(f"inside_lstm.path.train_{task}"), key="inside_rnn_train", help=t(f"inside_lstm.path.train_{task}.help"))
        rnn = widgets.trained_or_prompt(rnn_config, pressed, prompt=t(f"inside_lstm.path.prompt_{task}"),
                                        button=False)  # its own button is just above, on the page
    if task == "sine":
        forget, back, marked = steps.trace.forget_gate, min(20, steps.steps - 1), None
        norms = cache.simple_rnn_path(rnn_config, period, decay) if rnn is not None else None
        title, unit_label = t("inside_lstm.path.title", layer=layer), t("inside_lstm.path.unit", unit=unit)
    elif rnn is None:
        return  # both cells come from the lag model: nothing to draw before it is trained
    else:
        (forget, norms), back = cache.lag_paths(rnn_config), rnn_config.lag
        unit, marked = stepper.keeping_unit(forget, back), back
        title, unit_label = t("inside_lstm.path.title_lag", lag=back), t("inside_lstm.path.unit_best", unit=unit)
    paths = stepper.lstm_paths(forget, unit)
    labels = {"unit": unit_label, "median": t("inside_lstm.path.median", units=forget.shape[1]),
              "max": t("inside_lstm.path.max"), "SimpleRNN": t("inside_lstm.path.rnn", units=rnn_config.units)}
    series = dict(paths) if norms is None else {**paths, "SimpleRNN": norms}
    chart.plotly_chart(cell_figures.gradient_path_figure(
        series, labels, title=title, x_title=t("inside_lstm.path.x"), y_title=t("inside_lstm.path.y"),
        marked=marked, marked_label=t("inside_lstm.path.marked")))
    at = {name: float(values[-1 - back]) for name, values in series.items()}
    numbers = t("inside_lstm.path.numbers", back=back, unit=unit, unit_value=f"{at['unit']:.2g}",
                median=f"{at['median']:.2g}", best=f"{at['max']:.2g}")
    if norms is not None:
        numbers += " " + t("inside_lstm.path.numbers_rnn", rnn=f"{at['SimpleRNN']:.2g}")
        numbers += " " + verdict(at["max"], at["SimpleRNN"], task)
    words.markdown(numbers)
    st.caption(t(f"inside_lstm.path.caption_{task}", lag=back))


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
    steps, unit = stepper_ui(config, period, decay, inputs, layer)
    path_ui(config, period, decay, steps, unit, layer)
    heatmaps_ui(traces[layer - 1], layer)
    units_ui(traces[layer - 1], inputs, decay, layer)
