"""
Parameter formulas, so a layer table needs no TensorFlow and checks the models.

An LSTM layer with `i` inputs and `u` units has 4·u·(i + u + 1) parameters:
four gates, each with input weights, recurrent weights and a bias. A GRU has
three gates and, with Keras' default `reset_after=True`, two bias vectors:
3·u·(i + u + 2). A SimpleRNN has one: u·(i + u + 1).
"""

from __future__ import annotations

CELLS = ("SimpleRNN", "GRU", "LSTM")


def lstm_parameters(inputs: int, units: int) -> int:
    return 4 * units * (inputs + units + 1)


def dense_parameters(inputs: int, outputs: int) -> int:
    return inputs * outputs + outputs


def cell_parameters(cell: str, inputs: int, units: int) -> int:
    """Parameters of one recurrent layer of `cell` (see the module docstring)."""
    if cell == "SimpleRNN":
        return units * (inputs + units + 1)
    if cell == "GRU":
        return 3 * units * (inputs + units + 2)
    if cell == "LSTM":
        return lstm_parameters(inputs, units)
    raise ValueError(f"cell must be one of {', '.join(CELLS)} (got {cell!r})")


def stacked_rows(*, inputs: int, units: int, depth: int, length: int, outputs: int,
                 sequences_out: bool = False) -> list[dict]:
    """The layer table of `depth` stacked LSTM layers then a Dense(`outputs`).

    Every layer but the last returns its whole sequence; with `sequences_out` the last does too (and the
    Dense is applied at every step).
    """
    rows = []
    for level in range(depth):
        sequences = sequences_out or level < depth - 1
        shape = (None, length, units) if sequences else (None, units)
        rows.append({"layer": f"lstm_{level + 1}", "output_shape": shape,
                     "parameters": lstm_parameters(inputs, units)})
        inputs = units
    shape = (None, length, outputs) if sequences_out else (None, outputs)
    rows.append({"layer": "dense", "output_shape": shape, "parameters": dense_parameters(units, outputs)})
    return rows


def layer_table(model) -> list[dict]:
    """One row per layer of a built Keras model (input layers left out): name, output shape, parameters."""
    return [{"layer": layer.name, "output_shape": tuple(layer.output.shape), "parameters": int(layer.count_params())}
            for layer in model.layers if type(layer).__name__ != "InputLayer"]
