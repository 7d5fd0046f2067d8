"""
The Keras models of the two book experiments.

Chapter 7 stacks LSTM layers: every layer but the last returns its whole
sequence (`return_sequences=True`) so the next LSTM gets a 3D input, and the
last returns only its final hidden state, which a Dense layer maps to the 5
predicted values. Chapter 11 draws rectangles with one LSTM layer over a
single time step and a linear Dense layer that outputs the next corner.

Every initialiser is given its own seed, derived from the configuration's
seed, instead of calling `keras.utils.set_random_seed`: that function is
process-wide, and two students training at once would disturb each other.

The parameter formulas need no TensorFlow and are used to check the models:
an LSTM layer with `i` inputs and `u` units has 4·u·(i + u + 1) parameters
(four gates, each with input weights, recurrent weights and a bias).
"""

from __future__ import annotations

from .backend import keras as _keras
from .config import RectangleConfig, SineConfig


def lstm_parameters(inputs: int, units: int) -> int:
    """Parameters of one LSTM layer: 4 gates × (input weights + recurrent weights + bias)."""
    return 4 * units * (inputs + units + 1)


def dense_parameters(inputs: int, outputs: int) -> int:
    return inputs * outputs + outputs


def expected_layers(config) -> list[dict]:
    """The layer table computed from the formulas alone (no TensorFlow needed)."""
    if isinstance(config, SineConfig):
        rows, inputs = [], 1
        for index in range(config.depth):
            last = index == config.depth - 1
            shape = (None, config.units) if last else (None, config.length, config.units)
            rows.append({"layer": f"lstm_{index + 1}", "output_shape": shape,
                         "parameters": lstm_parameters(inputs, config.units)})
            inputs = config.units
        rows.append({"layer": "dense", "output_shape": (None, config.output),
                     "parameters": dense_parameters(config.units, config.output)})
        return rows
    if isinstance(config, RectangleConfig):
        return [
            {"layer": "lstm_1", "output_shape": (None, config.units), "parameters": lstm_parameters(2, config.units)},
            {"layer": "dense", "output_shape": (None, 2), "parameters": dense_parameters(config.units, 2)},
        ]
    raise TypeError(f"unknown configuration {config!r}")


def layer_seeds(seed: int, index: int) -> tuple[int, int]:
    """The (kernel, recurrent) initialiser seeds of LSTM layer `index` for a configuration seed."""
    base = (seed * 1_000_003 + index * 7919) % (2**31 - 1)
    return base, base + 1


def dense_seed(seed: int) -> int:
    """The kernel initialiser seed of the output Dense layer."""
    return (seed * 1_000_003 + 104_729) % (2**31 - 1)


def _seeded(seed: int, index: int) -> dict:
    """Initialisers for LSTM layer `index`, each with a seed of its own."""
    keras = _keras()
    kernel, recurrent = layer_seeds(seed, index)
    return {
        "kernel_initializer": keras.initializers.GlorotUniform(seed=kernel),
        "recurrent_initializer": keras.initializers.Orthogonal(seed=recurrent),
    }


def build_sine_model(config: SineConfig):
    """`depth` stacked LSTM layers of `units`, then Dense(`output`): (length, 1) → output."""
    keras = _keras()
    layers = keras.layers
    model = keras.Sequential(name="stacked_lstm")
    model.add(keras.Input(shape=(config.length, 1)))
    for index in range(config.depth):
        model.add(
            layers.LSTM(
                config.units,
                return_sequences=index < config.depth - 1,
                name=f"lstm_{index + 1}",
                **_seeded(config.seed, index),
            )
        )
    model.add(
        layers.Dense(
            config.output,
            name="dense",
            kernel_initializer=keras.initializers.GlorotUniform(seed=dense_seed(config.seed)),
        )
    )
    return model


def build_rectangle_model(config: RectangleConfig):
    """LSTM(`units`) over one time step of 2 features, then a linear Dense(2): (1, 2) → 2."""
    keras = _keras()
    layers = keras.layers
    model = keras.Sequential(name="rectangle_lstm")
    model.add(keras.Input(shape=(1, 2)))
    model.add(layers.LSTM(config.units, name="lstm_1", **_seeded(config.seed, 0)))
    model.add(
        layers.Dense(
            2,
            activation="linear",
            name="dense",
            kernel_initializer=keras.initializers.GlorotUniform(seed=dense_seed(config.seed)),
        )
    )
    return model


def build_model(config):
    if isinstance(config, SineConfig):
        return build_sine_model(config)
    if isinstance(config, RectangleConfig):
        return build_rectangle_model(config)
    raise TypeError(f"unknown configuration {config!r}")


def layer_table(model) -> list[dict]:
    """One row per layer of a built Keras model: name, output shape, parameter count."""
    rows = []
    for layer in model.layers:
        shape = tuple(layer.output.shape) if hasattr(layer, "output") else None
        rows.append({"layer": layer.name, "output_shape": shape, "parameters": int(layer.count_params())})
    return rows
