"""
How good is a trained model? Held-out error for the sine, drawings and a
rectangle-consistency error for the generative model.

The damped-sine model is scored as the book scores it: mean absolute error on
1,000 fresh examples. Every model is scored on the *same* 1,000 examples
(drawn from a fixed evaluation seed that no training run uses), so two
models' errors can be compared directly.

The book judges the rectangle model only by eye. We also measure it. A
drawing is four points, `p0 = [0,0]` and three corners `p1, p2, p3`: drawn
from `[0,0]`, each predicted from the ones before, or completed from a given
first corner `p1 = [w, 0]` for each `w` in `EVALUATION_WIDTHS` (the one set
of widths every page draws). A true rectangle drawn clockwise from the origin
has

    y1 = 0,   x2 = x1,   x3 = 0,   y3 = y2,

and a width `x1` and a height `y2` of at least `MIN_SIDE`. The *consistency
error* of one drawing is the mean absolute violation of the four equalities
(each counted at most 1, the size of the square the rectangles live in),
plus a *collapse penalty*: 0 when the drawing's smallest size
(`smallest_size`: the least of its width `x1`, its height `y2`, its four
sides and its thickness, 0 when the four points lie on one line; a true
rectangle's shorter side) is `MIN_SIDE` or more, rising linearly to 1 at 0
or less. So a drawing that collapses to a line, a point or fewer than four
corners scores at least 1, and a four-sided one at most 1.

A model gets three figures (`rectangle_scores`): its drawing from `[0,0]`
(`free`), its completions (`completions`: their mean violation plus their
*largest* collapse penalty, so one collapsed completion is not averaged
away), and the headline `consistency`, the worse of the two. A model with a
collapsed drawing therefore never scores better than one whose drawings all
have four sides (a property test checks it on random quadrilaterals).
"""

from __future__ import annotations

import numpy as np

from .data import sine_examples

EVALUATION_SEED = 20_240_917  # fixed, never a training seed: every model sees the same held-out set
HOLDOUT_SIZE = 1_000
MIN_SIDE = 0.05
EVALUATION_WIDTHS = (0.1, 0.3, 0.5, 0.7, 0.9)  # the given first corners [w, 0]: the metric, the lesson and the lab
ORIGIN = (0.0, 0.0)
SCORES = ("free", "completions", "consistency")


def sine_holdout(config, n: int = HOLDOUT_SIZE):
    """The held-out examples every sine model of this data family is scored on."""
    rng = np.random.default_rng(EVALUATION_SEED)
    return sine_examples(
        n, rng, length=config.length, output=config.output,
        period_range=config.period_range, decay_range=config.decay_range,
    )


def mean_absolute_error(expected, predicted) -> float:
    return float(np.mean(np.abs(np.asarray(expected) - np.asarray(predicted))))


# -- drawing ---------------------------------------------------------------------------------------
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


def one_to_one(predict):
    """A one-to-one model (`predict`: points (k, 2) → next points (k, 2)) as a step that carries no state."""
    return lambda points, state: (predict(points), None)


def generate(step, given, steps: int) -> np.ndarray:
    """Feed the given corners (k, g, 2) in order, then `steps` corners each fed back, carrying the state.

    `step(points (k, 2), state) → (next points (k, 2), state)`, with state None at the start: a sequence model
    carries its LSTM state from corner to corner; a one-to-one model (`one_to_one`) carries none, so only
    the last given corner matters to it. Returns (k, g + steps, 2): the given corners, then the generated.
    """
    given = np.asarray(given, dtype=np.float32)
    corners, state = [given[:, 0]], None
    for t in range(given.shape[1] + steps - 1):
        predicted, state = step(corners[t], state)
        corners.append(given[:, t + 1] if t + 1 < given.shape[1] else
                       np.asarray(predicted, dtype=np.float32).reshape(-1, 2))
    return np.stack(corners, axis=1)


def free_drawing(step) -> np.ndarray:
    """From `[0,0]`, three corners, each fed back. Shape (4, 2)."""
    return generate(step, [[ORIGIN]], 3)[0]


def completions(step, widths=EVALUATION_WIDTHS) -> np.ndarray:
    """`[0,0]` and a given first corner `[w, 0]` fed in, the model writes the other two. Shape (k, 4, 2)."""
    widths = np.asarray(widths, dtype=np.float32)
    given = np.stack([np.zeros((len(widths), 2)), np.stack([widths, np.zeros_like(widths)], axis=1)], axis=1)
    return generate(step, given, 2)


def draw_rectangle(predict) -> np.ndarray:
    """The book's generation by a one-to-one `predict`: from `[0,0]`, three corners, each fed back. Shape (4, 2)."""
    return free_drawing(one_to_one(predict))


def complete_rectangles(predict, widths=EVALUATION_WIDTHS) -> np.ndarray:
    """Given first corners `[w, 0]`, a one-to-one `predict` completes each rectangle. Shape (k, 4, 2)."""
    return completions(one_to_one(predict), widths)


# -- the consistency error -------------------------------------------------------------------------
def collapse_penalty(side) -> np.ndarray:
    """0 for a size of at least MIN_SIDE, rising linearly to 1 for a size of 0 or less."""
    return np.clip(1.0 - np.asarray(side, dtype=np.float64) / MIN_SIDE, 0.0, 1.0)


def thickness(drawings) -> np.ndarray:
    """Each drawing's thickness: the smallest singular value of its centred corners (its shorter side if it is a
    true rectangle; 0 exactly when its four points lie on one line)."""
    d = np.asarray(drawings, dtype=np.float64).reshape(-1, 4, 2)
    found = np.full(len(d), np.nan)  # a drawing with a NaN (a model that diverged) has none: SVD would raise
    finite = np.isfinite(d).all(axis=(1, 2))
    if finite.any():
        centred = d[finite] - d[finite].mean(axis=1, keepdims=True)
        found[finite] = np.linalg.svd(centred, compute_uv=False)[:, -1]
    return found


def smallest_size(drawings) -> np.ndarray:
    """Each drawing's smallest size: the least of its width x1, its height y2, its four sides (the closed
    polygon's) and its thickness. A true rectangle's is its shorter side; a line's or a point's is 0."""
    d = np.asarray(drawings, dtype=np.float64).reshape(-1, 4, 2)
    sides = np.linalg.norm(np.roll(d, -1, axis=1) - d, axis=2).min(axis=1)
    return np.minimum.reduce([d[:, 1, 0], d[:, 2, 1], sides, thickness(d)])


def _parts(drawings) -> tuple[np.ndarray, np.ndarray]:
    """`(violations (k,), collapse penalties (k,))` of drawings (k, 4, 2) (see the module docstring)."""
    d = np.asarray(drawings, dtype=np.float64).reshape(-1, 4, 2)
    x1, y1, x2, y2, x3, y3 = d[:, 1, 0], d[:, 1, 1], d[:, 2, 0], d[:, 2, 1], d[:, 3, 0], d[:, 3, 1]
    violations = np.minimum(np.abs(np.stack([y1, x2 - x1, x3, y3 - y2], axis=1)), 1.0).mean(axis=1)
    return violations, collapse_penalty(smallest_size(d))


def consistency_errors(drawings) -> np.ndarray:
    """The consistency error of each drawing of shape (k, 4, 2): its violations plus its collapse penalty."""
    violations, penalties = _parts(drawings)
    return violations + penalties


def rectangle_scores(drawings) -> dict:
    """A model's three figures from its drawings (1 + k, 4, 2): the one from `[0,0]` first, then its completions.

        free        = violations[0] + penalty[0]
        completions = violations[1:].mean() + penalty[1:].max()   # one collapse is not averaged away
        consistency = max(free, completions)                      # the headline: the worse of the two
    """
    violations, penalties = _parts(drawings)
    free = float(violations[0] + penalties[0])
    done = float(violations[1:].mean() + penalties[1:].max()) if len(violations) > 1 else 0.0
    return {"free": free, "completions": done, "consistency": float(np.max([free, done]))}  # NaN if either is


def rectangle_consistency(predict, widths=EVALUATION_WIDTHS) -> float:
    """The headline score of a one-to-one `predict` (points (k, 2) → next points (k, 2))."""
    drawings = np.concatenate([draw_rectangle(predict)[None], complete_rectangles(predict, widths)], axis=0)
    return rectangle_scores(drawings)["consistency"]


def format_error(value: float) -> str:
    """An error as every page writes it, in its sentences, charts and tables alike: three significant digits."""
    text = f"{value:.3g}"
    return "0" if text in ("0", "-0") else text
