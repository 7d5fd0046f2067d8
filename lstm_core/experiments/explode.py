"""
SGD divergence: plain SGD with too large a learning rate, the updates
overshoot and the loss overflows, and what gradient clipping (`clipnorm`)
does about it. The cause is the step size, not the recurrent weights: this
is not the course notes' exploding gradient through time, which grows with
the distance back through the steps (`through_time.py` measures that one).

One cell on the damped sine wave, trained with plain SGD and a mean squared
error, recording the loss and the gradient norm (before clipping) at every
step. With a large learning rate the updates overshoot, the weights and the
gradient grow step after step, and the loss overflows to NaN; with
`clipnorm` > 0 each gradient is rescaled to at most that norm, so each
update stays bounded. Here the NaN is the lesson, so a diverged training is
kept and shown, not refused.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import data
from ..engine import seeds
from ..engine.backend import keras as _keras
from ..engine.config import Keyed, check_choice, check_float, check_int
from ..engine.experiment import Experiment, Recipe
from .cells import SINE_OUTPUT, recurrent_layer, task_examples
from .formulas import CELLS


@dataclass(frozen=True)
class ExplodeConfig(Keyed):
    """One cell on the damped sine wave, trained with plain SGD at `learning_rate`; `clipnorm = 0` means no clipping."""

    cell: str = "SimpleRNN"
    learning_rate: float = 2.0
    clipnorm: float = 0.0
    units: int = 16
    length: int = 50
    train_size: int = 1_024
    epochs: int = 2
    seed: int = 0
    batch_size: int = 32

    experiment = "explode"

    def __post_init__(self):
        check_choice("cell", self.cell, CELLS)
        check_float("clipnorm", self.clipnorm, 0.0, 100.0)
        check_int("length", self.length, 5, 200)
        self.check_training(smallest=64, a_batch=True,
                            fastest=100.0)

    def slug(self) -> str:
        # Store keys are lower case without dots (store.KEY_PATTERN).
        rate, clip = (f"{value:g}".replace(".", "p") for value in (self.learning_rate, self.clipnorm))
        return f"{self.cell.lower()}-lr{rate}-clip{clip}-u{self.units}-s{self.seed}"


def build(config: ExplodeConfig):
    keras = _keras()
    inputs = keras.Input(shape=(config.length, 1), name="sequence")
    hidden = recurrent_layer(config.cell)(config.units, name=f"{config.cell}_layer",
                                          **seeds.recurrent(config.seed, 0))(inputs)
    return inputs, {config.cell: keras.layers.Dense(SINE_OUTPUT, name=config.cell, **seeds.dense(config.seed))(hidden)}


def training_data(config: ExplodeConfig):
    inputs, targets = task_examples(config, config.train_size, data.rng(config.seed))
    return inputs, {config.cell: targets}


def recipe(config: ExplodeConfig) -> Recipe:
    return Recipe(loss="mse", optimizer="sgd", learning_rate=config.learning_rate, clipnorm=config.clipnorm,
                  batch_size=config.batch_size, epochs=config.epochs, steps_per_execution=1,
                  jit_compile=False)  # a step per call: the XLA compile costs more than it saves (benchmarks/)


def score(trained) -> dict:
    return {"final_loss": trained.final_loss(), "largest_gradient_norm": float(np.nanmax(trained.gradient_norm))
            if len(trained.gradient_norm) and not np.isnan(trained.gradient_norm).all() else float("nan")}


def describe(config: ExplodeConfig) -> str:
    clipping = f"clipnorm {config.clipnorm:g}" if config.clipnorm else "no clipping"
    return f"{config.cell} with SGD at learning rate {config.learning_rate:g}, {clipping}, seed {config.seed}"


EXPERIMENT = Experiment(
    name="explode", config=ExplodeConfig, build=build, data=training_data, recipe=recipe, score=score,
    describe=describe, error_metric="final_loss", allow_divergence=True)
