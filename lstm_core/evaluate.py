"""
How good is a trained model? Held-out error for the sine, drawings and a
rectangle-consistency error for the generative model.

The damped-sine model is scored as the book scores it: mean absolute error on
1,000 fresh examples. Every model is scored on the *same* 1,000 examples
(drawn from a fixed evaluation seed that no training run uses), so two
models' errors can be compared directly.

The book judges the rectangle model only by eye. We also measure it. A
drawing is four points, `p0 = [0,0]` and three generated corners `p1, p2, p3`,
each predicted from the one before. A true rectangle drawn clockwise from the
origin has

    y1 = 0,   x2 = x1,   x3 = 0,   y3 = y2,

and a width `x1 > 0` and a height `y2 > 0`. The *consistency error* of one
drawing is the mean absolute violation of the four equalities, plus a
collapse penalty for each side shorter than `MIN_SIDE` (0 at `MIN_SIDE` or
more, rising linearly to 1 for a side of length 0 or less). So a drawing that
collapses to a line or a point scores at least 1, far from a good rectangle,
even though it satisfies the equalities. The model's score is the mean over
the drawing started from `[0,0]` and the drawings completed from the given
first corners `[w, 0]` for `w` in `EVALUATION_WIDTHS`.
"""

from __future__ import annotations

import numpy as np

from .data import sine_examples

EVALUATION_SEED = 20_240_917  # fixed, never a training seed: every model sees the same held-out set
HOLDOUT_SIZE = 1_000
MIN_SIDE = 0.05
EVALUATION_WIDTHS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
ORIGIN = (0.0, 0.0)


def sine_holdout(config, n: int = HOLDOUT_SIZE):
    """The held-out examples every sine model of this data family is scored on."""
    rng = np.random.default_rng(EVALUATION_SEED)
    return sine_examples(
        n, rng, length=config.length, output=config.output,
        period_range=config.period_range, decay_range=config.decay_range,
    )


def mean_absolute_error(expected, predicted) -> float:
    return float(np.mean(np.abs(np.asarray(expected) - np.asarray(predicted))))


def draw(predict, starts, steps: int = 3) -> np.ndarray:
    """Generate drawings by feeding each prediction back as the next input.

    `predict` maps points of shape (k, 2) to next points (k, 2); `starts` has
    shape (k, 2). Returns shape (k, steps + 1, 2): each start, then its
    `steps` generated points.
    """
    points = [np.asarray(starts, dtype=np.float32).reshape(-1, 2)]
    for _ in range(steps):
        points.append(np.asarray(predict(points[-1]), dtype=np.float32).reshape(-1, 2))
    return np.stack(points, axis=1)


def draw_rectangle(predict) -> np.ndarray:
    """The book's generation: from `[0,0]`, three corners, each fed back. Shape (4, 2)."""
    return draw(predict, [ORIGIN], steps=3)[0]


def complete_rectangles(predict, widths=EVALUATION_WIDTHS) -> np.ndarray:
    """Given first corners `[w, 0]`, the model completes each rectangle. Shape (k, 4, 2)."""
    widths = np.asarray(widths, dtype=np.float32)
    corners = np.stack([widths, np.zeros_like(widths)], axis=1)
    completed = draw(predict, corners, steps=2)
    origin = np.zeros((len(widths), 1, 2), dtype=np.float32)
    return np.concatenate([origin, completed], axis=1)


def collapse_penalty(side) -> np.ndarray:
    """0 for a side of at least MIN_SIDE, rising linearly to 1 for a side of 0 or less."""
    return np.clip(1.0 - np.asarray(side, dtype=np.float64) / MIN_SIDE, 0.0, 1.0)


def consistency_errors(drawings) -> np.ndarray:
    """The consistency error of each drawing of shape (k, 4, 2) (see the module docstring)."""
    d = np.asarray(drawings, dtype=np.float64).reshape(-1, 4, 2)
    x1, y1 = d[:, 1, 0], d[:, 1, 1]
    x2, y2 = d[:, 2, 0], d[:, 2, 1]
    x3, y3 = d[:, 3, 0], d[:, 3, 1]
    violations = np.stack([np.abs(y1), np.abs(x2 - x1), np.abs(x3), np.abs(y3 - y2)], axis=1).mean(axis=1)
    return violations + collapse_penalty(x1) + collapse_penalty(y2)


def rectangle_consistency(predict, widths=EVALUATION_WIDTHS) -> float:
    """The model's score: mean consistency error of its free drawing and its completions."""
    drawings = np.concatenate([draw_rectangle(predict)[None], complete_rectangles(predict, widths)], axis=0)
    return float(consistency_errors(drawings).mean())
