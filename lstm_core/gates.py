"""
Inside the LSTM cell: the gates and states of a trained model, computed by
hand from its weights.

A Keras LSTM layer keeps three weight arrays: `kernel` (inputs × 4·units),
`recurrent_kernel` (units × 4·units) and `bias` (4·units), each holding the
four blocks in Keras' order **i, f, c, o**. At each time step t, with input
x_t and the previous hidden state h_{t-1} and cell state c_{t-1}:

    z   = x_t · kernel + h_{t-1} · recurrent_kernel + bias, split in 4 blocks
    i_t = sigmoid(z_i)            input gate: how much of the candidate to write
    f_t = sigmoid(z_f)            forget gate: how much of the old cell to keep
    g_t = tanh(z_c)               candidate values
    o_t = sigmoid(z_o)            output gate: how much of the cell to show
    c_t = f_t * c_{t-1} + i_t * g_t
    h_t = o_t * tanh(c_t)

starting from h_0 = c_0 = 0. A stacked model feeds each layer's hidden
states to the next. `trace_model` runs these equations in numpy, layer by
layer, and `keras_hidden_states` asks Keras for the same hidden states, so
a test can check that the equations are exactly what Keras computes.

`unit_tracking` helps find a unit worth looking at: it correlates each
unit's cell state with the wave itself (the phase) and with its envelope,
exp(-decay · t) (the decay).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .engine.backend import keras as _keras

GATES = ("input_gate", "forget_gate", "candidate", "output_gate", "cell", "hidden")
TITLES = {
    "input_gate": "input gate i",
    "forget_gate": "forget gate f",
    "candidate": "candidate g",
    "output_gate": "output gate o",
    "cell": "cell state c",
    "hidden": "hidden state h",
}


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


@dataclass
class LayerTrace:
    """Every gate and state of one LSTM layer: arrays of shape (steps, units), or (n, steps, units)."""

    input_gate: np.ndarray
    forget_gate: np.ndarray
    candidate: np.ndarray
    output_gate: np.ndarray
    cell: np.ndarray
    hidden: np.ndarray

    def get(self, name: str) -> np.ndarray:
        return getattr(self, name)


def lstm_trace(kernel, recurrent_kernel, bias, inputs) -> LayerTrace:
    """Run the LSTM equations over `inputs` of shape (steps, features) or (n, steps, features)."""
    kernel = np.asarray(kernel, dtype=np.float64)
    recurrent_kernel = np.asarray(recurrent_kernel, dtype=np.float64)
    bias = np.asarray(bias, dtype=np.float64)
    x = np.asarray(inputs, dtype=np.float64)
    single = x.ndim == 2
    if single:
        x = x[None]
    n, steps, _ = x.shape
    units = recurrent_kernel.shape[0]
    h = np.zeros((n, units))
    c = np.zeros((n, units))
    records = {name: np.zeros((n, steps, units)) for name in GATES}
    projected = x @ kernel + bias  # the input part of z for every step at once
    for t in range(steps):
        z = projected[:, t] + h @ recurrent_kernel
        z_i, z_f, z_c, z_o = np.split(z, 4, axis=1)
        i, f, g, o = sigmoid(z_i), sigmoid(z_f), np.tanh(z_c), sigmoid(z_o)
        c = f * c + i * g
        h = o * np.tanh(c)
        for name, value in zip(GATES, (i, f, g, o, c, h)):
            records[name][:, t] = value
    if single:
        records = {name: value[0] for name, value in records.items()}
    return LayerTrace(**records)


def lstm_layers(model) -> list:
    """The LSTM layers of a model, input side first."""
    keras = _keras()
    return [layer for layer in model.layers if isinstance(layer, keras.layers.LSTM)]


def check_standard(layer) -> None:
    """The equations above assume Keras' defaults: tanh, sigmoid, a bias, no dropout."""
    cell = layer.cell
    if (getattr(cell.activation, "__name__", "") != "tanh"
            or getattr(cell.recurrent_activation, "__name__", "") != "sigmoid"
            or not cell.use_bias or layer.go_backwards):
        raise ValueError(f"layer {layer.name} is not a standard LSTM (tanh, sigmoid, bias, forwards)")


def trace_model(model, inputs) -> list[LayerTrace]:
    """The trace of every LSTM layer of a stacked model for `inputs` (steps, features) or (n, steps, features)."""
    traces, x = [], np.asarray(inputs, dtype=np.float64)
    for layer in lstm_layers(model):
        check_standard(layer)
        kernel, recurrent_kernel, bias = layer.get_weights()
        trace = lstm_trace(kernel, recurrent_kernel, bias, x)
        traces.append(trace)
        x = trace.hidden
    return traces


def keras_hidden_states(model, inputs) -> list[np.ndarray]:
    """Keras' own hidden states of every LSTM layer at every step, shape (n, steps, units) each.

    Each layer is rebuilt with `return_sequences=True` and the trained
    weights, and run on the previous layer's Keras output; a layer that
    returns sequences in the model itself is also read from the model.
    """
    keras = _keras()
    x = np.asarray(inputs, dtype=np.float32)
    if x.ndim == 2:
        x = x[None]
    states = []
    for layer in lstm_layers(model):
        twin = keras.layers.LSTM.from_config({**layer.get_config(), "return_sequences": True, "name": f"{layer.name}_twin"})
        twin.build(x.shape)
        twin.set_weights(layer.get_weights())
        x = np.asarray(twin(x))
        states.append(x)
    return states


def unit_tracking(cell, wave, envelope) -> dict:
    """Correlation of each unit's cell state (steps, units) with the wave and with its envelope.

    Returns `{"phase": (units,), "decay": (units,)}`; a unit whose cell state
    is constant gets 0.
    """
    cell = np.asarray(cell, dtype=np.float64)
    result = {}
    for name, signal in (("phase", wave), ("decay", envelope)):
        signal = np.asarray(signal, dtype=np.float64)
        s = signal - signal.mean()
        centred = cell - cell.mean(axis=0)
        denominator = np.sqrt((centred ** 2).sum(axis=0) * (s ** 2).sum())
        with np.errstate(invalid="ignore", divide="ignore"):
            result[name] = np.where(denominator > 0, (centred * s[:, None]).sum(axis=0) / denominator, 0.0)
    return result


def envelope(length: int, decay: float) -> np.ndarray:
    """The damped sine's envelope exp(-decay · t), t = 0 ... length - 1."""
    return np.exp(-decay * np.arange(length, dtype=np.float64))


def interesting_units(tracking: dict) -> dict:
    """The unit that best follows the phase and the one that best follows the decay (by |correlation|)."""
    phase = int(np.argmax(np.abs(tracking["phase"])))
    decay = int(np.argmax(np.abs(tracking["decay"])))
    return {"phase": phase, "decay": decay}
