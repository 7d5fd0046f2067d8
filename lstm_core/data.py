"""
Data for the two book experiments, generated with numpy in one vectorised step.

Chapter 7's damped sine wave is

    x[i] = 0.5 + 0.5 * sin(2 * pi * i / period) * exp(-decay * i)

and a training example is one such wave with a random integer `period` and a
random uniform `decay`: its first `length` points are the input, its last
`output` points the target. Chapter 11's rectangles have a random width and
height in [0, 1); each gives three one-to-one training pairs, corner to next
corner, clockwise from the origin.

Every generator takes a `numpy.random.Generator`, never the global random
state, so two students training at once cannot disturb each other's data.
"""

from __future__ import annotations

import numpy as np


def damped_sine(length: int, period, decay) -> np.ndarray:
    """The book's damped sine wave of `length` points, values in [0, 1].

    `period` and `decay` may be scalars or arrays of shape (n,); with arrays
    the result has shape (n, length), one wave per row.
    """
    steps = np.arange(length, dtype=np.float64)
    period = np.asarray(period, dtype=np.float64)[..., None]
    decay = np.asarray(decay, dtype=np.float64)[..., None]
    return 0.5 + 0.5 * np.sin(2 * np.pi * steps / period) * np.exp(-decay * steps)


def sine_examples(
    n: int,
    rng: np.random.Generator,
    *,
    length: int = 50,
    output: int = 5,
    period_range: tuple = (10, 20),
    decay_range: tuple = (0.01, 0.1),
):
    """`n` random damped-sine examples as the book shapes them.

    Returns `(X, y)` with X of shape (n, length, 1) and y of shape (n, output),
    float32. The period is a uniform integer in `period_range` (both ends
    included, like `random.randint`) and the decay uniform in `decay_range`.
    """
    periods = rng.integers(period_range[0], period_range[1] + 1, size=n)
    decays = rng.uniform(decay_range[0], decay_range[1], size=n)
    waves = damped_sine(length + output, periods, decays).astype(np.float32)
    return waves[:, :length, None], waves[:, length:]


def sine_example(period: float, decay: float, *, length: int = 50, output: int = 5):
    """One wave split as an example: `(inputs (length,), expected (output,))`."""
    wave = damped_sine(length + output, period, decay).astype(np.float32)
    return wave[:length], wave[length:]


def random_rectangles(n: int, rng: np.random.Generator) -> np.ndarray:
    """`n` random rectangles as corners, shape (n, 4, 2): [0,0], [w,0], [w,h], [0,h]."""
    sizes = rng.random((n, 2))
    width, height = sizes[:, 0], sizes[:, 1]
    zeros = np.zeros(n)
    corners = np.stack(
        [
            np.stack([zeros, zeros], axis=1),
            np.stack([width, zeros], axis=1),
            np.stack([width, height], axis=1),
            np.stack([zeros, height], axis=1),
        ],
        axis=1,
    )
    return corners


def rectangle_pairs(rectangles: np.ndarray):
    """The book's one-to-one pairs, in order, rectangle after rectangle.

    From corners of shape (n, 4, 2) returns `(X, y)` with X of shape
    (3n, 1, 2) (one time step, two features) and y of shape (3n, 2):
    corner k is the input and corner k+1 the target, for k = 0, 1, 2.
    """
    inputs = rectangles[:, :3, :].reshape(-1, 2)
    targets = rectangles[:, 1:, :].reshape(-1, 2)
    return inputs[:, None, :].astype(np.float32), targets.astype(np.float32)


def rectangle_examples(n: int, rng: np.random.Generator):
    """`n` random rectangles turned into 3n training pairs (see `rectangle_pairs`)."""
    return rectangle_pairs(random_rectangles(n, rng))


def rng(seed: int) -> np.random.Generator:
    """The generator of a configuration's training data: seeded by it alone."""
    return np.random.default_rng(seed)
