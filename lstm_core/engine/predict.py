"""
Predictions of every trained model through one compiled function per model
shape, shared by every model of that shape and by every thread at once.

Building a Keras LSTM and tracing it into a `tf.function` costs a few hundred
milliseconds of Python, all of it holding the interpreter's lock that every
student's page run needs too; calling the traced function costs a fraction
of a millisecond once compiled with XLA (`JIT_COMPILE`, set by `ui/cache.py`:
a server predicts on every slider move; a command that predicts a few times,
`train` or `prewarm`, keeps the graph).

Models that differ only in their data (seed, training size, epochs, learning
rate: `Experiment.shape`) have the same layers, so the function of a shape
takes the weights as an argument: one row of every weight, flattened as the
snapshots are (`engine/snapshots.py`), run through `stateless_call` of one
model of the shape. Nothing is assigned, so a trained model, a snapshot of a
training, or every snapshot at once (`rows`) are alike to it, one trace per
shape serves every student, and no caller waits for another. `mapped` runs
any function of the model's outputs (a lesson's replay: errors, gradients)
at every row in one call.

A replay's drawing may read a model's weights itself (the rectangles
lesson's arithmetic), so `engine/replay.py` still borrows a *predictor*: a
model of the shape whose weights it sets to each snapshot (`set_row`). A few
are lent at once per shape (`MOST_PER_SHAPE`), then a caller waits for one
given back: in a class's burst of page runs, waiting a few milliseconds
costs less than building another while every page run waits for the lock.
`benchmarks/load_protocol.py` measures the page runs of a class.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from contextlib import contextmanager

import numpy as np

from .idle import Idle

JIT_COMPILE = False  # compile predictions with XLA (a server: ui/cache.py); tests may switch fit.JIT_COMPILE off too
PER_SHAPE = 4  # idle predictors kept per shape
MOST_PER_SHAPE = 2  # predictors of a shape lent at once before a caller waits (one a core)
LIMIT = 32  # idle predictors, and compiled functions, kept in all: the least recently used shape out first

_idle = Idle(LIMIT, per_key=PER_SHAPE)  # shape → idle predictors
_functions: OrderedDict = OrderedDict()  # (shape, output, all rows?) → compiled function, most recently used last
_models: OrderedDict = OrderedDict()  # shape → the model its functions were traced on
_lock = threading.Lock()


def row(trained) -> np.ndarray:
    """Every weight of a trained model as one float32 row, in the order the functions take them."""
    from .snapshots import flatten

    return flatten(trained.model.get_weights())


def call(experiment, config, weights, inputs, output: str | None = None):
    """The outputs for `inputs` (a dict for a model with several) of `config`'s shape holding `weights` (a row,
    see `row`), or one named layer's output."""
    import tensorflow as tf

    function = _function(experiment, config, output, None)
    return function(tf.constant(np.asarray(weights, dtype=np.float32)), tf.constant(np.asarray(inputs, np.float32)))


def predict(experiment, trained, inputs, output: str | None = None):
    """`trained`'s outputs for `inputs` (see `Trained.predict`)."""
    return call(experiment, trained.config, row(trained), inputs, output)


def outputs(call, inputs):
    """The body of `rows`: the model's outputs for `inputs`."""
    return call(inputs)


def rows(experiment, config, weights, inputs) -> np.ndarray:
    """The outputs for `inputs` of `config`'s shape with each row's weights (`weights` (K, parameters), the
    snapshot rows): `(K, *outputs' shape)`, for a model with one output (`mapped` of `outputs`)."""
    return mapped(experiment, config, weights, outputs, inputs)


def mapped(experiment, config, weights, body, *arrays, results: int = 1, jit: bool | None = None):
    """`body(call, *arrays)` with each row's weights (`weights` (K, parameters), the snapshot rows), where
    `call(inputs)` is the outputs of `config`'s shape holding that row: `results` float32 tensors (one, or a
    tuple), each returned as `(K, …)`.

    One compiled call for every row (a `map_fn`), where a call a row is a round trip that waits for the
    interpreter's lock in a busy class. The function is traced once per shape, body and arrays' shapes; with XLA
    (`jit`, default the predictions', `JIT_COMPILE`) rows are padded to `snapshots.ROWS`, so that one compile
    serves every training of the shape, without it any number of rows takes the same trace. `body` is a module's
    function (it keys the cache).
    """
    import tensorflow as tf

    from .snapshots import ROWS

    jit = _jit(jit)
    weights = np.asarray(weights, dtype=np.float32)
    arrays = [tf.constant(np.asarray(array, dtype=np.float32)) for array in arrays]
    function = _function(experiment, config, None, (body, results, tuple(tuple(a.shape) for a in arrays)), jit)
    block = ROWS if jit else max(1, len(weights))
    padded = np.zeros((-(-len(weights) // block) * block, weights.shape[1]), dtype=np.float32)
    padded[:len(weights)] = weights
    found = [function(tf.constant(padded[at:at + block]), *arrays) for at in range(0, len(padded), block)]
    found = [[part.numpy() for part in (each if results > 1 else (each,))] for each in found]
    joined = [np.concatenate(parts)[:len(weights)] for parts in zip(*found)]
    return tuple(joined) if results > 1 else joined[0]


def _jit(asked: bool | None) -> bool:
    """Whether a function compiles with XLA: as asked (by default the predictions' `JIT_COMPILE`), never when the
    engine's is off (tests switch `fit.JIT_COMPILE` off)."""
    from . import fit

    return bool((JIT_COMPILE if asked is None else asked) and fit.JIT_COMPILE)


def _function(experiment, config, output: str | None, body: tuple | None, jit: bool | None = None):
    """The compiled function of `config`'s shape for `output` (or `mapped`'s `(body, results, arrays' shapes)`),
    made (not yet traced) on first use."""
    from . import fit

    shape, jit = experiment.shape(config), _jit(jit)
    key = (shape, output, body, jit)
    with _lock:
        function = _functions.get(key)
        if function is not None:
            _functions.move_to_end(key)
            return function
        model = _models.get(shape)
    if model is None:
        model = fit.plain_model(experiment, config)  # outside the lock: a model takes tens of milliseconds
    function = _compiled(model, output, body, jit)
    with _lock:
        _models.setdefault(shape, model)
        _models.move_to_end(shape)
        function = _functions.setdefault(key, function)  # two first callers at once: both use the first one made
        _functions.move_to_end(key)
        while len(_functions) > LIMIT:
            _functions.popitem(last=False)
        while len(_models) > LIMIT:
            _models.popitem(last=False)
    return function


def _compiled(model, output: str | None, body: tuple | None, jit: bool):
    """`(row, inputs) → outputs` of `model`'s shape, weights as values; or with `body`, `(rows, *arrays) →
    body's results per row`."""
    import tensorflow as tf

    from .backend import keras

    target = model if output is None else keras().Model(model.input, model.get_layer(output).output)
    variables = list(model.weights)
    sizes, index = [int(np.prod(v.shape)) for v in variables], {id(v): i for i, v in enumerate(variables)}

    def one(weights, inputs):
        parts = [tf.reshape(part, v.shape) for part, v in zip(tf.split(weights, sizes), variables)]
        values = lambda group: [parts[index[id(v)]] if id(v) in index else v.value for v in group]
        outputs, _ = target.stateless_call(values(target.trainable_variables),  # a dropout's seed: the model's own
                                           values(target.non_trainable_variables), inputs, training=False)
        return outputs

    if body is None:
        return tf.function(one, reduce_retracing=True, jit_compile=jit, autograph=False)
    run, results, shapes = body
    signature = tuple(tf.float32 for _ in range(results)) if results > 1 else tf.float32

    def every(weights, *arrays):
        return tf.map_fn(lambda each: run(lambda inputs: one(each, inputs), *arrays), weights,
                         fn_output_signature=signature)

    specs = [tf.TensorSpec((None, sum(sizes)), tf.float32), *(tf.TensorSpec(shape, tf.float32) for shape in shapes)]
    return tf.function(every, input_signature=specs, jit_compile=jit, autograph=False)


class Predictor:
    """One plain model of a shape, set to a snapshot's weights while a replay draws from it."""

    def __init__(self, experiment, config):
        from . import fit

        self.experiment, self.config = experiment, config
        self.model = fit.plain_model(experiment, config)
        self.row = row(self)  # the weights `model` holds, as a row
        self._assign = None  # compiled: a snapshot row into every weight

    def set_row(self, weights) -> None:
        """Hold the weights of one snapshot row (`engine/snapshots.py`: every weight, flattened in the order of
        `model.weights`). One compiled call assigns them all, where `set_weights` takes a Python round trip per
        weight."""
        import tensorflow as tf

        if self._assign is None:
            variables = list(self.model.weights)
            sizes = [int(np.prod(v.shape)) for v in variables]

            def assign(values):
                for variable, part in zip(variables, tf.split(values, sizes)):
                    variable.assign(tf.reshape(part, variable.shape))

            self._assign = tf.function(assign, jit_compile=_jit(None), autograph=False)
        self.row = np.asarray(weights, dtype=np.float32)
        self._assign(tf.constant(self.row))

    def predict(self, trained, inputs, output: str | None = None):
        """The outputs for `inputs` with the weights this predictor holds (a replay's view of it, `trained`)."""
        return call(self.experiment, self.config, self.row, inputs, output)


@contextmanager
def borrowed(experiment, config):
    """An idle predictor of `config`'s shape, a new one, or the next given back (`MOST_PER_SHAPE`); idle again
    afterwards."""
    with _idle.lent(experiment.shape(config), lambda: Predictor(experiment, config), most=MOST_PER_SHAPE) as predictor:
        yield predictor


def idle(experiment, config) -> list:
    """The idle predictors of `config`'s shape (for tests)."""
    return _idle.of(experiment.shape(config))


def traced(experiment, config, output: str | None = None, body=None) -> int:
    """How many times the function of `config`'s shape was traced (0 if it was never made; for tests): its
    prediction's, or with `body`, `mapped`'s of that body (`rows`: `outputs`)."""
    return sum(function.experimental_get_tracing_count() for key, function in list(_functions.items())
               if key[:2] == (experiment.shape(config), output)
               and (key[2] is None if body is None else key[2] is not None and key[2][0] is body))


def clear() -> None:
    """Forget every predictor and compiled function (tests that count traces start from none)."""
    _idle.clear()
    with _lock:
        _functions.clear()
        _models.clear()
