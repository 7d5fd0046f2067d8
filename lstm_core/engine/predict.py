"""
Predictions of every trained model through a few compiled functions per
architecture, so that a class of students on different seeds and training
sizes does not pay for a graph each.

Building a Keras LSTM and tracing it into a `tf.function` costs a few hundred
milliseconds of Python, all of it holding the interpreter's lock that every
student's page run needs too; calling the traced function costs a few
milliseconds. A server's predictions repeat (every slider move, every replay
frame), so it compiles them with XLA (`JIT_COMPILE`, set by `ui/cache.py`):
a fraction of a millisecond a call after a compile of about half a second; a
command that predicts a few times (`train`, `prewarm`) keeps the graph.

Models that differ only in their data (seed, training size, epochs, learning
rate: `Experiment.shape`) have the same layers, so a *predictor* of a shape
keeps one plain Keras model and its compiled functions, and a prediction
loads the asking model's weights into it first (about a millisecond),
unless they are loaded already.

A predictor serves one caller at a time: a caller borrows an idle one of the
shape (one holding its weights already, if there is one), makes a new one if
fewer than `MOST_PER_SHAPE` are lent, or else waits for one to be given back:
in a class's burst of page runs, waiting a few milliseconds of predictions
costs less than tracing another predictor while every page run waits for the
interpreter's lock (`engine/replay.py` borrows one for all the frames it draws).
`benchmarks/load_protocol.py` measures the page runs of a class.
"""

from __future__ import annotations

from contextlib import contextmanager

import numpy as np

from .idle import Idle

JIT_COMPILE = False  # compile predictions with XLA (a server: ui/cache.py); tests may switch fit.JIT_COMPILE off too
PER_SHAPE = 4  # idle predictors kept per shape
MOST_PER_SHAPE = 2  # predictors of a shape lent at once before a caller waits (one a core)
LIMIT = 32  # idle predictors kept in all, least recently used shape out first

_idle = Idle(LIMIT, per_key=PER_SHAPE)  # shape → idle predictors
_row_functions: dict = {}  # shape → compiled `rows` function, oldest first


class Predictor:
    """One plain model of a shape, whose weights are set to the model asking for a prediction."""

    def __init__(self, experiment, config):
        from . import fit

        self.model = fit.plain_model(experiment, config)
        self.jit = JIT_COMPILE and fit.JIT_COMPILE
        self.loaded = None  # the token of the Trained whose weights `model` holds (None: a snapshot's)
        self._functions: dict = {}  # output name (None: all) → compiled prediction
        self._assign = None  # compiled: a snapshot row into every weight

    def load(self, trained) -> None:
        """Hold `trained`'s weights (nothing to do if they are held already, or `trained` is this model)."""
        if trained.model is not self.model and self.loaded is not trained.token:
            from .snapshots import flatten

            self.set_row(flatten(trained.model.get_weights()))
            self.loaded = trained.token

    def set_row(self, row) -> None:
        """Hold the weights of one snapshot row (`engine/snapshots.py`: every weight, flattened in the order of
        `model.weights`); the next `load` sets a trained model's again. One compiled call assigns them all,
        where `set_weights` takes a Python round trip per weight."""
        import tensorflow as tf

        if self._assign is None:
            variables = list(self.model.weights)
            sizes = [int(np.prod(v.shape)) for v in variables]

            def assign(values):
                for variable, part in zip(variables, tf.split(values, sizes)):
                    variable.assign(tf.reshape(part, variable.shape))

            self._assign = tf.function(assign, jit_compile=self.jit)
        self._assign(tf.constant(np.asarray(row, dtype=np.float32)))
        self.loaded = None

    def predict(self, trained, inputs, output: str | None = None):
        """`trained`'s outputs for `inputs` (see `Trained.predict`); the caller has borrowed this predictor."""
        import tensorflow as tf

        from .backend import keras

        self.load(trained)
        if output not in self._functions:
            model = self.model if output is None else keras().Model(
                self.model.input, self.model.get_layer(output).output)
            self._functions[output] = tf.function(lambda x: model(x, training=False), reduce_retracing=True,
                                                  jit_compile=self.jit)
        return self._functions[output](tf.constant(np.asarray(inputs, dtype=np.float32)))


@contextmanager
def borrowed(experiment, config, trained=None):
    """An idle predictor of `config`'s shape (one holding `trained`'s weights if there is one), a new one, or the
    next given back (`MOST_PER_SHAPE`); idle again afterwards."""
    with _idle.lent(experiment.shape(config), lambda: Predictor(experiment, config), most=MOST_PER_SHAPE,
                    prefer=lambda idle: trained is not None and idle.loaded is trained.token) as predictor:
        yield predictor


def predict(experiment, trained, inputs, output: str | None = None):
    """`trained`'s outputs for `inputs` through a borrowed predictor of its shape."""
    with borrowed(experiment, trained.config, trained) as predictor:
        return predictor.predict(trained, inputs, output)


def rows(experiment, config, rows, inputs) -> np.ndarray:
    """The outputs for `inputs` of `config`'s shape with each row's weights (snapshot rows, see
    `Predictor.set_row`): `(len(rows), *outputs' shape)`, for a model with one output.

    One compiled call for up to `snapshots.ROWS` rows, where `set_row` and `predict` take two calls a row,
    each a round trip that waits for the interpreter's lock in a busy class. The rows go in as values
    (`stateless_call`), so the function holds no weights: one per shape serves every caller at once, with
    no predictor borrowed. Rows are padded to `ROWS`, so that one compile serves every training of the shape.
    """
    import tensorflow as tf

    from .snapshots import ROWS

    function = _row_functions.get(experiment.shape(config))
    if function is None:
        with borrowed(experiment, config) as predictor:  # a model of the shape to trace (its weights unused)
            function = _row_functions.setdefault(experiment.shape(config), _rows_function(predictor.model,
                                                                                          predictor.jit))
        while len(_row_functions) > LIMIT:
            _row_functions.pop(next(iter(_row_functions)), None)
    rows, inputs = np.asarray(rows, dtype=np.float32), tf.constant(np.asarray(inputs, dtype=np.float32))
    padded = np.zeros((-(-len(rows) // ROWS) * ROWS, rows.shape[1]), dtype=np.float32)
    padded[:len(rows)] = rows
    outputs = [function(tf.constant(padded[at:at + ROWS]), inputs).numpy() for at in range(0, len(padded), ROWS)]
    return np.concatenate(outputs)[:len(rows)]


def _rows_function(model, jit: bool):
    """`(rows, inputs) → outputs` of `model`'s shape, each row's weights given as values."""
    import tensorflow as tf

    variables = list(model.weights)
    sizes, index = [int(np.prod(v.shape)) for v in variables], {id(v): i for i, v in enumerate(variables)}

    def one(row, inputs):
        parts = [tf.reshape(part, v.shape) for part, v in zip(tf.split(row, sizes), variables)]
        values = lambda group: [parts[index[id(v)]] if id(v) in index else v.value for v in group]
        outputs, _ = model.stateless_call(values(model.trainable_variables),  # a dropout's seed: the model's own
                                          values(model.non_trainable_variables), inputs, training=False)
        return outputs

    return tf.function(lambda rows, inputs: tf.map_fn(lambda row: one(row, inputs), rows,
                                                      fn_output_signature=tf.float32),
                       reduce_retracing=True, jit_compile=jit)


def idle(experiment, config) -> list:
    """The idle predictors of `config`'s shape (for tests)."""
    return _idle.of(experiment.shape(config))


def clear() -> None:
    """Forget every predictor and row function (tests that count traces start from none)."""
    _idle.clear()
    _row_functions.clear()
