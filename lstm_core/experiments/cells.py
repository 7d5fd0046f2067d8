"""
SimpleRNN, GRU and LSTM side by side on a long lag, and their gradients.

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
instead of three. Each branch's weights get gradients from its own loss
only, and Adam scales every weight on its own, so each branch learns exactly
as it would alone.

The vanishing gradient is measured directly: the norm of the gradient of the
loss with respect to the input at each time step (`tf.GradientTape`),
averaged over held-out sequences, before and after training.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import data
from ..engine import seeds
from ..engine.backend import keras as _keras
from ..engine.config import Keyed, check_choice, check_int
from ..engine.experiment import DATA_FIELDS, Experiment, Recipe
from ..evaluate import mean_absolute_error
from .formulas import CELLS, cell_parameters

TASKS = ("lag", "sine")
SINE_OUTPUT = 5
HOLDOUT_SIZE = 500
HOLDOUT_SEED = 20_240_918  # never a training seed
GUESS_MAE = 0.25  # the lag task's error when always answering 0.5


@dataclass(frozen=True)
class CellsConfig(Keyed):
    """Three cells trained on the same task with the same units, data and seed.

    The defaults (50 steps, lag 20, 16 units, 2,048 sequences, 8 epochs)
    train in a few seconds once compiled. At lag 20 the outcome depends on
    the seed (`benchmarks/cells_seeds.py` counts it over seeds); the default
    seed 4 is one where both gated cells learn and the SimpleRNN does not,
    the typical picture.
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
    # A range that depends on another field (the marked value is one of the sequence's steps). The pages' link
    # check and slider read it here (`ui/params.py`), so the link, the widget and this check agree.
    DEPENDENT_RANGES = {"lag": ("length", lambda length: (0, length - 1))}

    def __post_init__(self):
        check_choice("task", self.task, TASKS)
        check_int("length", self.length, 10, 200)
        lag_range = self.DEPENDENT_RANGES["lag"][1](self.length) if self.task == "lag" else (0, 200)  # unused by sine
        check_int("lag", self.lag, *lag_range)
        self.check_training(smallest=64, a_batch=True)

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


def lag_examples(n: int, rng: np.random.Generator, *, length: int, lag: int):
    """`n` lag-task sequences: X (n, length, 2) (value, marker) and y (n, 1), float32."""
    values = rng.random((n, length), dtype=np.float32)
    position = length - 1 - lag
    marker = np.zeros((n, length), dtype=np.float32)
    marker[:, position] = 1.0
    return np.stack([values, marker], axis=-1), values[:, position:position + 1]


def task_examples(config, n: int, rng: np.random.Generator):
    """`(X, y)` for a configuration's task (the sine task for a configuration without one)."""
    if getattr(config, "task", "sine") == "lag":
        return lag_examples(n, rng, length=config.length, lag=config.lag)
    return data.sine_examples(n, rng, length=config.length, output=SINE_OUTPUT)


def holdout(config, n: int = HOLDOUT_SIZE):
    return task_examples(config, n, np.random.default_rng(HOLDOUT_SEED))


def recurrent_layer(cell: str):
    return getattr(_keras().layers, cell)


def build(config: CellsConfig):
    """One input, three independent branches `cell → Dense`, outputs named by cell."""
    keras = _keras()
    inputs = keras.Input(shape=(config.length, config.features), name="sequence")
    outputs = {}
    for index, cell in enumerate(CELLS):
        hidden = recurrent_layer(cell)(config.units, name=f"{cell}_layer", **seeds.recurrent(config.seed, index))(inputs)
        outputs[cell] = keras.layers.Dense(config.outputs, name=cell, **seeds.dense(config.seed, index))(hidden)
    return inputs, outputs


def training_data(config: CellsConfig):
    inputs, targets = task_examples(config, config.train_size, data.rng(config.seed))
    return inputs, {cell: targets for cell in CELLS}


def recipe(config: CellsConfig) -> Recipe:
    return Recipe(loss="mse", learning_rate=config.learning_rate, batch_size=config.batch_size,
                  epochs=config.epochs, steps_per_execution=8)


GRADIENT_EXAMPLES = 128  # held-out sequences the gradient profile is averaged over (at each of ~30 snapshots)


def input_gradients(model, inputs, targets, names) -> dict:
    """For each output name: mean over examples of ||d loss / d x_t||, shape (length,).

    The loss is the mean squared error of that output, as in training.
    """
    import tensorflow as tf

    profiles = tf.function(lambda x, y: _profiles(model, x, y, names), autograph=False)(
        tf.constant(np.asarray(inputs, dtype=np.float32)), tf.constant(np.asarray(targets, dtype=np.float32)))
    return {name: np.asarray(profile, dtype=np.float64) for name, profile in zip(names, profiles)}


def _profiles(call, inputs, targets, names) -> list:
    """`input_gradients` as tensors in a traced function, for a model or any `call(inputs) → outputs by name`
    (a replay's row). Symbolic gradients, not a tape: under a tape each recurrent layer's loop is built as a
    function with its backward pass at once, which made tracing take twice as long."""
    import tensorflow as tf

    outputs = call(inputs)
    losses = [tf.reduce_mean(tf.square(outputs[name] - targets)) for name in names]
    norms = [tf.sqrt(tf.reduce_sum(tf.cast(tf.gradients(loss, inputs)[0], tf.float64) ** 2, axis=-1)) for loss in losses]
    return [tf.reduce_mean(norm, axis=0) for norm in norms]


def _moment(call, inputs, targets):
    """One snapshot, for `analyse`: every cell's outputs for the held-out `inputs`, and its gradient profile
    over the first `GRADIENT_EXAMPLES` of them."""
    import tensorflow as tf

    outputs = call(inputs)
    profiles = _profiles(call, inputs[:GRADIENT_EXAMPLES], targets[:GRADIENT_EXAMPLES], CELLS)
    return tf.stack([outputs[cell] for cell in CELLS]), tf.cast(tf.stack(profiles), tf.float32)


def score(trained) -> dict:
    """Each cell's held-out mean absolute error: the replay's last moment (`analyse`), which is the trained model."""
    return {cell: float(errors[-1]) for cell, errors in trained.results["replay_errors"].items()}


def analyse(trained) -> dict:
    """At each snapshot of the training (for replay): each cell's held-out error and input-gradient profile;
    the profiles at the seeded start (the first snapshot) and after training (the last) are drawn together.

    Every snapshot in one compiled call (`predict.mapped`), traced once per shape; without XLA, whose compile of
    three recurrent layers' gradients, per shape, takes longer than the replay it would shorten."""
    from ..engine import predict

    inputs, targets = holdout(trained.config)
    outputs, profiles = predict.mapped(EXPERIMENT, trained.config, trained.snapshots.weights, _moment, inputs,
                                       targets, results=2, jit=False)
    profiles = profiles.astype(np.float64)
    return {"gradients": {cell: profiles[-1, i] for i, cell in enumerate(CELLS)},
            "initial_gradients": {cell: profiles[0, i] for i, cell in enumerate(CELLS)},
            "replay_errors": {cell: np.array([mean_absolute_error(targets, moment[i]) for moment in outputs])
                              for i, cell in enumerate(CELLS)},
            "replay_gradients": {cell: profiles[:, i] for i, cell in enumerate(CELLS)}}


@dataclass
class CellComparison:
    """Three trained cells: loss curves, held-out errors, parameters and gradient profiles.

    `gradients[cell]` and `initial_gradients[cell]` have shape (length,): the
    mean norm of d loss / d input at each time step, after and before training.
    """

    config: CellsConfig
    fit: object  # the engine's Trained
    errors: dict
    parameters: dict
    gradients: dict
    initial_gradients: dict
    seconds: float
    replay_errors: dict  # cell → (K,) held-out error at each snapshot
    replay_gradients: dict  # cell → (K, length) gradient profile at each snapshot


def view(trained) -> CellComparison:
    config = trained.config
    return CellComparison(
        config=config, fit=trained, errors={cell: trained.metrics[cell] for cell in CELLS},
        parameters={cell: cell_parameters(cell, config.features, config.units) for cell in CELLS},
        gradients=trained.results["gradients"], initial_gradients=trained.results["initial_gradients"],
        seconds=trained.seconds, replay_errors=trained.results.get("replay_errors", {}),
        replay_gradients=trained.results.get("replay_gradients", {}))


def describe(config: CellsConfig) -> str:
    task = f"lag {config.lag}" if config.task == "lag" else "sine"
    return (f"SimpleRNN/GRU/LSTM on {task}, {config.length} steps, {config.units} units, "
            f"{config.train_size:,} sequences, {config.epochs} epochs, seed {config.seed}")


EXPERIMENT = Experiment(
    name="cells", config=CellsConfig, build=build, data=training_data, recipe=recipe, score=score,
    describe=describe, error_metric="LSTM", analyse=analyse, view=view, data_fields=DATA_FIELDS | {"lag"})
