"""
Predictions of every trained model through one traced function per
architecture, so that a class of students on different seeds and training
sizes does not pay for a graph each.

Tracing a Keras LSTM into a `tf.function` and building its model costs a few
hundred milliseconds of Python, all of it holding the interpreter's lock that
every student's page run needs too; calling the traced function costs a few
milliseconds. Models that differ only in their data (seed, training size,
epochs, learning rate: `Experiment.shape`) have the same layers, so one
*predictor* per shape keeps one plain Keras model and its traced functions,
and a prediction loads the asking model's weights into it first (about a
millisecond), unless they are loaded already. `benchmarks/load_protocol.py`
measures the page runs of a class.

A predictor serves one prediction at a time (`lock`, re-entrant so that a
replay can hold it across the frames it draws, `engine/replay.py`).
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np

LIMIT = 32  # predictors kept, least recently used out first (each is one small model)

_predictors: OrderedDict = OrderedDict()
_lock = threading.Lock()


class Predictor:
    """One plain model of a shape, whose weights are set to the model asking for a prediction."""

    def __init__(self, experiment, config):
        from .fit import plain_model

        self.model = plain_model(experiment, config)
        self.lock = threading.RLock()
        self.loaded = None  # the token of the Trained whose weights `model` holds (None: another's, or a snapshot)
        self._functions: dict = {}

    def load(self, trained) -> None:
        """Hold `trained`'s weights (nothing to do if they are held already, or `trained` is this model)."""
        if trained.model is not self.model and self.loaded is not trained.token:
            self.model.set_weights(trained.model.get_weights())
            self.loaded = trained.token

    def set_weights(self, weights: list) -> None:
        """Hold these weights (a snapshot); the next `load` sets a trained model's again."""
        self.model.set_weights(weights)
        self.loaded = None

    def predict(self, trained, inputs, output: str | None = None):
        """`trained`'s outputs for `inputs` (see `Trained.predict`)."""
        import tensorflow as tf

        from .backend import keras

        with self.lock:
            self.load(trained)
            if output not in self._functions:
                model = self.model if output is None else keras().Model(
                    self.model.input, self.model.get_layer(output).output)
                self._functions[output] = tf.function(lambda x: model(x, training=False), reduce_retracing=True)
            return self._functions[output](tf.constant(np.asarray(inputs, dtype=np.float32)))


def predictor(experiment, config) -> Predictor:
    """The predictor of `config`'s shape, made on first use."""
    key = experiment.shape(config)
    with _lock:
        found = _predictors.get(key)
        if found is not None:
            _predictors.move_to_end(key)
            return found
    made = Predictor(experiment, config)  # outside the lock: building a model takes a while
    with _lock:
        found = _predictors.setdefault(key, made)
        _predictors.move_to_end(key)
        while len(_predictors) > LIMIT:
            _predictors.popitem(last=False)
        return found


def clear() -> None:
    """Forget every predictor (tests that count traces start from none)."""
    with _lock:
        _predictors.clear()
