"""
Snapshots: a training's weights at about thirty moments, so that any view of
the model can be redrawn as it was after 1, 3, 10, ... optimizer steps.

Learning changes a model fastest at the start, so the moments are spaced
evenly on a log scale of steps (`schedule`): step 0 (the seeded, untrained
model), then 1, 2, 3, 4, 6, ... up to the last step. A snapshot is every
weight of the model at that step, flattened into one float32 row in the
order of `model.get_weights()`; the rows are exact copies, so the last one
is the trained model and the first the untrained one, bit for bit.

The compiled training step writes the rows itself (`engine/fit.py`), so the
snapshots cost no extra host round trip and the early ones land between
steps that run inside one call into the compiled step. A small model (the
book's sine model has 5,145 weights) takes 31 × 5,145 × 4 bytes, about
0.6 MB, stored beside the model as `<key>.npz` (`engine/store.py`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

COUNT = 30  # moments after step 0, at most (fewer when a training has fewer steps)
ROWS = COUNT + 1  # rows of the compiled step's buffer: the schedule never has more


def schedule(total_steps: int, count: int = COUNT) -> np.ndarray:
    """The steps after which a training of `total_steps` keeps its weights: log-spaced, unique, ending
    at `total_steps` (step 0 is kept apart, before training)."""
    if total_steps <= 0:
        return np.zeros(0, dtype=np.int64)
    steps = np.unique(np.round(np.geomspace(1, total_steps, count)).astype(np.int64))
    return steps[(steps >= 1) & (steps <= total_steps)]


def flatten(weights: list) -> np.ndarray:
    """A model's `get_weights()` as one float32 row."""
    return np.concatenate([np.asarray(w, dtype=np.float32).reshape(-1) for w in weights])


@dataclass
class Snapshots:
    """`weights[k]` is every weight of the model after `steps[k]` optimizer steps, flattened (see `flatten`);
    `shapes` turns a row back into the `set_weights` list. `steps[0]` is 0."""

    steps: np.ndarray  # (K,) int64, increasing
    weights: np.ndarray  # (K, parameters) float32
    shapes: list  # the shape of each weight array, in get_weights() order

    def __len__(self) -> int:
        return len(self.steps)

    def unflatten(self, k: int) -> list:
        """Snapshot `k` as the list of arrays `model.set_weights` takes."""
        row, arrays, at = self.weights[k], [], 0
        for shape in self.shapes:
            size = int(np.prod(shape, dtype=np.int64))
            arrays.append(row[at:at + size].reshape(shape))
            at += size
        return arrays

    def at_or_before(self, step: float) -> int:
        """The index of the last snapshot taken at or before `step` (0 if none)."""
        return max(int(np.searchsorted(self.steps, step, side="right")) - 1, 0)

    def to_arrays(self) -> dict:
        return {"steps": np.asarray(self.steps, dtype=np.int64), "weights": np.asarray(self.weights, dtype=np.float32),
                "shapes": np.asarray([len(s) for s in self.shapes], dtype=np.int64),
                "dims": np.asarray([d for s in self.shapes for d in s], dtype=np.int64)}

    @classmethod
    def from_arrays(cls, arrays) -> "Snapshots":
        ranks, dims, shapes, at = [int(r) for r in arrays["shapes"]], [int(d) for d in arrays["dims"]], [], 0
        for rank in ranks:
            shapes.append(tuple(dims[at:at + rank]))
            at += rank
        steps, weights = np.asarray(arrays["steps"], dtype=np.int64), np.asarray(arrays["weights"], dtype=np.float32)
        if weights.ndim != 2 or len(steps) != len(weights) or weights.shape[1] != sum(
                int(np.prod(s, dtype=np.int64)) for s in shapes) or np.any(np.diff(steps) <= 0):
            raise ValueError("snapshot arrays do not fit together")
        return cls(steps=steps, weights=weights, shapes=shapes)

    def joined(self, later: "Snapshots") -> "Snapshots":
        """These snapshots, then `later`'s after the last of these (a continued training)."""
        keep = later.steps > self.steps[-1]
        return Snapshots(steps=np.concatenate([self.steps, later.steps[keep]]),
                         weights=np.concatenate([self.weights, later.weights[keep]]), shapes=self.shapes)
