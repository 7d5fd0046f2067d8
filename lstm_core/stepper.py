"""
Stepping through the LSTM cell, and why its gradient survives.

The lesson "Inside the LSTM cell" follows one unit of one layer through a
wave, step by step: what it reads (x_t, h_{t-1}, c_{t-1}), the four parts
of its pre-activation z, its gates i, f, o, its candidate g, and what it
writes (c_t, h_t). `layer_steps` adds to a `gates.LayerTrace` what the trace
does not keep: each step's starting states (the previous rows, zeros at
t = 0) and z split into its input part x_t·W, its recurrent part h_{t-1}·U
and its bias b, per gate. `step_values` reads one unit at one step, and
`equations` writes the equations with those numbers plugged in
(c_t = f·c_{t-1} + i·g = 0.934·0.412 + 0.118·(−0.301) = 0.349). A layer
after the first reads the whole hidden state of the layer before: its x_t is
a vector, said as such (its size and norm), never as one number.

Why the LSTM keeps its gradient: along the cell-state path alone (the gates
held fixed), c_T = f_T · c_{T-1} + ..., so ∂c_T/∂c_k = ∏_{j=k+1..T} f_j, a
product of numbers a trained unit can hold near 1 (`forget_products`). A
SimpleRNN's h_t = tanh(x_t W + h_{t-1} U + b) has
∂h_T/∂h_k = ∏_{j=k+1..T} diag(1 − h_j²) Uᵀ, a product of matrices whose
spectral norm (largest singular value: the most any direction of h_k is
amplified) shrinks geometrically unless U makes up for tanh's slope
(`simple_rnn_jacobian_norms`). Whether a trained LSTM holds its forget
gates near 1 depends on the task: forecasting a damped sine needs little
memory and the book's model lets go within a few steps, so the lesson also
offers the cells lesson's long-lag task (`lag_config`), where both cells
come from one model that must keep a value for `lag` steps. Everything is
plain numpy on a trained model's weights.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import gates
from .engine.config import max_epochs, max_train_size, max_units
from .experiments.cells import CellsConfig

BLOCKS = ("i", "f", "c", "o")  # Keras' order of the four blocks of z
SIMPLE_RNN_LAYER = "SimpleRNN_layer"  # the SimpleRNN and LSTM branches of the cells experiment (`cells.build`)
LSTM_LAYER = "LSTM_layer"
DIGITS = 3
MINUS = "\u2212"


@dataclass
class LayerSteps:
    """One LSTM layer on one input, step by step; arrays of shape (steps, ...).

    `inputs` (steps, features) is what the layer reads (the wave, or the
    hidden states of the layer before); `input_part`, `recurrent_part`
    (steps, 4, units) and `bias` (4, units) are the three terms of z per
    block i, f, c, o; `previous_hidden` and `previous_cell` (steps, units)
    are h_{t-1} and c_{t-1}.
    """

    layer: int
    inputs: np.ndarray
    trace: gates.LayerTrace
    previous_hidden: np.ndarray
    previous_cell: np.ndarray
    input_part: np.ndarray
    recurrent_part: np.ndarray
    bias: np.ndarray

    @property
    def steps(self) -> int:
        return self.inputs.shape[0]

    @property
    def units(self) -> int:
        return self.bias.shape[1]

    @property
    def features(self) -> int:
        return self.inputs.shape[1]


def _blocks(values, units: int) -> np.ndarray:
    """(..., 4·units) → (..., 4, units): Keras' blocks i, f, c, o."""
    values = np.asarray(values, dtype=np.float64)
    return values.reshape(values.shape[:-1] + (4, units))


def _previous(values) -> np.ndarray:
    """The previous row of every step, zeros at t = 0 (h_0 = c_0 = 0)."""
    return np.vstack([np.zeros((1, values.shape[1])), values[:-1]])


def layer_steps(kernel, recurrent_kernel, bias, inputs, *, layer: int = 1, trace=None) -> LayerSteps:
    """Every step of one LSTM layer on `inputs` (steps, features), from its weights (see `gates.lstm_trace`)."""
    inputs = np.asarray(inputs, dtype=np.float64)
    trace = trace if trace is not None else gates.lstm_trace(kernel, recurrent_kernel, bias, inputs)
    units = np.asarray(recurrent_kernel).shape[0]
    previous_hidden = _previous(trace.hidden)
    return LayerSteps(
        layer=layer, inputs=inputs, trace=trace, previous_hidden=previous_hidden, previous_cell=_previous(trace.cell),
        input_part=_blocks(inputs @ np.asarray(kernel, dtype=np.float64), units),
        recurrent_part=_blocks(previous_hidden @ np.asarray(recurrent_kernel, dtype=np.float64), units),
        bias=_blocks(bias, units))


def model_steps(model, inputs) -> list[LayerSteps]:
    """`layer_steps` of every LSTM layer of a stacked model on one input (steps, features), input side first."""
    steps, x = [], np.asarray(inputs, dtype=np.float64)
    for index, (layer, trace) in enumerate(zip(gates.lstm_layers(model), gates.trace_model(model, x)), start=1):
        steps.append(layer_steps(*layer.get_weights(), x, layer=index, trace=trace))
        x = trace.hidden
    return steps


def step_values(steps: LayerSteps, unit: int, t: int) -> dict:
    """What unit `unit` reads, computes and writes at step `t`, as plain floats.

    `x` is the input value when the layer reads one feature, else None
    (`x_norm` and `features` say what it reads); `z_<block>` holds the three
    terms of each pre-activation `(input part, recurrent part, bias)`.
    """
    trace = steps.trace
    values = {
        "t": int(t), "unit": int(unit), "layer": steps.layer, "features": steps.features,
        "x": float(steps.inputs[t, 0]) if steps.features == 1 else None,
        "x_norm": float(np.linalg.norm(steps.inputs[t])),
        "h_previous": float(steps.previous_hidden[t, unit]), "c_previous": float(steps.previous_cell[t, unit]),
        "i": float(trace.input_gate[t, unit]), "f": float(trace.forget_gate[t, unit]),
        "g": float(trace.candidate[t, unit]), "o": float(trace.output_gate[t, unit]),
        "c": float(trace.cell[t, unit]), "h": float(trace.hidden[t, unit]),
    }
    for index, block in enumerate(BLOCKS):
        values[f"z_{block}"] = (float(steps.input_part[t, index, unit]), float(steps.recurrent_part[t, index, unit]),
                                float(steps.bias[index, unit]))
    values["tanh_c"] = float(np.tanh(values["c"]))
    values["kept"] = values["f"] * values["c_previous"]  # f·c_{t-1}: what the forget gate keeps
    values["written"] = values["i"] * values["g"]  # i·g: what the input gate writes
    return values


# -- numbers as the page prints them ----------------------------------------------------------

def number(value: float, digits: int = DIGITS) -> str:
    """`0.934`, `−0.301` (a true minus sign); never `−0.000`."""
    text = f"{value:.{digits}f}"
    if float(text) == 0:
        text = text.lstrip("-")
    return text.replace("-", MINUS)


def factor(value: float, digits: int = DIGITS) -> str:
    """A number inside a product or a sum: negatives in parentheses, `0.118·(−0.301)`."""
    text = number(value, digits)
    return f"({text})" if text.startswith(MINUS) else text


def parse(text: str) -> float:
    """The inverse of `number` (tests read the printed equations back)."""
    return float(text.strip("()").replace(MINUS, "-"))


GATE_LINES = (("i", "i", "σ"), ("f", "f", "σ"), ("g", "c", "tanh"), ("o", "o", "σ"))


def equations(values: dict, digits: int = DIGITS) -> list[str]:
    """The unit's equations at one step with its numbers plugged in, one Plotly-HTML line each.

    The gate lines give z as input part + recurrent part + bias; then the cell and the hidden state.
    """
    n = lambda value: number(value, digits)  # noqa: E731 - local shorthand, read on every line
    f_ = lambda value: factor(value, digits)  # noqa: E731
    lines = []
    for name, block, function in GATE_LINES:
        x_part, h_part, bias = values[f"z_{block}"]
        z = x_part + h_part + bias
        lines.append(f"{name} = {function}({f_(x_part)} + {f_(h_part)} + {f_(bias)}) = {function}({n(z)})"
                     f" = <b>{n(values[name])}</b>")
    lines.append(f"c<sub>t</sub> = f·c<sub>t−1</sub> + i·g = {f_(values['f'])}·{f_(values['c_previous'])}"
                 f" + {f_(values['i'])}·{f_(values['g'])} = <b>{n(values['c'])}</b>")
    lines.append(f"h<sub>t</sub> = o·tanh(c<sub>t</sub>) = {f_(values['o'])}·tanh({n(values['c'])})"
                 f" = {f_(values['o'])}·{f_(values['tanh_c'])} = <b>{n(values['h'])}</b>")
    return lines


# -- why the gradient survives ----------------------------------------------------------------

def forget_products(forget) -> np.ndarray:
    """∏_{j=k+1..T} f_j for every step k (T the last step; 1 at k = T): ∂c_T/∂c_k along the cell-state path.

    `forget` has shape (steps, units) (or (steps,)); so has the result.
    """
    forget = np.asarray(forget, dtype=np.float64)
    # Reversed cumulative product: f_T, f_T·f_{T-1}, ..., f_T···f_1; the empty product (k = T) is 1.
    tail = np.cumprod(forget[:0:-1], axis=0)[::-1]
    return np.concatenate([tail, np.ones_like(forget[:1])], axis=0)


def simple_rnn_states(kernel, recurrent_kernel, bias, inputs) -> np.ndarray:
    """A SimpleRNN's hidden states (steps, units): h_t = tanh(x_t W + h_{t-1} U + b), h_0 = 0."""
    kernel, recurrent_kernel = np.asarray(kernel, np.float64), np.asarray(recurrent_kernel, np.float64)
    projected = np.asarray(inputs, np.float64) @ kernel + np.asarray(bias, np.float64)
    hidden = np.zeros((projected.shape[0], recurrent_kernel.shape[0]))
    h = np.zeros(recurrent_kernel.shape[0])
    for t in range(projected.shape[0]):
        h = np.tanh(projected[t] + h @ recurrent_kernel)
        hidden[t] = h
    return hidden


def simple_rnn_jacobian_norms(recurrent_kernel, hidden, ord=2) -> np.ndarray:
    """‖∂h_T/∂h_k‖ for every step k (1 at k = T), shape (steps,); spectral norm by default (`ord` as numpy's).

    ∂h_j/∂h_{j-1} = diag(1 − h_j²) Uᵀ (row vectors: h_j = tanh(... + h_{j-1} U)); the product runs from
    the last step back, so each k costs one matrix product.
    """
    transposed = np.asarray(recurrent_kernel, np.float64).T
    hidden = np.asarray(hidden, np.float64)
    steps, units = hidden.shape
    product = np.eye(units)
    norms = np.ones(steps)
    for k in range(steps - 2, -1, -1):
        product = product @ ((1.0 - hidden[k + 1] ** 2)[:, None] * transposed)  # · ∂h_{k+1}/∂h_k
        norms[k] = np.linalg.norm(product, ord=ord)
    return norms


def simple_rnn_path(model, inputs) -> np.ndarray:
    """`simple_rnn_jacobian_norms` of the cells experiment's SimpleRNN branch on one input (steps, features)."""
    kernel, recurrent_kernel, bias = model.get_layer(SIMPLE_RNN_LAYER).get_weights()
    return simple_rnn_jacobian_norms(recurrent_kernel, simple_rnn_states(kernel, recurrent_kernel, bias, inputs))


def lstm_paths(forget, unit: int) -> dict:
    """The forget-gate products of one unit, their median over the units, and their largest (the spectral
    norm of the diagonal cell-path Jacobian ∂c_T/∂c_k), each of shape (steps,)."""
    products = forget_products(forget)
    return {"unit": products[:, unit], "median": np.median(products, axis=1), "max": products.max(axis=1)}


def keeping_unit(forget, back: int) -> int:
    """The unit whose forget-gate product `back` steps before the end is the largest: the one that keeps most."""
    return int(np.argmax(forget_products(forget)[-1 - back]))


def cells_forget_gates(model, inputs) -> np.ndarray:
    """The forget gates (steps, units) of the cells experiment's LSTM branch on one input (steps, features)."""
    layer = model.get_layer(LSTM_LAYER)
    gates.check_standard(layer)
    return gates.lstm_trace(*layer.get_weights(), inputs).forget_gate


def steps_before_end(steps: int) -> np.ndarray:
    """x of the gradient-path chart: T − k for k = 0 ... T (the chart reads best from the end backwards)."""
    return np.arange(steps)[::-1]


def simple_rnn_config(config) -> CellsConfig:
    """The cells experiment that gives a SimpleRNN to compare with a damped-sine `config` (a `SineConfig`):
    the sine task, the same wave length, units, training examples, epochs and seed, within this server's
    limits (the cells experiment trains a SimpleRNN, a GRU and an LSTM side by side)."""
    return CellsConfig(task="sine", length=config.length, units=min(config.units, max_units()),
                       train_size=min(config.train_size, max_train_size()), epochs=min(config.epochs, max_epochs()),
                       seed=config.seed)


def lag_config() -> CellsConfig:
    """The cells lesson's default long-lag comparison (a value to keep `lag` steps), within this server's limits:
    a task where remembering is needed, unlike the damped sine."""
    return CellsConfig(units=min(CellsConfig.units, max_units()),
                       train_size=min(CellsConfig.train_size, max_train_size()),
                       epochs=min(CellsConfig.epochs, max_epochs()))
