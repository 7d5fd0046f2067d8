"""The data generators reproduce the book's formulas and ranges, vectorised and seeded."""

import math

import numpy as np

from lstm_core import data


def book_sequence(length, period, decay):
    """The book's own generate_sequence (chapter 7), a Python list comprehension."""
    return [0.5 + 0.5 * math.sin(2 * math.pi * i / period) * math.exp(-decay * i) for i in range(length)]


def test_damped_sine_matches_the_book_formula():
    for period, decay in [(10, 0.01), (17, 0.05), (20, 0.1), (7.5, 0.3)]:
        np.testing.assert_allclose(data.damped_sine(55, period, decay), book_sequence(55, period, decay), atol=1e-12)


def test_damped_sine_is_vectorised_one_wave_per_row():
    waves = data.damped_sine(30, np.array([10, 15]), np.array([0.02, 0.08]))
    assert waves.shape == (2, 30)
    np.testing.assert_allclose(waves[1], book_sequence(30, 15, 0.08), atol=1e-12)


def test_sine_examples_shapes_ranges_and_split():
    rng = np.random.default_rng(0)
    x, y = data.sine_examples(2_000, rng, length=50, output=5)
    assert x.shape == (2_000, 50, 1) and y.shape == (2_000, 5)
    assert x.dtype == np.float32 and y.dtype == np.float32
    assert x.min() >= 0.0 and x.max() <= 1.0
    # Recover each example's period/decay by search and check the ranges and the split point.
    for row in range(5):
        wave = np.concatenate([x[row, :, 0], y[row]])
        best = min(((p, d) for p in range(10, 21) for d in np.linspace(0.01, 0.1, 901)),
                   key=lambda pd: np.abs(data.damped_sine(55, *pd) - wave).max())
        assert np.abs(data.damped_sine(55, *best) - wave).max() < 1e-3


def test_sine_periods_are_integers_covering_both_ends():
    rng = np.random.default_rng(1)
    periods = rng.integers(10, 21, size=5000)
    assert set(np.unique(periods)) == set(range(10, 21))
    # The generator must draw the same way: same seed, same data.
    a = data.sine_examples(50, np.random.default_rng(7))
    b = data.sine_examples(50, np.random.default_rng(7))
    c = data.sine_examples(50, np.random.default_rng(8))
    d = data.sine_examples(50, data.rng(7))  # a configuration's generator: seeded by its seed alone
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[0], d[0])
    assert not np.array_equal(a[0], c[0])


def test_sine_examples_respect_custom_ranges():
    x, _ = data.sine_examples(500, np.random.default_rng(2), length=40, output=3,
                              period_range=(30, 30), decay_range=(0.0, 0.0))
    np.testing.assert_allclose(x[0, :, 0], book_sequence(40, 30, 0.0), atol=1e-6)
    np.testing.assert_allclose(x[0], x[499], atol=1e-6)


def test_rectangles_are_clockwise_from_the_origin():
    corners = data.random_rectangles(1_000, np.random.default_rng(3))
    assert corners.shape == (1_000, 4, 2)
    width, height = corners[:, 1, 0], corners[:, 2, 1]
    assert (width >= 0).all() and (width < 1).all() and (height >= 0).all() and (height < 1).all()
    np.testing.assert_array_equal(corners[:, 0], 0.0)
    np.testing.assert_array_equal(corners[:, 1, 1], 0.0)
    np.testing.assert_array_equal(corners[:, 2, 0], width)
    np.testing.assert_array_equal(corners[:, 3], np.stack([np.zeros(1000), height], axis=1))


def test_sine_example_is_one_wave_split_at_its_length():
    inputs, expected = data.sine_example(15, 0.05, length=40, output=7)
    assert inputs.shape == (40,) and expected.shape == (7,)
    np.testing.assert_allclose(np.concatenate([inputs, expected]), book_sequence(47, 15, 0.05), atol=1e-6)


def test_rectangle_pairs_are_the_book_one_to_one_pairs_in_order():
    corners = data.random_rectangles(4, np.random.default_rng(4))
    x, y = data.rectangle_pairs(corners)
    assert x.shape == (12, 1, 2) and y.shape == (12, 2)
    for r in range(4):
        for k in range(3):
            np.testing.assert_allclose(x[3 * r + k, 0], corners[r, k], rtol=1e-6)
            np.testing.assert_allclose(y[3 * r + k], corners[r, k + 1], rtol=1e-6)
