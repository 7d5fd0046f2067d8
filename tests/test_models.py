"""The Keras models have the book's shapes and parameter counts, for every depth and width."""

import numpy as np
import pytest

from lstm_core import models
from lstm_core.config import RectangleConfig, SineConfig


def test_book_sine_model_counts_5145_parameters_layer_by_layer():
    model = models.build_sine_model(SineConfig())
    table = models.layer_table(model)
    assert [row["parameters"] for row in table] == [1_760, 3_280, 105]
    assert model.count_params() == 5_145
    assert table[0]["output_shape"] == (None, 50, 20)  # return_sequences=True on the first layer
    assert table[1]["output_shape"] == (None, 20)
    assert tuple(model.input_shape) == (None, 50, 1) and tuple(model.output_shape) == (None, 5)


def test_book_rectangle_model_counts_542_parameters():
    model = models.build_rectangle_model(RectangleConfig())
    assert [row["parameters"] for row in models.layer_table(model)] == [520, 22]
    assert tuple(model.input_shape) == (None, 1, 2) and tuple(model.output_shape) == (None, 2)


@pytest.mark.parametrize("units, depth", [(1, 1), (7, 3), (16, 4), (64, 2)])
def test_stacked_model_matches_the_lstm_formula_and_the_formula_table(units, depth):
    config = SineConfig(units=units, depth=depth)
    model = models.build_sine_model(config)
    built = models.layer_table(model)
    expected = models.expected_layers(config)
    assert [r["parameters"] for r in built] == [r["parameters"] for r in expected]
    assert [tuple(r["output_shape"]) for r in built] == [tuple(r["output_shape"]) for r in expected]
    formula = 4 * units * (1 + units + 1) + (depth - 1) * 4 * units * (2 * units + 1) + units * 5 + 5
    assert model.count_params() == formula
    # Every layer but the last returns sequences.
    flags = [layer.return_sequences for layer in model.layers[:-1]]
    assert flags == [True] * (depth - 1) + [False]


def test_rectangle_formula_table_matches_keras_for_other_widths():
    for units in (1, 5, 33):
        config = RectangleConfig(units=units)
        built = models.layer_table(models.build_rectangle_model(config))
        assert [r["parameters"] for r in built] == [r["parameters"] for r in models.expected_layers(config)]


def test_initial_weights_are_seeded_per_model():
    a = models.build_sine_model(SineConfig(units=3, seed=5)).get_weights()
    b = models.build_sine_model(SineConfig(units=3, seed=5)).get_weights()
    c = models.build_sine_model(SineConfig(units=3, seed=6)).get_weights()
    for left, right in zip(a, b):
        np.testing.assert_array_equal(left, right)
    assert any(not np.array_equal(left, right) for left, right in zip(a, c))
    # Layers do not share a seed: the two LSTM kernels differ in their common block.
    assert not np.allclose(a[0][0, :3], a[3][0, :3])
