"""
Training: one configuration in, one trained model with its history out.

The data is generated in one vectorised step and fed to a single `fit` call;
the book's loop of one `fit` per rectangle costs about 70 ms of fixed
overhead a call (30 minutes for 25,000 rectangles), while the same Adam steps
in one call take seconds. On a CPU, Keras' LSTM runs op by op, so the training
step is compiled with XLA (`jit_compile=True`) and several steps run per call
into the compiled function (`steps_per_execution`).

`train(config, on_epoch=..., on_progress=...)` reports after every epoch and
every few steps, so a page can draw a progress bar and a growing loss curve.
Same configuration, same result: data comes from a `numpy.random.Generator`
seeded by the config, weights from seeded initialisers, and batches are taken
in order (`shuffle=False`; the examples are random already).
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field

import numpy as np

from .backend import keras as _keras
from .config import RectangleConfig, SineConfig
from .data import rectangle_examples, sine_examples
from .evaluate import mean_absolute_error, rectangle_consistency, sine_holdout
from .models import build_model

# Tuned in benchmarks/ (see the README's Performance section); a test guards these values.
JIT_COMPILE = True
STEPS_PER_EXECUTION = {"sine": 50, "rectangles": 250}


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


def compile_model(model, config) -> None:
    keras = _keras()
    model.compile(
        loss="mae",
        optimizer=keras.optimizers.Adam(learning_rate=config.learning_rate),
        jit_compile=JIT_COMPILE,
        steps_per_execution=STEPS_PER_EXECUTION[config.experiment],
    )


def evaluate(trained_or_model, config) -> dict:
    """Held-out metrics: `{"mae": ...}` for the sine, `{"consistency": ...}` for rectangles."""
    predict = trained_or_model.predict if isinstance(trained_or_model, Trained) else (
        lambda x: np.asarray(trained_or_model.predict_on_batch(np.asarray(x, dtype=np.float32)))
    )
    if isinstance(config, SineConfig):
        inputs, expected = sine_holdout(config)
        return {"mae": mean_absolute_error(expected, predict(inputs))}
    return {"consistency": rectangle_consistency(lambda p: predict(np.asarray(p, np.float32).reshape(-1, 1, 2)))}


def _callback(total_steps: int, examples_per_step: int, epochs: int, curve: list, history: list,
              on_epoch, on_progress, step_offset: int):
    keras = _keras()

    class Progress(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.epoch = 0

        def on_epoch_begin(self, epoch, logs=None):
            self.epoch = epoch

        def on_train_batch_end(self, batch, logs=None):
            loss = float((logs or {}).get("loss", math.nan))
            # With steps_per_execution, Keras may report a batch index past the epoch's end.
            step = self.epoch * total_steps + min(batch + 1, total_steps)
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

    return Progress()


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
    model = build_model(config)
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
    compile_model(model, config)
    if optimizer_state is not None:
        model.optimizer.build(model.trainable_variables)
        for variable, value in zip(model.optimizer.variables, optimizer_state):
            variable.assign(value)
    epochs = config.epochs - done_epochs
    steps = math.ceil(len(inputs) / config.batch_size)
    step_offset = done_epochs * steps
    if epochs > 0:
        model.fit(
            inputs, targets,
            batch_size=config.batch_size, epochs=epochs, shuffle=False, verbose=0,
            callbacks=[_callback(steps, config.batch_size, epochs, curve, history,
                                 on_epoch, on_progress, step_offset)],
        )
    seconds = time.perf_counter() - began + (start.seconds if start is not None else 0.0)
    if not history or not all(math.isfinite(v) for v in history):
        raise TrainingDiverged(
            f"training diverged: the loss became {history[-1] if history else 'NaN'}; "
            "try a smaller learning rate"
        )
    trained = Trained(config=config, model=model, history=history, curve=list(curve), metrics={}, seconds=seconds)
    trained.metrics = evaluate(trained, config)
    return trained
