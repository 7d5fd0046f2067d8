"""
Training for the concept lessons: one `fit` call, a loss curve for every
output, the gradient norm, NaN caught, and compiled models reused.

The concept lessons train small models again and again while a teacher moves
a slider (the lag of a memory task, a seed, the number of examples). On a
2-core CPU, compiling a recurrent model with XLA (`jit_compile=True`) takes
5 to 10 seconds, and then an epoch takes a fraction of a second. So a
compiled model is kept per *architecture* (its layers and shapes, loss,
optimizer and batch size) in a small pool, and a new training of the same
architecture reuses it: its weights are set to the fresh, seeded initial
weights of the new configuration and its optimizer's state is zeroed, which
is exactly the state a newly built model would start from. Only changing
the architecture (units, sequence length, cell) pays the compile again.

Every model is trained by a custom `train_step` that reports, for each named
output, its own loss (a model with several independent branches, such as
three cells trained side by side, gets one curve per branch), the total loss
and the norm of the whole gradient before any clipping. The values are
averaged over the last few steps and collected after every `report_every`
steps (Keras' `steps_per_execution`). When a loss stops being finite the
training stops and the step is recorded, so a page can say "the loss became
NaN at step 37" instead of drawing nothing.

Tests set `JIT_COMPILE = False`: for micro models the XLA compile costs more
than it saves.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np

from .backend import keras as _keras
from .config import ConfigError, check_float, check_int
from .training import step_callback

JIT_COMPILE = True
POOL_SIZE = 8
LOSSES = ("mae", "mse")
OPTIMIZERS = ("adam", "sgd")

_pool: OrderedDict = OrderedDict()
_pool_lock = threading.Lock()
_recording_class = None


@dataclass(frozen=True)
class Recipe:
    """How to train: loss, optimizer, learning rate, clipping, batch size, epochs.

    `clipnorm` (0 = off) rescales the gradient of each weight tensor to at
    most that norm before the update (Keras' `clipnorm`). `report_every` is
    the number of steps between two points of the loss curve.
    """

    loss: str = "mae"
    optimizer: str = "adam"
    learning_rate: float = 3e-3
    clipnorm: float = 0.0
    batch_size: int = 32
    epochs: int = 1
    report_every: int = 8

    def __post_init__(self):
        if self.loss not in LOSSES:
            raise ConfigError("loss", f"loss must be one of {', '.join(LOSSES)} (got {self.loss!r})")
        if self.optimizer not in OPTIMIZERS:
            raise ConfigError("optimizer", f"optimizer must be one of {', '.join(OPTIMIZERS)} (got {self.optimizer!r})")
        check_float("learning_rate", self.learning_rate, 0.0, 100.0, low_open=True)
        check_float("clipnorm", self.clipnorm, 0.0, 100.0)
        check_int("batch_size", self.batch_size, 1, 1024)
        check_int("epochs", self.epochs, 1, 200)
        check_int("report_every", self.report_every, 1, 1000)


@dataclass
class Fit:
    """What one training did, report by report.

    `steps[k]` is the number of optimizer steps done at report k and
    `losses[name][k]` the mean loss of output `name` over the steps since the
    report before (`"loss"` is their sum); `gradient_norm[k]` likewise, before
    clipping. `diverged_step` is the step at which a loss first stopped being
    finite (training stopped there), or None. `compiled` is True if this
    training paid for a new compile, False if it reused a compiled model.
    """

    steps: np.ndarray
    examples: np.ndarray
    losses: dict
    gradient_norm: np.ndarray
    seconds: float
    diverged_step: int | None = None
    compiled: bool = True

    @property
    def diverged(self) -> bool:
        return self.diverged_step is not None

    def final_loss(self, name: str = "loss") -> float:
        values = self.losses[name]
        return float(values[-1]) if len(values) else math.nan

    def divergence_message(self) -> str:
        """Plain words for a page: empty if the loss stayed finite."""
        if self.diverged_step is None:
            return ""
        last = self.losses["loss"][-1] if len(self.losses["loss"]) else math.nan
        if math.isnan(last):
            return f"the loss became NaN (not a number) at step {self.diverged_step}: training stopped there"
        return (f"the loss overflowed to infinity at step {self.diverged_step}, on its way to NaN (not a "
                "number): training stopped there")


@dataclass
class Trained:
    """A model trained by `train`: an uncompiled Keras model holding the trained weights, and its Fit.

    The model is the caller's own copy (the compiled one goes back to the
    pool), so it is safe to keep; `lock` serialises calls into it.
    """

    model: object
    fit: Fit
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _functions: dict = field(default_factory=dict, repr=False)

    def predict(self, inputs, output: str | None = None):
        """All outputs as a dict of arrays, or one output's array.

        Runs through a `tf.function` (traced once, then about 2 ms a call; any
        batch size or sequence length), not `model.predict`, which would
        compile again for every new input shape.
        """
        _keras()
        import tensorflow as tf

        with self.lock:
            if output not in self._functions:
                model = self.model if output is None else _keras().Model(
                    self.model.input, self.model.get_layer(output).output)
                self._functions[output] = tf.function(lambda x: model(x, training=False), reduce_retracing=True)
            outputs = self._functions[output](tf.constant(np.asarray(inputs, dtype=np.float32)))
        if isinstance(outputs, dict):
            return {name: np.asarray(value) for name, value in outputs.items()}
        return np.asarray(outputs)


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
            self._names = list(self.output_names)
            self._trackers = [keras.metrics.Mean(name=name) for name in [*self._names, "loss", "gradient_norm"]]

        @property
        def metrics(self):
            return list(self._trackers)

        def train_step(self, data):
            inputs, targets = data[0], data[1]
            with tf.GradientTape() as tape:
                predicted = self(inputs, training=True)
                losses = [tf.reduce_mean(self._loss_function(targets[name], predicted[name])) for name in self._names]
                total = tf.add_n(losses)
            gradients = tape.gradient(total, self.trainable_variables)
            norm = tf.linalg.global_norm(gradients)
            self.optimizer.apply(gradients, self.trainable_variables)
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
    if recipe.optimizer == "sgd":
        return keras.optimizers.SGD(**options)
    return keras.optimizers.Adam(**options)


def _reset_optimizer(optimizer, learning_rate: float) -> None:
    """Zero every optimizer variable (step counter, moments) and set the learning rate."""
    rate = getattr(optimizer, "_learning_rate", None)
    for variable in optimizer.variables:
        if variable is rate:
            variable.assign(learning_rate)
        else:
            variable.assign(np.zeros(variable.shape, dtype=variable.dtype))


def _pooled(architecture: str, recipe: Recipe, build, seed: int):
    """`(compiled model, its lock, newly compiled?)` for an architecture, from the pool or built now."""
    key = (architecture, recipe.loss, recipe.optimizer, recipe.clipnorm, recipe.batch_size,
           recipe.report_every, JIT_COMPILE)
    with _pool_lock:
        if key in _pool:
            _pool.move_to_end(key)
            model, lock = _pool[key]
            return model, lock, False
    inputs, outputs = build(seed)
    model = _recording_model_class()(inputs=inputs, outputs=outputs)
    model.compile(optimizer=_optimizer(recipe), jit_compile=JIT_COMPILE, steps_per_execution=recipe.report_every)
    model.start_recording(recipe.loss)
    lock = threading.Lock()
    with _pool_lock:
        _pool[key] = (model, lock)
        while len(_pool) > POOL_SIZE:
            _pool.popitem(last=False)
    return model, lock, True


def clear_pool() -> None:
    """Forget every compiled model (tests use it to measure a cold start)."""
    with _pool_lock:
        _pool.clear()


def _collector(losses: dict, steps: list, norms: list, state: dict):
    class Collect(step_callback()):
        def on_train_batch_end(self, batch, logs=None):
            logs = logs or {}
            step = self.step(batch)
            steps.append(step)
            finite = True
            for name in losses:
                value = float(logs.get(name, math.nan))
                losses[name].append(value)
                finite = finite and math.isfinite(value)
            norm = float(logs.get("gradient_norm", math.nan))
            norms.append(norm)
            for tracker in self.model.metrics:  # the next point averages only the steps after this one
                tracker.reset_state()
            if not finite and state["diverged"] is None:
                state["diverged"] = step
                self.model.stop_training = True

    return Collect(state["steps_per_epoch"])


def train(architecture: str, build, seed: int, inputs, targets: dict, recipe: Recipe) -> Trained:
    """Train the model `build(seed)` on `(inputs, targets)` with `recipe`, in one `fit` call.

    `build(seed)` returns `(keras.Input, {output name: tensor})` with every
    initialiser seeded from `seed`; `architecture` names everything about
    the model except its seed (two calls with the same name must build the
    same shapes). `targets` maps each output name to its array. The last
    partial batch is dropped so every step has the same shape (one compile).
    """
    began = time.perf_counter()
    keras = _keras()
    inputs = np.asarray(inputs, dtype=np.float32)
    usable = len(inputs) - len(inputs) % recipe.batch_size
    if usable <= 0:
        raise ConfigError("train_size", f"train_size must be at least the batch size {recipe.batch_size}")
    inputs = inputs[:usable]
    targets = {name: np.asarray(value, dtype=np.float32)[:usable] for name, value in targets.items()}

    fresh_inputs, fresh_outputs = build(seed)
    fresh = keras.Model(inputs=fresh_inputs, outputs=fresh_outputs)
    model, lock, compiled = _pooled(architecture, recipe, build, seed)
    names = list(model.output_names)
    if sorted(names) != sorted(targets):
        raise ValueError(f"targets {sorted(targets)} do not match the model's outputs {sorted(names)}")
    losses = {name: [] for name in [*names, "loss"]}
    steps, norms = [], []
    state = {"diverged": None, "steps_per_epoch": usable // recipe.batch_size}
    with lock:
        model.set_weights(fresh.get_weights())
        _reset_optimizer(model.optimizer, float(recipe.learning_rate))
        model.fit(inputs, targets, batch_size=recipe.batch_size, epochs=recipe.epochs, shuffle=False, verbose=0,
                  callbacks=[_collector(losses, steps, norms, state)])
        trained_weights = model.get_weights()
    fresh.set_weights(trained_weights)
    steps = np.asarray(steps, dtype=np.int64)
    fit = Fit(
        steps=steps, examples=steps * recipe.batch_size,
        losses={name: np.asarray(values, dtype=np.float64) for name, values in losses.items()},
        gradient_norm=np.asarray(norms, dtype=np.float64), seconds=time.perf_counter() - began,
        diverged_step=state["diverged"], compiled=compiled,
    )
    return Trained(model=fresh, fit=fit)


def seeded(seed: int, index: int) -> dict:
    """Seeded initialisers for the recurrent layer `index` of a model (never the global seed)."""
    keras = _keras()
    base = (seed * 1_000_003 + index * 7919 + 17) % (2**31 - 1)
    return {
        "kernel_initializer": keras.initializers.GlorotUniform(seed=base),
        "recurrent_initializer": keras.initializers.Orthogonal(seed=base + 1),
    }


def dense_seeded(seed: int, index: int) -> dict:
    keras = _keras()
    return {"kernel_initializer": keras.initializers.GlorotUniform(seed=(seed * 1_000_003 + index * 104_729 + 5) % (2**31 - 1))}
