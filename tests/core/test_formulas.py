"""experiments/formulas: parameter counts without TensorFlow, checked against Keras' own layers."""

import pytest

from lstm_core.engine.backend import keras
from lstm_core.experiments import formulas
from lstm_core.experiments.formulas import CELLS


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("inputs, units", [(3, 5), (1, 1), (2, 16)])
def test_cell_formulas_match_keras(cell, inputs, units):
    layer = getattr(keras().layers, cell)(units)
    layer.build((None, 7, inputs))
    assert layer.count_params() == formulas.cell_parameters(cell, inputs, units)


def test_lstm_and_dense_formulas_match_keras():
    lstm, dense = keras().layers.LSTM(6), keras().layers.Dense(4)
    lstm.build((None, 10, 3))
    dense.build((None, 6))
    assert lstm.count_params() == formulas.lstm_parameters(3, 6) == formulas.cell_parameters("LSTM", 3, 6)
    assert dense.count_params() == formulas.dense_parameters(6, 4)


def test_an_unknown_cell_is_refused():
    with pytest.raises(ValueError, match="SimpleRNN, GRU, LSTM"):
        formulas.cell_parameters("Transformer", 1, 1)


def test_stacked_rows_feed_each_layer_the_one_before_and_return_sequences_but_the_last():
    rows = formulas.stacked_rows(inputs=2, units=3, depth=3, length=9, outputs=4)
    assert [row["layer"] for row in rows] == ["lstm_1", "lstm_2", "lstm_3", "dense"]
    assert [row["output_shape"] for row in rows] == [(None, 9, 3), (None, 9, 3), (None, 3), (None, 4)]
    assert [row["parameters"] for row in rows] == [formulas.lstm_parameters(2, 3), formulas.lstm_parameters(3, 3),
                                                   formulas.lstm_parameters(3, 3), formulas.dense_parameters(3, 4)]
    every_step = formulas.stacked_rows(inputs=1, units=3, depth=1, length=9, outputs=4, sequences_out=True)
    assert [row["output_shape"] for row in every_step] == [(None, 9, 3), (None, 9, 4)]


def test_layer_table_leaves_the_input_out():
    k = keras()
    model = k.Sequential([k.Input((5, 2)), k.layers.LSTM(3, name="a"), k.layers.Dense(1, name="b")])
    assert formulas.layer_table(model) == [
        {"layer": "a", "output_shape": (None, 3), "parameters": formulas.lstm_parameters(2, 3)},
        {"layer": "b", "output_shape": (None, 1), "parameters": 4}]
