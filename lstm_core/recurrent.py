"""
SimpleRNN, GRU and LSTM side by side: learning a long lag, vanishing and
exploding gradients.

The course notes say a plain RNN cannot carry information over many steps:
backpropagated through time, the gradient is multiplied at every step by the
recurrent weights and the slope of tanh, and shrinks (vanishes) or grows
(explodes) exponentially. The gated cells (GRU with two gates, LSTM with
three) can learn to keep it. We test it on two tasks:

- *lag*: a sequence of `length` random values in [0, 1), one of them marked
  (a second input feature is 1 at that step, 0 elsewhere); the model must
  output the marked value, seen `lag` steps before the end. Guessing 0.5
  every time scores a mean absolute error of 0.25.
- *sine*: the book's damped sine wave (chapter 7), 50 steps in, 5 out.

The three cells get the same units, the same data in the same order and
seeds derived from the same seed, and are trained side by side as three
independent branches of one Keras model: one compile and one `fit` call
instead of three. Each branch's weights get gradients from its own loss only,
and Adam scales every weight on its own, so each branch learns exactly as it
would alone.

The vanishing gradient is measured directly: the norm of the gradient of the
loss with respect to the input at each time step (`tf.GradientTape`),
averaged over held-out sequences. The exploding gradient is shown by
training one cell with plain SGD at a chosen learning rate, with and
without gradient clipping (`clipnorm`), recording the gradient norm and the
loss at every step.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import data, fitting
from .backend import keras as _keras
from .config import MAX_SEED, ConfigError, _Keyed, check_float, check_int, max_epochs, max_train_size, max_units
from .evaluate import mean_absolute_error

CELLS = ("SimpleRNN", "GRU", "LSTM")
TASKS = ("lag", "sine")
SINE_OUTPUT = 5
HOLDOUT_SIZE = 500
HOLDOUT_SEED = 20_240_918  # never a training seed
GUESS_MAE = 0.25  # the lag task's error when always answering 0.5


def cell_parameters(cell: str, inputs: int, units: int) -> int:
    """Parameters of one recurrent layer.

    SimpleRNN: u·(i + u + 1). LSTM: 4 gates, 4·u·(i + u + 1). GRU: 3 gates
    with Keras' default `reset_after=True`, which keeps two bias vectors:
    3·u·(i + u + 2).
    """
    if cell == "SimpleRNN":
        return units * (inputs + units + 1)
    if cell == "GRU":
        return 3 * units * (inputs + units + 2)
    if cell == "LSTM":
        return 4 * units * (inputs + units + 1)
    raise ValueError(f"cell must be one of {', '.join(CELLS)} (got {cell!r})")


def _check_choice(field: str, value, choices) -> None:
    if value not in choices:
        raise ConfigError(field, f"{field} must be one of {', '.join(choices)} (got {value!r})")


@dataclass(frozen=True)
class CellsConfig(_Keyed):
    """Three cells trained on the same task with the same units, data and seed.

    The defaults (50 steps, lag 20, 16 units, 2,048 sequences, 8 epochs)
    train in a few seconds once compiled. At lag 20 the outcome depends on
    the seed: over seeds 0-4 the SimpleRNN stayed at the guessing error for
    3, the LSTM for 1 and the GRU for none (`benchmarks/cells_seeds.py`);
    the default seed 4 is one where both gated cells learn and the
    SimpleRNN does not, the typical picture.
    """

    task: str = "lag"
    lag: int = 20
    length: int = 50
    units: int = 16
    train_size: int = 2_048
    epochs: int = 8
    seed: int = 4
    learning_rate: float = 1e-2
    batch_size: int = 32

    experiment = "cells"

    def __post_init__(self):
        _check_choice("task", self.task, TASKS)
        check_int("length", self.length, 10, 200)
        check_int("lag", self.lag, 0, self.length - 1 if self.task == "lag" else 200)  # unused by the sine task
        check_int("units", self.units, 1, max_units())
        check_int("batch_size", self.batch_size, 1, 1024)
        check_int("train_size", self.train_size, max(self.batch_size, 64), max_train_size())
        check_int("epochs", self.epochs, 1, max_epochs())
        check_int("seed", self.seed, 0, MAX_SEED)
        check_float("learning_rate", self.learning_rate, 0.0, 1.0, low_open=True)

    def to_dict(self) -> dict:
        values = super().to_dict()
        if self.task == "sine":
            values.pop("lag")  # the sine task has no lag: moving the slider must not retrain it
        return values

    def slug(self) -> str:
        task = f"lag{self.lag}" if self.task == "lag" else "sine"
        return f"{task}-t{self.length}-u{self.units}-n{self.train_size}-e{self.epochs}-s{self.seed}"

    @property
    def features(self) -> int:
        return 2 if self.task == "lag" else 1

    @property
    def outputs(self) -> int:
        return 1 if self.task == "lag" else SINE_OUTPUT


@dataclass(frozen=True)
class ExplodeConfig(_Keyed):
    """One cell on the damped sine wave, trained with plain SGD and a mean squared error.

    With a large learning rate the updates overshoot, the weights and the
    gradient grow step after step, and the loss overflows to NaN; with
    `clipnorm` > 0 each gradient is rescaled to at most that norm, so each
    update stays bounded. `clipnorm = 0` means no clipping.
    """

    cell: str = "SimpleRNN"
    learning_rate: float = 0.5
    clipnorm: float = 0.0
    units: int = 16
    length: int = 50
    train_size: int = 1_024
    epochs: int = 2
    seed: int = 0
    batch_size: int = 32

    experiment = "explode"

    def __post_init__(self):
        _check_choice("cell", self.cell, CELLS)
        check_float("learning_rate", self.learning_rate, 0.0, 100.0, low_open=True)
        check_float("clipnorm", self.clipnorm, 0.0, 100.0)
        check_int("units", self.units, 1, max_units())
        check_int("length", self.length, 5, 200)
        check_int("batch_size", self.batch_size, 1, 1024)
        check_int("train_size", self.train_size, max(self.batch_size, 64), max_train_size())
        check_int("epochs", self.epochs, 1, max_epochs())
        check_int("seed", self.seed, 0, MAX_SEED)

    def slug(self) -> str:
        return f"{self.cell}-lr{self.learning_rate:g}-clip{self.clipnorm:g}-u{self.units}-s{self.seed}"


# -- data -------------------------------------------------------------------------------------

def lag_examples(n: int, rng: np.random.Generator, *, length: int, lag: int):
    """`n` lag-task sequences: X (n, length, 2) (value, marker) and y (n, 1), float32."""
    values = rng.random((n, length), dtype=np.float32)
    position = length - 1 - lag
    marker = np.zeros((n, length), dtype=np.float32)
    marker[:, position] = 1.0
    return np.stack([values, marker], axis=-1), values[:, position:position + 1]


def task_examples(config, n: int, rng: np.random.Generator):
    """`(X, y)` for a CellsConfig's task (or the sine task for an ExplodeConfig)."""
    if getattr(config, "task", "sine") == "lag":
        return lag_examples(n, rng, length=config.length, lag=config.lag)
    return data.sine_examples(n, rng, length=config.length, output=SINE_OUTPUT)


def holdout(config, n: int = HOLDOUT_SIZE):
    return task_examples(config, n, np.random.default_rng(HOLDOUT_SEED))


# -- models -----------------------------------------------------------------------------------

def _layer(cell: str):
    return getattr(_keras().layers, cell)


def build_cells(config: CellsConfig, seed: int):
    """One input, three independent branches `cell → Dense`, outputs named by cell."""
    keras = _keras()
    inputs = keras.Input(shape=(config.length, config.features), name="sequence")
    outputs = {}
    for index, cell in enumerate(CELLS):
        hidden = _layer(cell)(config.units, name=f"{cell}_layer", **fitting.seeded(seed, index))(inputs)
        outputs[cell] = keras.layers.Dense(config.outputs, name=cell, **fitting.dense_seeded(seed, index))(hidden)
    return inputs, outputs


def build_one(config: ExplodeConfig, seed: int):
    keras = _keras()
    inputs = keras.Input(shape=(config.length, 1), name="sequence")
    hidden = _layer(config.cell)(config.units, name=f"{config.cell}_layer", **fitting.seeded(seed, 0))(inputs)
    return inputs, {config.cell: keras.layers.Dense(SINE_OUTPUT, name=config.cell, **fitting.dense_seeded(seed, 0))(hidden)}


# -- results ----------------------------------------------------------------------------------

@dataclass
class CellComparison:
    """Three trained cells: loss curves, held-out errors, parameters and gradient profiles.

    `gradients[cell]` and `initial_gradients[cell]` have shape (length,): the
    mean norm of d loss / d input at each time step, after and before training.
    """

    config: CellsConfig
    fit: fitting.Fit
    errors: dict
    parameters: dict
    gradients: dict
    initial_gradients: dict
    seconds: float


def input_gradients(model, inputs, targets, names) -> dict:
    """For each output name: mean over examples of ||d loss / d x_t||, shape (length,).

    The loss is the mean squared error of that output, as in training.
    """
    _keras()
    import tensorflow as tf

    x = tf.constant(np.asarray(inputs, dtype=np.float32))
    y = tf.constant(np.asarray(targets, dtype=np.float32))
    profiles = {}
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        outputs = model(x, training=False)
        losses = {name: tf.reduce_mean(tf.square(outputs[name] - y)) for name in names}
    for name in names:
        gradient = tape.gradient(losses[name], x).numpy()
        profiles[name] = np.sqrt((gradient.astype(np.float64) ** 2).sum(axis=-1)).mean(axis=0)
    del tape
    return profiles


def compare_cells(config: CellsConfig) -> CellComparison:
    """Train the three cells on `config`'s task and measure them (see the module docstring)."""
    keras = _keras()
    inputs, targets = task_examples(config, config.train_size, np.random.default_rng(config.seed))
    recipe = fitting.Recipe(loss="mse", learning_rate=config.learning_rate, batch_size=config.batch_size,
                            epochs=config.epochs, report_every=8)
    architecture = f"cells-{config.task}-t{config.length}-f{config.features}-o{config.outputs}-u{config.units}"
    build = lambda seed: build_cells(config, seed)  # noqa: E731
    trained = fitting.train(architecture, build, config.seed, inputs, {cell: targets for cell in CELLS}, recipe)
    test_inputs, test_targets = holdout(config)
    gradient_inputs, gradient_targets = test_inputs[:256], test_targets[:256]
    predictions = trained.predict(test_inputs)
    start_inputs, start_outputs = build(config.seed)
    initial = keras.Model(start_inputs, start_outputs)
    return CellComparison(
        config=config, fit=trained.fit,
        errors={cell: mean_absolute_error(test_targets, predictions[cell]) for cell in CELLS},
        parameters={cell: cell_parameters(cell, config.features, config.units) for cell in CELLS},
        gradients=input_gradients(trained.model, gradient_inputs, gradient_targets, CELLS),
        initial_gradients=input_gradients(initial, gradient_inputs, gradient_targets, CELLS),
        seconds=trained.fit.seconds,
    )


@dataclass
class ExplodeRun:
    """One SGD training, step by step: loss and gradient norm (before clipping)."""

    config: ExplodeConfig
    fit: fitting.Fit

    @property
    def message(self) -> str:
        return self.fit.divergence_message()


def explode(config: ExplodeConfig) -> ExplodeRun:
    """Train one cell with SGD at `config.learning_rate`, recording every step."""
    inputs, targets = task_examples(config, config.train_size, np.random.default_rng(config.seed))
    recipe = fitting.Recipe(loss="mse", optimizer="sgd", learning_rate=config.learning_rate,
                            clipnorm=config.clipnorm, batch_size=config.batch_size, epochs=config.epochs,
                            report_every=1)
    architecture = f"explode-{config.cell}-t{config.length}-u{config.units}"
    trained = fitting.train(architecture, lambda seed: build_one(config, seed), config.seed, inputs,
                            {config.cell: targets}, recipe)
    return ExplodeRun(config=config, fit=trained.fit)
