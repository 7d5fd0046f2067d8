"""
Training: one configuration in, one trained model with its history out.

The data is generated in one vectorised step and fed to a single `fit` call;
the book's loop of one `fit` per rectangle costs about 70 ms of fixed
overhead a call (30 minutes for 25,000 rectangles), while the same Adam steps
in one call take seconds. On a CPU, Keras' LSTM runs op by op, so the training
step is compiled with XLA (`jit_compile=True`) and several steps run per call
into the compiled function (`steps_per_execution`).

Compiling costs seconds (tracing the LSTM and XLA), an epoch about one, so
a compiled model is kept per *architecture* (everything but the data, seed,
epochs and learning rate) and reused by the next training of that
architecture in the process: its weights are set to the new configuration's
seeded initial weights and its optimizer's variables (step counter,
moments) to zero, which is exactly the state a newly built model starts
from, so warm and cold trainings give the same model (tested). A pooled
model serves one training at a time (two trainings of one architecture at
once each get their own), and it is never handed out: the trained weights
and optimizer state are copied into a newly built model, which pages keep
and predict with while the pooled model trains again.

`train(config, on_epoch=..., on_progress=...)` reports after every epoch and
every few steps, so a page can draw a progress bar and a growing loss curve.
Same configuration, same result: data comes from a `numpy.random.Generator`
seeded by the config, weights from seeded initialisers, and batches are taken
in order (`shuffle=False`; the examples are random already).
"""

from __future__ import annotations

import functools
import json
import math
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np

from .backend import keras as _keras
from .config import RectangleConfig, SineConfig
from .data import rectangle_examples, sine_examples
from .evaluate import mean_absolute_error, rectangle_consistency, sine_holdout
from .models import build_model

# Tuned in benchmarks/ (see the README's Performance section); a test guards these values.
JIT_COMPILE = True
STEPS_PER_EXECUTION = {"sine": 100, "rectangles": 250}

# Compiled models kept for warm starts: at most POOL_SIZE idle ones, least recently used out first.
POOL_SIZE = 8
_pool: OrderedDict = OrderedDict()  # architecture → idle compiled models
_pool_lock = threading.Lock()
# Config fields a compiled training step does not depend on (a new field counts as architecture: safe).
_NOT_ARCHITECTURE = frozenset({"seed", "train_size", "epochs", "learning_rate", "period_range", "decay_range"})


class TrainingDiverged(RuntimeError):
    """The loss became NaN or infinite: nothing is kept or stored."""


@dataclass
class Trained:
    """A trained model with everything a page shows about it.

    `history` is the training loss at the end of each epoch; `curve` is the
    running training loss every few steps as `[examples seen, loss]`, for a
    finer plot. `metrics` holds the held-out error (`mae` for the sine,
    `consistency` for rectangles). `source` says whether it was trained now
    (`"trained"`) or loaded from the model store (`"store"`).
    """

    config: object
    model: object
    history: list
    curve: list
    metrics: dict
    seconds: float
    source: str = "trained"
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def predict(self, inputs) -> np.ndarray:
        """Predict on a batch. A lock makes one model safe to share between sessions."""
        with self._lock:
            return np.asarray(self.model.predict_on_batch(np.asarray(inputs, dtype=np.float32)))

    def predict_points(self, points) -> np.ndarray:
        """For the rectangle model: points (k, 2) → next points (k, 2)."""
        points = np.asarray(points, dtype=np.float32).reshape(-1, 1, 2)
        return self.predict(points).reshape(-1, 2)

    @property
    def error(self) -> float:
        return float(self.metrics.get("mae", self.metrics.get("consistency", math.nan)))


def training_data(config):
    """The training set of a configuration, from a generator seeded by it."""
    rng = np.random.default_rng(config.seed)
    if isinstance(config, SineConfig):
        return sine_examples(
            config.train_size, rng, length=config.length, output=config.output,
            period_range=config.period_range, decay_range=config.decay_range,
        )
    if isinstance(config, RectangleConfig):
        return rectangle_examples(config.train_size, rng)
    raise TypeError(f"unknown configuration {config!r}")


def compile_model(model, config, *, jit_compile: bool | None = None) -> None:
    keras = _keras()
    model.compile(
        loss="mae",
        optimizer=keras.optimizers.Adam(learning_rate=config.learning_rate),
        jit_compile=JIT_COMPILE if jit_compile is None else jit_compile,
        steps_per_execution=STEPS_PER_EXECUTION[config.experiment],
    )


def architecture(config) -> str:
    """What a compiled training step depends on: the config without its data, seed, epochs and learning rate."""
    fields = {k: v for k, v in config.to_dict().items() if k not in _NOT_ARCHITECTURE}
    return json.dumps({"experiment": config.experiment, "jit_compile": JIT_COMPILE,
                       "steps_per_execution": STEPS_PER_EXECUTION[config.experiment], **fields}, sort_keys=True)


def _borrow(config):
    """`(compiled model, warm?)`: an idle pooled model of this architecture, or a new one."""
    key = architecture(config)
    with _pool_lock:
        idle = _pool.get(key)
        if idle:
            model = idle.pop()
            if not idle:
                del _pool[key]
            return model, True
    model = build_model(config)
    compile_model(model, config)
    # Its held-out predictions run without XLA: a quick trace (0.15 s) instead of a compile (0.35 s).
    # Keras makes the predict function with the flag of the moment, the training function at the first fit.
    model.jit_compile = False
    model.make_predict_function()
    model.jit_compile = JIT_COMPILE
    return model, False


def _give_back(config, model) -> None:
    key = architecture(config)
    with _pool_lock:
        _pool.setdefault(key, []).append(model)
        _pool.move_to_end(key)
        while sum(len(models) for models in _pool.values()) > POOL_SIZE:
            oldest = next(iter(_pool))
            _pool[oldest].pop(0)
            if not _pool[oldest]:
                del _pool[oldest]


def clear_pool() -> None:
    """Forget every compiled model (the next training of each architecture compiles again)."""
    with _pool_lock:
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


def evaluate(trained_or_model, config) -> dict:
    """Held-out metrics: `{"mae": ...}` for the sine, `{"consistency": ...}` for rectangles."""
    predict = trained_or_model.predict if isinstance(trained_or_model, Trained) else (
        lambda x: np.asarray(trained_or_model.predict_on_batch(np.asarray(x, dtype=np.float32)))
    )
    if isinstance(config, SineConfig):
        inputs, expected = sine_holdout(config)
        return {"mae": mean_absolute_error(expected, predict(inputs))}
    return {"consistency": rectangle_consistency(lambda p: predict(np.asarray(p, np.float32).reshape(-1, 1, 2)))}


@functools.cache
def step_callback():
    """A Keras callback base class that knows each batch end's step in the whole training.

    `self.step(batch)` is the 1-based step since training began. With
    `steps_per_execution`, Keras may report a batch index past the epoch's
    end, so it is clipped to the epoch.
    """
    keras = _keras()

    class StepCallback(keras.callbacks.Callback):
        def __init__(self, steps_per_epoch: int):
            super().__init__()
            self.epoch = 0
            self.steps_per_epoch = steps_per_epoch

        def on_epoch_begin(self, epoch, logs=None):
            self.epoch = epoch

        def step(self, batch: int) -> int:
            return self.epoch * self.steps_per_epoch + min(batch + 1, self.steps_per_epoch)

    return StepCallback


def _callback(total_steps: int, examples_per_step: int, epochs: int, curve: list, history: list,
              on_epoch, on_progress, step_offset: int):
    class Progress(step_callback()):
        def on_train_batch_end(self, batch, logs=None):
            loss = float((logs or {}).get("loss", math.nan))
            step = self.step(batch)
            curve.append([(step_offset + step) * examples_per_step, loss])
            if not math.isfinite(loss):
                self.model.stop_training = True
            if on_progress is not None:
                on_progress(step / (total_steps * epochs), loss)

        def on_epoch_end(self, epoch, logs=None):
            loss = float((logs or {}).get("loss", math.nan))
            history.append(loss)
            if not math.isfinite(loss):
                self.model.stop_training = True
            if on_epoch is not None:
                on_epoch(epoch + 1, epochs, loss)

    return Progress(total_steps)


def continuation_state(start: Trained, config) -> list | None:
    """The optimizer state to continue `start` into `config` exactly, or None if it has none.

    "Train more" continues a model instead of starting again. The continued
    model is exactly (bit for bit, tested) the model that training `config`
    from scratch gives: the same data in the same order, the same weights and
    the same optimizer state at the epoch boundary. So it is stored under
    `config.key()`, its own key, beside the shorter model, and can never
    differ from a model trained from scratch under that key. A model loaded
    without its optimizer (`compile=False`) returns None, and `train` then
    trains from scratch; `Trainer.get` reloads the optimizer from the store
    first. Raises ValueError if `config` is not `start.config` with more epochs.
    """
    if start.config.replace(epochs=config.epochs) != config or len(start.history) >= config.epochs:
        raise ValueError(f"cannot continue {start.config.key()} into {config.key()}: "
                         "only the same configuration with more epochs continues a model")
    optimizer = getattr(start.model, "optimizer", None)
    if optimizer is None or not getattr(optimizer, "built", False):
        return None
    return [np.array(variable.numpy()) for variable in optimizer.variables]


def train(config, *, on_epoch=None, on_progress=None, start: Trained | None = None,
          curve_sink: list | None = None) -> Trained:
    """Train `config` and score it on held-out data.

    `on_epoch(epoch, epochs, loss)` is called after each epoch and
    `on_progress(fraction, loss)` every `STEPS_PER_EXECUTION` steps. With
    `start` (the same configuration with fewer epochs), training continues
    from that trained model for `config.epochs - start.config.epochs` more
    epochs, and the histories are joined: its weights *and* its optimizer
    state (Adam's step count and moments) are copied, not changed, so the
    result is exactly the model that training `config` from scratch gives,
    and it belongs under `config.key()` (see `continuation_state`). Raises `TrainingDiverged` when the
    loss stops being finite. `curve_sink`, if given, is the list the fine
    loss curve is appended to as training goes (so another thread can draw it).
    """
    began = time.perf_counter()
    inputs, targets = training_data(config)
    model = build_model(config)  # the model handed back; the pooled one does the training
    history, done_epochs = [], 0
    curve = curve_sink if curve_sink is not None else []
    optimizer_state = continuation_state(start, config) if start is not None else None
    if optimizer_state is None:
        start = None  # nothing to continue exactly from: train from scratch (the same model, only slower)
    if start is not None:
        model.set_weights(start.model.get_weights())
        history = list(start.history)
        curve.extend(list(p) for p in start.curve)
        done_epochs = len(start.history)
    # Not XLA-compiled: the pages' first prediction of each input shape is then a quick trace.
    compile_model(model, config, jit_compile=False)
    epochs = config.epochs - done_epochs
    steps = math.ceil(len(inputs) / config.batch_size)
    step_offset = done_epochs * steps
    pooled, _ = _borrow(config)
    pooled.set_weights(model.get_weights())
    _set_optimizer_state(pooled, optimizer_state, config.learning_rate)
    if epochs > 0:
        pooled.fit(
            inputs, targets,
            batch_size=config.batch_size, epochs=epochs, shuffle=False, verbose=0,
            callbacks=[_callback(steps, config.batch_size, epochs, curve, history,
                                 on_epoch, on_progress, step_offset)],
        )
    model.set_weights(pooled.get_weights())
    _set_optimizer_state(model, [v.numpy() for v in _optimizer_variables(pooled)], config.learning_rate)
    metrics = evaluate(pooled, config) if history and all(math.isfinite(v) for v in history) else {}
    _give_back(config, pooled)  # only after a fit that ended normally; an exception drops it
    seconds = time.perf_counter() - began + (start.seconds if start is not None else 0.0)
    if not history or not all(math.isfinite(v) for v in history):
        raise TrainingDiverged(
            f"training diverged: the loss became {history[-1] if history else 'NaN'}; "
            "try a smaller learning rate"
        )
    return Trained(config=config, model=model, history=history, curve=list(curve), metrics=metrics, seconds=seconds)
