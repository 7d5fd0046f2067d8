"""The rectangle-consistency error rewards rectangles and punishes lines, points and skew."""

import numpy as np

from lstm_core import data, evaluate
from lstm_core.experiments import SineConfig


def rectangle(w, h):
    return np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=float)


def test_true_rectangles_score_zero():
    drawings = np.stack([rectangle(0.3, 0.7), rectangle(0.9, 0.1), rectangle(0.05, 0.05)])
    np.testing.assert_allclose(evaluate.consistency_errors(drawings), 0.0, atol=1e-12)


def test_each_violation_counts_a_quarter_of_its_size():
    skewed = rectangle(0.5, 0.5)
    skewed[2, 0] += 0.2  # x2 != x1 by 0.2
    assert np.isclose(evaluate.consistency_errors(skewed[None])[0], 0.2 / 4)
    tilted = rectangle(0.5, 0.5)
    tilted[1, 1] = -0.1  # y1 = -0.1
    tilted[3, 0] = 0.3  # x3 = 0.3
    assert np.isclose(evaluate.consistency_errors(tilted[None])[0], (0.1 + 0.3) / 4)


def test_collapsed_drawings_never_look_good():
    line = rectangle(0.6, 0.0)  # all four equalities hold, but it is a line
    point = np.zeros((4, 2))
    thin = rectangle(0.6, 0.025)  # half the minimum side: penalty 0.5
    errors = evaluate.consistency_errors(np.stack([line, point, thin]))
    assert errors[0] >= 1.0 and errors[1] >= 2.0
    assert np.isclose(errors[2], 0.5)


def test_draw_feeds_each_prediction_back():
    calls = []

    def predict(points):
        calls.append(points.copy())
        return points + np.array([0.1, 0.2])

    drawings = evaluate.draw(predict, [[0.0, 0.0], [1.0, 1.0]], steps=3)
    assert drawings.shape == (2, 4, 2)
    np.testing.assert_allclose(drawings[0, 3], [0.3, 0.6], rtol=1e-6)
    np.testing.assert_allclose(calls[1], drawings[:, 1])


def test_a_perfect_oracle_scores_zero_and_a_constant_model_scores_badly():
    height = 0.5

    def oracle(points):
        x, y = points[:, 0], points[:, 1]
        out = np.empty_like(points)
        at_origin = (x == 0) & (y == 0)
        on_base = (y == 0) & ~at_origin
        out[at_origin] = [0.5, 0.0]
        out[on_base] = np.stack([x[on_base], np.full(on_base.sum(), height)], axis=1)
        top = ~at_origin & ~on_base
        out[top] = np.stack([np.zeros(top.sum()), y[top]], axis=1)
        return out

    assert evaluate.rectangle_consistency(oracle) < 1e-9
    assert evaluate.rectangle_consistency(lambda p: np.zeros_like(p) + 0.5) > 0.15
    assert evaluate.rectangle_consistency(lambda p: np.zeros_like(p)) >= 1.0


def test_holdout_is_fixed_and_independent_of_the_training_seed_and_size():
    a = evaluate.sine_holdout(SineConfig(seed=1))
    b = evaluate.sine_holdout(SineConfig(seed=2, train_size=500, epochs=1))
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert a[0].shape == (1000, 50, 1) and a[1].shape == (1000, 5)
    training, _ = data.sine_examples(1000, data.rng(SineConfig().seed))
    assert not np.array_equal(training, a[0])  # never the training waves


def test_holdout_follows_the_wave_family_of_the_configuration():
    inputs, expected = evaluate.sine_holdout(
        SineConfig(length=30, output=3, period_range=(40, 40), decay_range=(0.0, 0.0)), n=10)
    assert inputs.shape == (10, 30, 1) and expected.shape == (10, 3)
    wave = np.concatenate([inputs[0, :, 0], expected[0]])
    assert np.argmax(wave[:25]) == 10  # period 40, no decay: the first peak at a quarter period


def test_mean_absolute_error():
    assert evaluate.mean_absolute_error([0.0, 1.0], [0.5, 0.0]) == 0.75
