"""
Replay: any view of a model as it was at each snapshot of its training.

A page draws its main figure from a trained model (a prediction, a drawing,
a forecast). `Replay` keeps one model of the configuration's architecture
and sets its weights to a snapshot (`engine/snapshots.py`) before drawing,
so the same drawing function gives the view after 0, 1, 3, ... steps: the
frames a page animates in the browser (one computation per view, none per
frame shown), or, during a training, the view at its latest snapshot.

Drawing goes through the predictor of the configuration's shape
(`engine/predict.py`): a replay costs a weight assignment and a prediction
per frame, no model built and no function traced.
"""

from __future__ import annotations

import numpy as np

from .fit import Trained
from .predict import predictor
from .snapshots import Snapshots


class Replay:
    """The model of `config`'s shape, set to any snapshot of a training while a view is drawn from it."""

    def __init__(self, experiment, config, results: dict | None = None):
        self.experiment = experiment
        self.config = config
        self._predictor = predictor(experiment, config)
        self._shapes = [tuple(w.shape) for w in self._predictor.model.get_weights()]
        self.model = Trained(config=config, model=self._predictor.model, steps=np.zeros(0, dtype=np.int64),
                             batch_size=1, losses={"loss": np.zeros(0)}, gradient_norm=np.zeros(0), history=[],
                             metrics={}, error_metric=experiment.error_metric, results=dict(results or {}),
                             experiment=experiment)

    def _set(self, row) -> None:
        self._predictor.set_weights(Snapshots(np.zeros(1, dtype=np.int64), np.asarray(row)[None], self._shapes)
                                    .unflatten(0))

    def draw_at(self, row, draw):
        """`draw(model)` with the model's weights set to one snapshot row (a live training's latest)."""
        with self._predictor.lock:
            self._set(row)
            return draw(self.model)

    def frames(self, snapshots: Snapshots, draw, indices=None) -> list:
        """`draw(model)` at each snapshot (or those at `indices`), in order."""
        indices = range(len(snapshots)) if indices is None else indices
        with self._predictor.lock:
            drawn = []
            for index in indices:
                self._set(snapshots.weights[index])
                drawn.append(draw(self.model))
            return drawn
