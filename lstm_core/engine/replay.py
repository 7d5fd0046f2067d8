"""
Replay: any view of a model as it was at each snapshot of its training.

A page draws its main figure from a trained model (a prediction, a drawing,
a forecast). `Replay` keeps one model of the configuration's architecture
and sets its weights to a snapshot (`engine/snapshots.py`) before drawing,
so the same drawing function gives the view after 0, 1, 3, ... steps: the
frames a page animates in the browser (one computation per view, none per
frame shown), or, during a training, the view at its latest snapshot.

Drawing borrows a predictor of the configuration's shape
(`engine/predict.py`) for all the frames: a replay costs a weight assignment
and a prediction per frame, no model built and no function traced; a view
that is one prediction of fixed inputs (`predictions`) costs one call for
every frame.
"""

from __future__ import annotations

import numpy as np

from .fit import Trained
from .predict import borrowed, rows
from .snapshots import Snapshots


class Replay:
    """A model of `config`'s shape, set to any snapshot of a training while a view is drawn from it."""

    def __init__(self, experiment, config, results: dict | None = None):
        self.experiment = experiment
        self.config = config
        self.results = dict(results or {})

    def _view(self, predictor) -> Trained:
        return Trained(config=self.config, model=predictor.model, steps=np.zeros(0, dtype=np.int64), batch_size=1,
                       losses={"loss": np.zeros(0)}, gradient_norm=np.zeros(0), history=[], metrics={},
                       error_metric=self.experiment.error_metric, results=self.results, experiment=self.experiment,
                       predictor=predictor)

    def draw_at(self, row, draw):
        """`draw(model)` with the model's weights set to one snapshot row (a live training's latest)."""
        return self.frames(None, draw, rows=[row])[0]

    def frames(self, snapshots: Snapshots | None, draw, indices=None, rows=None) -> list:
        """`draw(model)` at each snapshot (or those at `indices`, or at each of `rows`), in order."""
        if rows is None:
            indices = range(len(snapshots)) if indices is None else indices
            rows = [snapshots.weights[index] for index in indices]
        with borrowed(self.experiment, self.config) as predictor:
            view, drawn = self._view(predictor), []
            for row in rows:
                predictor.set_row(row)
                drawn.append(draw(view))
            return drawn

    def predictions(self, snapshots: Snapshots, inputs) -> np.ndarray:
        """The model's outputs for `inputs` at every snapshot, `(K, *outputs' shape)`: `frames` for a view that
        is one prediction, in one compiled call (`predict.rows`) instead of two a snapshot."""
        return rows(self.experiment, self.config, snapshots.weights, inputs)
