"""
Inside the GRU: its update and reset gates, computed by hand from a trained
layer's weights, to be set beside the LSTM's (`gates.py`).

A Keras GRU layer keeps `kernel` (inputs × 3·units), `recurrent_kernel`
(units × 3·units) and `bias`, each holding three blocks in Keras' order
**z, r, h** (update gate, reset gate, candidate). With Keras 3's default
`reset_after=True` the bias is two rows, (2, 3·units): `b` for the inputs and
`b'` for the recurrent part. At each time step t, with input x_t and the
previous hidden state h_{t-1}:

    z_t = sigmoid(x_t W_z + b_z + h_{t-1} U_z + b'_z)        update gate
    r_t = sigmoid(x_t W_r + b_r + h_{t-1} U_r + b'_r)        reset gate
    g_t = tanh(x_t W_h + b_h + r_t * (h_{t-1} U_h + b'_h))   candidate
    h_t = z_t * h_{t-1} + (1 - z_t) * g_t

starting from h_0 = 0. With `reset_after=False` the bias is one row
(3·units) and the reset gate acts before the product:
g_t = tanh(x_t W_h + b_h + (r_t * h_{t-1}) U_h).

In Keras, z_t near 1 *keeps* the old state and lets nothing new in, as an
LSTM's forget gate near 1 with its input gate near 0 does; the course notes
write the update gate the other way round (Γu = 1 − z_t: near 1, write the
candidate). `gru_trace` runs these equations in numpy and `keras_hidden_states`
asks Keras for the same hidden states, so a test can check the equations are
exactly what Keras computes (as `gates.py` does for the LSTM).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import gates

GATES = ("update_gate", "reset_gate", "candidate", "hidden")
GRU_LAYER = "GRU_layer"  # the GRU and LSTM branches of the cells experiment (`experiments.cells.build`)
LSTM_LAYER = "LSTM_layer"


@dataclass
class GRUTrace:
    """Every gate and state of one GRU layer: arrays of shape (steps, units), or (n, steps, units)."""

    update_gate: np.ndarray
    reset_gate: np.ndarray
    candidate: np.ndarray
    hidden: np.ndarray

    def get(self, name: str) -> np.ndarray:
        return getattr(self, name)


def gru_trace(kernel, recurrent_kernel, bias, inputs, *, reset_after: bool = True) -> GRUTrace:
    """Run the GRU equations over `inputs` of shape (steps, features) or (n, steps, features)."""
    kernel = np.asarray(kernel, dtype=np.float64)
    recurrent_kernel = np.asarray(recurrent_kernel, dtype=np.float64)
    bias = np.asarray(bias, dtype=np.float64)
    if reset_after:
        input_bias, recurrent_bias = bias[0], bias[1]
    else:
        input_bias, recurrent_bias = bias, np.zeros_like(bias)
    x = np.asarray(inputs, dtype=np.float64)
    single = x.ndim == 2
    if single:
        x = x[None]
    n, steps, _ = x.shape
    units = recurrent_kernel.shape[0]
    h = np.zeros((n, units))
    records = {name: np.zeros((n, steps, units)) for name in GATES}
    projected = x @ kernel + input_bias  # the input part of every block, for every step at once
    for t in range(steps):
        x_z, x_r, x_h = np.split(projected[:, t], 3, axis=1)
        if reset_after:
            h_z, h_r, h_h = np.split(h @ recurrent_kernel + recurrent_bias, 3, axis=1)
            z, r = gates.sigmoid(x_z + h_z), gates.sigmoid(x_r + h_r)
            g = np.tanh(x_h + r * h_h)
        else:
            h_z, h_r = np.split(h @ recurrent_kernel[:, :2 * units], 2, axis=1)
            z, r = gates.sigmoid(x_z + h_z), gates.sigmoid(x_r + h_r)
            g = np.tanh(x_h + (r * h) @ recurrent_kernel[:, 2 * units:])
        h = z * h + (1.0 - z) * g
        for name, value in zip(GATES, (z, r, g, h)):
            records[name][:, t] = value
    if single:
        records = {name: value[0] for name, value in records.items()}
    return GRUTrace(**records)


def check_standard(layer) -> None:
    """The equations above assume Keras' defaults: tanh, sigmoid, a bias, forwards."""
    cell = layer.cell
    if (getattr(cell.activation, "__name__", "") != "tanh"
            or getattr(cell.recurrent_activation, "__name__", "") != "sigmoid"
            or not cell.use_bias or layer.go_backwards):
        raise ValueError(f"layer {layer.name} is not a standard GRU (tanh, sigmoid, bias, forwards)")


def trace_layer(layer, inputs) -> GRUTrace:
    """The trace of one Keras GRU layer (either `reset_after`) for `inputs` (steps, features) or (n, ...)."""
    check_standard(layer)
    kernel, recurrent_kernel, bias = layer.get_weights()
    return gru_trace(kernel, recurrent_kernel, bias, inputs, reset_after=layer.cell.reset_after)


def keras_hidden_states(layer, inputs) -> np.ndarray:
    """Keras' own hidden states of a recurrent layer (a GRU, or an LSTM) at every step, shape (n, steps, units):
    the layer rebuilt with `return_sequences=True` and its weights, run on `inputs` (steps, features) or (n, ...)."""
    x = np.asarray(inputs, dtype=np.float32)
    if x.ndim == 2:
        x = x[None]
    twin = type(layer).from_config({**layer.get_config(), "return_sequences": True, "name": f"{layer.name}_twin"})
    twin.build(x.shape)
    twin.set_weights(layer.get_weights())
    return np.asarray(twin(x))


@dataclass
class CellGates:
    """The trained GRU's and LSTM's gates on one sequence (steps, units), and how far the hidden states the
    equations give are from Keras' own (`difference`, the largest absolute difference of either cell)."""

    gru: GRUTrace
    lstm: gates.LayerTrace
    difference: float


def cells_gates(model, inputs) -> CellGates:
    """The gates of the cells experiment's GRU and LSTM branches on one input (steps, features)."""
    gru_layer, lstm_layer = model.get_layer(GRU_LAYER), model.get_layer(LSTM_LAYER)
    gru = trace_layer(gru_layer, inputs)
    gates.check_standard(lstm_layer)
    lstm = gates.lstm_trace(*lstm_layer.get_weights(), inputs)
    difference = max(float(np.abs(trace.hidden - keras_hidden_states(layer, inputs)[0]).max())
                     for trace, layer in ((gru, gru_layer), (lstm, lstm_layer)))
    return CellGates(gru=gru, lstm=lstm, difference=difference)
