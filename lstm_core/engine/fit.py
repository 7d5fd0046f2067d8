"""
Training: one configuration in, one trained model with everything its page
shows out. Every model of the app, book experiment or concept, goes through
`fit` here.

The data is generated in one vectorised step and fed to a single training
loop: the book's loop of one `fit` per rectangle costs about 70 ms of fixed
overhead a call, while the same Adam steps in one call take seconds. On a
CPU, Keras' LSTM runs op by op, so the training step is compiled with XLA
(`jit_compile=True`), several steps run in one compiled call
(`steps_per_execution`, `engine/loop.py`: Keras' `fit` without its launch
and data pipeline per step), and the LSTM layers of the model that trains run
a loop with fewer operations a step (`engine/lstm_kernel.py`).

Compiling costs seconds, an epoch often less, so a compiled model is kept
per *architecture* (`Experiment.architecture`: everything but the data, seed,
epochs and learning rate) and reused by the next training of that
architecture in the process: its weights are set to the new configuration's
seeded initial weights and its optimizer's variables (step counter, moments)
to zero, which is exactly the state a newly built model starts from, so warm
and cold trainings give the same model (tested). A pooled model serves one
training at a time (two trainings of one architecture at once each get their
own) and is never handed out: the trained weights and optimizer state are
copied into a newly built plain Keras model, which pages keep (and the store
saves) while the pooled model trains again; predictions go through the
compiled functions of the model's shape (`engine/predict.py`).

The compiled step is our own (`RecordingModel.train_step`): it reports, for
each named output, its own loss (three cells trained side by side as three
branches get one curve each), the total loss and the norm of the whole
gradient before any clipping, averaged over the steps since the last report.
When a loss stops being finite the training stops there and the step is
recorded, so a page can say "the loss became NaN at step 37".

Same configuration, same result: data comes from a `numpy.random.Generator`
seeded by the configuration, weights from seeded initialisers
(`engine/seeds.py`), and batches are taken in order (`shuffle=False`; the
examples are random already).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from . import lstm_kernel
from . import loop as _loop
from . import snapshots as _snapshots
from .backend import keras as _keras
from .experiment import Experiment, Recipe
from .idle import Idle
from .snapshots import Snapshots

POOL_SIZE = 8  # idle compiled models kept, least recently used out first
JIT_COMPILE = True  # tests switch XLA off: for micro models the compile costs more than it saves
_pool = Idle(POOL_SIZE)  # architecture → idle compiled models
_recording_class = None


class TrainingDiverged(RuntimeError):
    """The loss became NaN or infinite where that is not the lesson: nothing is kept or stored."""


@dataclass
class Trained:
    """One training: the model and everything a page shows about it.

    `steps[k]` is the number of optimizer steps done at report k and
    `losses[name][k]` the mean loss of output `name` over the steps since the
    report before (`"loss"` is their sum); `gradient_norm[k]` likewise, before
    clipping. `history` is the mean loss of each epoch. `diverged_step` is the
    step at which a loss first stopped being finite (training stopped there).
    `metrics` are the experiment's scores (`error` is the headline one),
    `results` the arrays its page draws; both are stored with the model.
    `snapshots` are its weights at about thirty moments of training
    (`engine/snapshots.py`), for replaying it (`engine/replay.py`).
    `source` says where this copy came from: `trained` now, `memory`, or the
    `store`; `compiled` whether its training paid for a new compile.
    """

    config: object
    model: object
    steps: np.ndarray
    batch_size: int
    losses: dict
    gradient_norm: np.ndarray
    history: list
    metrics: dict
    error_metric: str
    results: dict = field(default_factory=dict)
    seconds: float = 0.0
    diverged_step: int | None = None
    snapshots: Snapshots | None = None
    source: str = "trained"
    compiled: bool = False
    experiment: Experiment | None = field(default=None, repr=False, compare=False)  # None: the registry's
    predictor: object = field(default=None, repr=False, compare=False)  # a replay's: `model` is its model
    # Which copy this is, for `engine/predict.py` (a `replace`d copy gets a new one: its weights may differ).
    token: object = field(default_factory=object, init=False, repr=False, compare=False)

    @property
    def examples(self) -> np.ndarray:
        """Examples seen at each report."""
        return np.asarray(self.steps) * self.batch_size

    @property
    def curve(self) -> list:
        """The total training loss as `[examples seen, loss]` pairs, one per report."""
        return [[int(x), float(y)] for x, y in zip(self.examples, self.losses["loss"])]

    @property
    def error(self) -> float:
        return float(self.metrics.get(self.error_metric, math.nan))

    @property
    def diverged(self) -> bool:
        return self.diverged_step is not None

    def final_loss(self, name: str = "loss") -> float:
        values = self.losses[name]
        return float(values[-1]) if len(values) else math.nan

    def divergence_message(self) -> str:
        """Plain English for logs and the command line: empty if the loss stayed finite."""
        if self.diverged_step is None:
            return ""
        if math.isnan(self.final_loss()):
            return f"the loss became NaN (not a number) at step {self.diverged_step}: training stopped there"
        return (f"the loss overflowed to infinity at step {self.diverged_step}, on its way to NaN (not a "
                "number): training stopped there")

    def predict(self, inputs, output: str | None = None):
        """All outputs (an array, or a dict of arrays for a model with named outputs), or one output's array.

        Runs through the compiled function of the model's shape, the weights passed in (`engine/predict.py`:
        traced once a process for every model of that shape, then about a millisecond a call), not
        `model.predict`, which builds its function again for every model. Safe to call from several threads.
        """
        from . import predict

        if self.predictor is not None:  # a replay's view: its predictor holds a snapshot's weights
            outputs = self.predictor.predict(self, inputs, output)
        else:
            experiment = self.experiment
            if experiment is None:
                from .. import experiments as registry  # the engine knows experiments only through the registry

                experiment = registry.of(self.config)
            outputs = predict.predict(experiment, self, inputs, output)
        if isinstance(outputs, dict):
            return {name: np.asarray(value) for name, value in outputs.items()}
        return np.asarray(outputs)


# -- the compiled step --------------------------------------------------------------------------
@dataclass
class _SnapshotBuffer:
    schedule: object  # tf.Variable (ROWS,) int64: the step each row is kept after, -1 for an unused row
    weights: object  # tf.Variable (ROWS, parameters) float32


def _recording_model_class():
    """A `keras.Model` whose training step reports each output's loss and the gradient norm."""
    global _recording_class
    if _recording_class is not None:
        return _recording_class
    keras = _keras()
    import tensorflow as tf

    functions = {"mae": keras.losses.mean_absolute_error, "mse": keras.losses.mean_squared_error}

    class RecordingModel(keras.Model):
        def start_recording(self, loss: str) -> None:
            self._loss_function = functions[loss]
            self._names = list(self.output_names) if isinstance(self.output, dict) else []
            self._trackers = [keras.metrics.Mean(name=name) for name in [*self._names, "loss", "gradient_norm"]]
            size = sum(int(np.prod(variable.shape)) for variable in self.weights)
            # Plain TensorFlow variables in a plain holder: not the model's weights, never saved with it.
            self.snapshot_buffer = _SnapshotBuffer(
                tf.Variable(tf.fill([_snapshots.ROWS], tf.constant(-1, tf.int64)), trainable=False),
                tf.Variable(tf.zeros([_snapshots.ROWS, size]), trainable=False))

        def _keep_snapshot(self):
            """After a step on the schedule, copy every weight into the schedule's row of the buffer."""
            buffer = self.snapshot_buffer
            hit = tf.equal(buffer.schedule, tf.cast(self.optimizer.iterations, tf.int64))

            def write():
                row = tf.concat([tf.reshape(tf.cast(v, tf.float32), [-1]) for v in self.weights], axis=0)
                index = tf.argmax(tf.cast(hit, tf.int32), output_type=tf.int32)
                buffer.weights.scatter_nd_update(tf.reshape(index, [1, 1]), row[None])
                return tf.constant(True)

            tf.cond(tf.reduce_any(hit), write, lambda: tf.constant(False))

        @property
        def metrics(self):
            return list(self._trackers)

        def train_step(self, data):
            inputs, targets = data[0], data[1]
            with tf.GradientTape() as tape:
                predicted = self(inputs, training=True)
                if self._names:
                    losses = [tf.reduce_mean(self._loss_function(targets[name], predicted[name]))
                              for name in self._names]
                    total = tf.add_n(losses)
                else:
                    losses, total = [], tf.reduce_mean(self._loss_function(targets, predicted))
            gradients = tape.gradient(total, self.trainable_variables)
            norm = tf.linalg.global_norm(gradients)
            self.optimizer.apply(gradients, self.trainable_variables)
            self._keep_snapshot()
            for tracker, value in zip(self._trackers, [*losses, total, norm]):
                tracker.update_state(value)
            return {tracker.name: tracker.result() for tracker in self._trackers}

    _recording_class = RecordingModel
    return RecordingModel


def _optimizer(recipe: Recipe):
    keras = _keras()
    options = {"learning_rate": float(recipe.learning_rate)}
    if recipe.clipnorm > 0:
        options["clipnorm"] = float(recipe.clipnorm)
    return (keras.optimizers.SGD if recipe.optimizer == "sgd" else keras.optimizers.Adam)(**options)


def plain_model(experiment: Experiment, config):
    """The experiment's model as a plain `keras.Model` with fresh seeded weights (a standard `.keras` file)."""
    inputs, outputs = experiment.build(config)
    return _keras().Model(inputs, outputs, name=experiment.name)


# -- the pool of compiled models ----------------------------------------------------------------
def _borrow(experiment: Experiment, config, recipe: Recipe):
    """`(compiled model, newly compiled?)`: an idle pooled model of this architecture, or a new one."""
    model = _pool.take(experiment.architecture(config, recipe))
    if model is not None:
        return model, False
    inputs, outputs = experiment.build(config)
    model = _recording_model_class()(inputs=inputs, outputs=outputs)
    lstm_kernel.use_in(model)  # its own LSTM loop: this model is only ever trained, never handed out
    model.compile(optimizer=_optimizer(recipe))  # XLA and steps per call: `loop.train`'s, from the recipe
    model.start_recording(recipe.loss)
    return model, True


def _give_back(experiment: Experiment, config, recipe: Recipe, model) -> None:
    _pool.put(experiment.architecture(config, recipe), model)


def clear_pool() -> None:
    """Forget every compiled model (the next training of each architecture compiles again)."""
    _pool.clear()


def _optimizer_variables(model) -> list:
    optimizer = model.optimizer
    if not optimizer.built:
        optimizer.build(model.trainable_variables)
    return list(optimizer.variables)


def _set_optimizer_state(model, state: list | None, learning_rate: float) -> None:
    """Set the optimizer's variables to `state`, or, if None, to a new optimizer's (zeros, `learning_rate`)."""
    rate = getattr(model.optimizer, "_learning_rate", None)
    for index, variable in enumerate(_optimizer_variables(model)):
        if state is not None:
            variable.assign(state[index])
        elif variable is rate:
            variable.assign(learning_rate)
        else:
            variable.assign(np.zeros(variable.shape, dtype=variable.dtype))


def continuation_state(start: Trained, config) -> list | None:
    """The optimizer state to continue `start` into `config` exactly, or None if it has none.

    "Train more" continues a model instead of starting again. The continued
    model is exactly (bit for bit, tested) the model that training `config`
    from scratch gives: the same data in the same order, the same weights and
    the same optimizer state at the epoch boundary. So it is stored under
    `config.key()`, its own key, beside the shorter model. A model loaded
    without its optimizer (`compile=False`) returns None, and `fit` then
    trains from scratch; `Trainer.get` reloads the optimizer from the store
    first. Raises ValueError if `config` is not `start.config` with more epochs (compared by key: a field
    the key leaves out, such as the sine task's unused lag, names the same model).
    """
    if start.config.replace(epochs=config.epochs).key() != config.key() or len(start.history) >= config.epochs:
        raise ValueError(f"cannot continue {start.config.key()} into {config.key()}: "
                         "only the same configuration with more epochs continues a model")
    optimizer = getattr(start.model, "optimizer", None)
    if optimizer is None or not getattr(optimizer, "built", False):
        return None
    return [np.array(variable.numpy()) for variable in optimizer.variables]


# -- recording ----------------------------------------------------------------------------------
class _Record:
    """What the callback collects: steps, each output's loss and the gradient norm at every report, and the
    snapshots the compiled step kept (`snapshot_steps`, `snapshot_rows`)."""

    def __init__(self, names: list, start: Trained | None, plan: np.ndarray, first_row: np.ndarray):
        self.names = [*names, "loss"]
        self.steps = list(start.steps) if start is not None else []
        self.losses = {name: list(start.losses[name]) if start is not None else [] for name in self.names}
        self.norms = list(start.gradient_norm) if start is not None else []
        self.history = list(start.history) if start is not None else []
        self.diverged_step = None
        self._epoch_sum = self._epoch_steps = 0.0
        self.plan = plan  # the steps still to be kept, in the order of the buffer's rows
        self.snapshot_steps, self.snapshot_rows, self._read = [], [], 0
        if start is None:
            self.snapshot_steps.append(0)
            self.snapshot_rows.append(first_row)

    def read_snapshots(self, buffer, step: int, sink) -> None:
        """Copy the rows the compiled step has written up to `step` (one read of the buffer, only when due)."""
        due = [index for index in range(self._read, len(self.plan)) if self.plan[index] <= step]
        if not due:
            return
        rows = buffer.weights.numpy()
        self._read = due[-1] + 1
        for index in due:
            self.snapshot_steps.append(int(self.plan[index]))
            self.snapshot_rows.append(rows[index].copy())
            if sink is not None:
                sink.append((int(self.plan[index]), self.snapshot_rows[-1], self.total_steps, self.batch_size))


def _callback(record: _Record, *, steps_per_epoch: int, epochs: int, total_epochs: int, step_offset: int,
              batch_size: int, on_epoch, on_progress, curve_sink, snapshot_sink):
    keras = _keras()

    class Collect(keras.callbacks.Callback):
        epoch = 0
        last = 0  # the step of the report before, in this fit call

        def on_epoch_begin(self, epoch, logs=None):
            self.epoch = epoch
            record._epoch_sum = record._epoch_steps = 0.0

        def on_train_batch_end(self, batch, logs=None):
            logs = logs or {}
            # With steps_per_execution, Keras may report a batch index past the epoch's end.
            step = self.epoch * steps_per_epoch + min(batch + 1, steps_per_epoch)
            window, self.last = step - self.last, step
            record.steps.append(step_offset + step)
            finite = True
            for name in record.names:
                value = float(logs.get(name, math.nan))
                record.losses[name].append(value)
                finite = finite and math.isfinite(value)
            record.norms.append(float(logs.get("gradient_norm", math.nan)))
            loss = record.losses["loss"][-1]
            record._epoch_sum += loss * window
            record._epoch_steps += window
            for tracker in self.model.metrics:  # the next report averages only the steps after this one
                tracker.reset_state()
            record.read_snapshots(self.model.snapshot_buffer, step_offset + step, snapshot_sink)
            if curve_sink is not None:
                curve_sink.append([(step_offset + step) * batch_size, loss])
            if on_progress is not None:
                on_progress(step / (steps_per_epoch * epochs), loss)
            if not finite and record.diverged_step is None:
                record.diverged_step = step_offset + step
                self.model.stop_training = True

        def on_epoch_end(self, epoch, logs=None):
            loss = record._epoch_sum / record._epoch_steps if record._epoch_steps else math.nan
            record.history.append(loss)
            if on_epoch is not None:
                on_epoch(len(record.history), total_epochs, loss)

    return Collect()


def _whole_batches(inputs, targets, batch_size: int):
    """Drop the last partial batch, so every step has the same shape (one compile)."""
    inputs = np.asarray(inputs, dtype=np.float32)
    usable = len(inputs) - len(inputs) % batch_size
    if usable <= 0:
        from .config import ConfigError

        raise ConfigError("train_size", f"train_size must be at least the batch size {batch_size}")
    if isinstance(targets, dict):
        targets = {name: np.asarray(value, dtype=np.float32)[:usable] for name, value in targets.items()}
    else:
        targets = np.asarray(targets, dtype=np.float32)[:usable]
    return inputs[:usable], targets


def fit(experiment: Experiment, config, *, on_epoch=None, on_progress=None, start: Trained | None = None,
        curve_sink: list | None = None, snapshot_sink: list | None = None) -> Trained:
    """Train `config` of `experiment`, score and analyse it.

    `on_epoch(epoch, epochs, loss)` is called after each epoch and
    `on_progress(fraction, loss)` at every report. With `start` (the same
    configuration with fewer epochs), training continues from that model for
    the remaining epochs and the records are joined: its weights *and* its
    optimizer state are copied, so the result is exactly the model that
    training `config` from scratch gives (see `continuation_state`).
    `curve_sink`, if given, gets `[examples seen, loss]` at every report as
    training goes (so another thread can draw it), and `snapshot_sink`
    `(step, weights row, total steps, batch size)` at every snapshot kept (see `engine/snapshots.py`).
    Raises `TrainingDiverged`
    when the loss stops being finite, unless the experiment allows it.
    """
    began = time.perf_counter()
    recipe = experiment.recipe(config)
    if not JIT_COMPILE:
        recipe = type(recipe)(**{**recipe.__dict__, "jit_compile": False})
    inputs, targets = _whole_batches(*experiment.data(config), recipe.batch_size)
    model = plain_model(experiment, config)  # the model handed back; the pooled one does the training
    optimizer_state = continuation_state(start, config) if start is not None else None
    if optimizer_state is None:
        start = None  # nothing to continue exactly from: train from scratch (the same model, only slower)
    if start is not None:
        model.set_weights(start.model.get_weights())
    # Compiled (without XLA) only so that its file keeps the optimizer state for "Train more".
    model.compile(optimizer=_optimizer(recipe), loss=recipe.loss, jit_compile=False)
    done_epochs = len(start.history) if start is not None else 0
    steps_per_epoch = len(inputs) // recipe.batch_size
    pooled, compiled = _borrow(experiment, config, recipe)
    initial = model.get_weights()
    pooled.set_weights(initial)
    _set_optimizer_state(pooled, optimizer_state, recipe.learning_rate)
    done_steps = done_epochs * steps_per_epoch
    plan = _snapshots.schedule(config.epochs * steps_per_epoch)
    plan = plan[plan > done_steps]
    pooled.snapshot_buffer.schedule.assign(np.pad(plan, (0, _snapshots.ROWS - len(plan)), constant_values=-1))
    record = _Record(list(pooled.output_names) if isinstance(pooled.output, dict) else [], start, plan,
                     _snapshots.flatten(initial))
    record.total_steps, record.batch_size = config.epochs * steps_per_epoch, recipe.batch_size
    epochs = config.epochs - done_epochs
    if epochs > 0:
        _loop.train(pooled, inputs, targets, batch_size=recipe.batch_size, epochs=epochs,
                    steps_per_execution=recipe.steps_per_execution, jit_compile=recipe.jit_compile,
                    callbacks=[_callback(record, steps_per_epoch=steps_per_epoch, epochs=epochs,
                                         total_epochs=config.epochs, step_offset=done_steps,
                                         batch_size=recipe.batch_size, on_epoch=on_epoch, on_progress=on_progress,
                                         curve_sink=curve_sink, snapshot_sink=snapshot_sink)])
    final = pooled.get_weights()
    last_step = record.steps[-1] if record.steps else 0
    if (record.snapshot_steps[-1] if record.snapshot_steps else done_steps) < last_step:
        record.snapshot_steps.append(int(last_step))  # stopped before the schedule's end (the loss diverged)
        record.snapshot_rows.append(_snapshots.flatten(final))
    kept = Snapshots(steps=np.asarray(record.snapshot_steps, dtype=np.int64),
                     weights=np.asarray(record.snapshot_rows, dtype=np.float32).reshape(
                         len(record.snapshot_rows), -1), shapes=[tuple(w.shape) for w in initial])
    if start is not None and start.snapshots is not None:
        kept = start.snapshots.joined(kept)
    model.set_weights(final)
    _set_optimizer_state(model, [v.numpy() for v in _optimizer_variables(pooled)], recipe.learning_rate)
    trained = Trained(
        config=config, model=model, steps=np.asarray(record.steps, dtype=np.int64), batch_size=recipe.batch_size,
        losses={name: np.asarray(values, dtype=np.float64) for name, values in record.losses.items()},
        gradient_norm=np.asarray(record.norms, dtype=np.float64), history=record.history, metrics={},
        error_metric=experiment.error_metric, diverged_step=record.diverged_step, snapshots=kept,
        compiled=compiled, experiment=experiment)
    if trained.diverged and not experiment.allow_divergence:
        raise TrainingDiverged(f"training diverged: the loss became {trained.final_loss()}; "
                               "try a smaller learning rate")
    if experiment.analyse is not None:  # first: a score may read the results
        trained.results = arrays(plain(experiment.analyse(trained)))
    trained.metrics = {name: float(value) for name, value in experiment.score(trained).items()}
    _give_back(experiment, config, recipe, pooled)  # only after a training that ended normally; an exception drops it
    trained.seconds = time.perf_counter() - began + (start.seconds if start is not None else 0.0)
    return trained


# -- stored form ----------------------------------------------------------------------------------
def plain(value):
    """Arrays and numpy numbers as lists and floats, for JSON (NaN and infinity stay as JSON allows)."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [plain(v) for v in value]
    if isinstance(value, (np.integer, int)) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return float(value)
    return value


def arrays(value):
    """The reverse of `plain` for results: every list of numbers becomes a numpy array."""
    if isinstance(value, dict):
        return {k: arrays(v) for k, v in value.items()}
    if isinstance(value, list):
        return np.asarray(value, dtype=np.float64)
    return value
