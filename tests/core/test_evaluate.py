"""The rectangle-consistency error rewards rectangles and punishes lines, points and skew; a collapsed drawing never
beats a four-sided one, whether it is drawn from [0, 0] or completed, and the completions cannot dilute it."""

import numpy as np
import pytest

from lstm_core import data, evaluate
from lstm_core.experiments import SineConfig


def rectangle(w, h):
    return np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=float)


def model(free, completed):
    """A model's drawings as `rectangle_scores` reads them: the one from [0, 0], then the completions."""
    return np.concatenate([np.asarray(free, float)[None], np.asarray(completed, float)])


def perfect_completions(widths=evaluate.EVALUATION_WIDTHS, height=0.5):
    return np.stack([rectangle(w, height) for w in widths])


def test_true_rectangles_score_zero():
    drawings = np.stack([rectangle(0.3, 0.7), rectangle(0.9, 0.1), rectangle(0.05, 0.05)])
    np.testing.assert_allclose(evaluate.consistency_errors(drawings), 0.0, atol=1e-12)


def test_each_violation_counts_a_quarter_of_its_size_and_at_most_a_quarter():
    skewed = rectangle(0.5, 0.5)
    skewed[2, 0] += 0.2  # x2 != x1 by 0.2
    assert np.isclose(evaluate.consistency_errors(skewed[None])[0], 0.2 / 4)
    tilted = rectangle(0.5, 0.5)
    tilted[1, 1] = -0.1  # y1 = -0.1
    tilted[3, 0] = 0.3  # x3 = 0.3
    assert np.isclose(evaluate.consistency_errors(tilted[None])[0], (0.1 + 0.3) / 4)
    wild = rectangle(0.5, 0.5)
    wild[3, 0] = 7.0  # x3 = 7: counted as 1, as far off as the square the rectangles live in
    assert np.isclose(evaluate.consistency_errors(wild[None])[0], 1 / 4)


def test_thickness_is_the_shorter_side_of_a_rectangle_and_zero_on_a_line():
    assert np.isclose(evaluate.thickness(rectangle(0.8, 0.3)[None])[0], 0.3)
    assert np.isclose(evaluate.thickness(rectangle(0.2, 0.9)[None])[0], 0.2)
    on_a_line = np.array([[0, 0], [0.1, 0.3], [0.2, 0.6], [0.15, 0.45]])
    assert evaluate.thickness(on_a_line[None])[0] < 1e-12


def test_collapsed_drawings_never_look_good():
    line = rectangle(0.6, 0.0)  # all four equalities hold, but it is a line
    point = np.zeros((4, 2))
    thin = rectangle(0.6, 0.025)  # half the minimum side: penalty 0.5
    bunched = np.array([[0, 0], [0.19, 0.08], [0.19, 0.08], [0.19, 0.08]])  # three corners on one point
    diagonal = np.array([[0, 0], [0.2, 0.2], [0.4, 0.4], [0.6, 0.6]])  # four corners on one line
    errors = evaluate.consistency_errors(np.stack([line, point, thin, bunched, diagonal]))
    assert errors[0] >= 1.0 and errors[1] >= 1.0 and errors[3] >= 1.0 and errors[4] >= 1.0
    assert np.isclose(errors[2], 0.5)


def test_scores_are_the_free_drawing_the_completions_and_the_worse_of_the_two():
    free = rectangle(0.5, 0.5)
    free[3, 0] = 0.2  # violation 0.05
    completed = perfect_completions()
    completed[0, 2, 0] += 0.4  # one completion off by 0.1
    scores = evaluate.rectangle_scores(model(free, completed))
    assert np.isclose(scores["free"], 0.05)
    assert np.isclose(scores["completions"], 0.1 / len(completed))
    assert scores["consistency"] == max(scores["free"], scores["completions"])
    collapsed = completed.copy()
    collapsed[1] = rectangle(collapsed[1, 1, 0], 0.0)  # one completion collapses: its penalty is not averaged
    assert evaluate.rectangle_scores(model(free, collapsed))["completions"] >= 1.0


def test_the_issues_collapse_no_longer_beats_a_skewed_four_sided_drawing():
    """The case that made this metric: a free drawing collapsed to a point next to good completions scored 0.115
    under the old mean, better than skewed but four-sided drawings everywhere (0.230)."""
    collapsed = np.array([[0, 0], [0.14, 0.07], [0.13, 0.07], [0.13, 0.07]])
    skewed = rectangle(0.5, 0.5) + np.array([[0, 0], [0, 0.15], [0.2, 0], [0.25, 0.1]])
    skewed_completions = perfect_completions() + np.array([[0, 0], [0, 0], [0.2, 0], [0.25, 0.2]])
    bad = evaluate.rectangle_scores(model(collapsed, perfect_completions()))
    good = evaluate.rectangle_scores(model(skewed, skewed_completions))
    assert good["consistency"] < 1.0 <= bad["consistency"]


def random_quadrilaterals(rng, n):
    """Drawings from the origin whose three corners are random, anywhere around the unit square, and whose
    smallest size is at least MIN_SIDE: four-sided, however skewed."""
    found = []
    while len(found) < n:
        drawings = np.concatenate([np.zeros((4 * n, 1, 2)), rng.uniform(-1.0, 2.5, (4 * n, 3, 2))], axis=1)
        found.extend(drawings[evaluate.smallest_size(drawings) >= evaluate.MIN_SIDE])
    return np.asarray(found[:n])


def random_collapses(rng, n, first=None):
    """Drawings from the origin that collapse: all four points on one line, or two corners on one point. With
    `first` (a given first corner [w, 0]), drawings that start from it: on the x axis, or a corner repeated."""
    if first is None:
        direction = rng.normal(size=(n, 1, 2))
        on_line = np.concatenate([np.zeros((n, 1, 2)), rng.uniform(-1.5, 1.5, (n, 3, 1)) * direction], axis=1)
        corners = rng.uniform(-0.5, 1.5, (n, 3, 2))
    else:
        xs = rng.uniform(-1.5, 1.5, (n, 2, 1))
        on_line = np.concatenate([np.zeros((n, 1, 2)), np.tile(first, (n, 1, 1)),
                                  np.concatenate([xs, np.zeros_like(xs)], axis=2)], axis=1)
        corners = np.concatenate([np.tile(first, (n, 1, 1)), rng.uniform(-0.5, 1.5, (n, 2, 2))], axis=1)
    repeated = rng.integers(1, 3, n)  # corner k+1 repeats corner k
    for index, k in enumerate(repeated):
        corners[index, k] = corners[index, k - 1]
    bunched = np.concatenate([np.zeros((n, 1, 2)), corners], axis=1)
    return np.where(rng.random((n, 1, 1)) < 0.5, on_line, bunched)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_collapse_never_beats_a_quadrilateral(seed):
    """Property: over many random models, one collapsed drawing (from [0, 0] or among the completions, the others
    perfect) always scores at least as badly as any model whose drawings are all random quadrilaterals."""
    rng = np.random.default_rng(seed)
    widths = evaluate.EVALUATION_WIDTHS
    n = 300
    quadrilateral_models = random_quadrilaterals(rng, n * (1 + len(widths))).reshape(n, 1 + len(widths), 4, 2)
    assert (evaluate.consistency_errors(quadrilateral_models.reshape(-1, 4, 2)) <= 1.0).all()
    worst_quadrilateral = max(evaluate.rectangle_scores(m)["consistency"] for m in quadrilateral_models)
    assert worst_quadrilateral > 0.3  # some of them are badly skewed: the property is not won on easy cases
    for position in range(1 + len(widths)):  # the free drawing, then each completion
        first = None if position == 0 else np.array([[widths[position - 1], 0.0]])
        collapses = random_collapses(rng, n, first)
        assert (evaluate.consistency_errors(collapses) >= 1.0).all()
        for collapse in collapses:
            drawings = model(rectangle(0.5, 0.5), perfect_completions())
            drawings[position] = collapse
            assert evaluate.rectangle_scores(drawings)["consistency"] >= worst_quadrilateral


def test_draw_feeds_each_prediction_back():
    calls = []

    def predict(points):
        calls.append(points.copy())
        return points + np.array([0.1, 0.2])

    drawings = evaluate.draw(predict, [[0.0, 0.0], [1.0, 1.0]], steps=3)
    assert drawings.shape == (2, 4, 2)
    np.testing.assert_allclose(drawings[0, 3], [0.3, 0.6], rtol=1e-6)
    np.testing.assert_allclose(calls[1], drawings[:, 1])


def test_generate_feeds_the_given_corners_then_its_own_carrying_the_state():
    """A step that sums every point it was fed: its output depends on all the corners before, through its state."""
    def step(points, state):
        total = (0 if state is None else state) + points
        return total, total

    given = np.array([[[0.0, 0.0], [0.1, 0.0]], [[0.0, 0.0], [0.3, 0.0]]])
    drawn = evaluate.generate(step, given, 2)
    assert drawn.shape == (2, 4, 2)
    np.testing.assert_allclose(drawn[:, :2], given, rtol=1e-6)  # the given corners as given, not the step's outputs
    np.testing.assert_allclose(drawn[:, 2], drawn[:, 0] + drawn[:, 1])
    np.testing.assert_allclose(drawn[:, 3], drawn[:, 0] + drawn[:, 1] + drawn[:, 2])
    forgetful = evaluate.generate(evaluate.one_to_one(lambda p: p + 0.1), given, 2)
    np.testing.assert_allclose(forgetful[:, 3], given[:, 1] + 0.2, rtol=1e-6)  # no state: the last corner only
    assert evaluate.completions(step, (0.2, 0.4)).shape == (2, 4, 2)
    np.testing.assert_array_equal(evaluate.free_drawing(step)[0], [0, 0])


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
    assert evaluate.rectangle_consistency(lambda p: np.zeros_like(p) + 0.5) >= 1.0  # three corners on one point
    assert evaluate.rectangle_consistency(lambda p: np.zeros_like(p)) >= 1.0


def test_format_error_writes_three_significant_digits_and_never_minus_zero():
    assert [evaluate.format_error(v) for v in (0.00881, 0.12, 1.2345, 0.021665)] == ["0.00881", "0.12", "1.23", "0.0217"]
    assert evaluate.format_error(-0.0) == evaluate.format_error(0.0) == "0"


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


def test_a_drawing_with_a_nan_scores_nan_and_raises_nothing():
    """A diverged model draws NaN (a live view redraws it mid-training): its score is NaN, not an exception."""
    good = np.array([[0, 0], [0.5, 0], [0.5, 0.4], [0, 0.4]], float)
    broken = good.copy()
    broken[2, 1] = np.nan
    errors = evaluate.consistency_errors(np.stack([good, broken]))
    assert errors[0] == pytest.approx(0.0) and np.isnan(errors[1])
    assert np.isnan(evaluate.rectangle_scores(np.stack([broken, good]))["consistency"])
    assert np.isnan(evaluate.rectangle_scores(np.stack([good, broken]))["consistency"])
