"""
Chapter 7: a stacked LSTM predicts the end of a damped sine wave.

Every LSTM layer but the last returns its whole sequence
(`return_sequences=True`) so the next LSTM gets a 3D input; the last returns
only its final hidden state, which a Dense layer maps to the 5 predicted
values. The model reads 50 steps of a wave whose period and decay it was
never told and is scored as the book scores it: mean absolute error on 1,000
fresh waves, the same 1,000 for every model (`evaluate.sine_holdout`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import data, evaluate
from ..engine import seeds
from ..engine.backend import keras as _keras
from ..engine.config import Keyed, check_int
from ..engine.experiment import DATA_FIELDS, Experiment, Recipe
from .scripts import sine_script
from .formulas import stacked_rows

BOOK_MAE = 0.0217  # chapter 7's held-out MAE (it prints 0.021665)
BOOK_PARAMETERS = 5_145
STEPS_PER_EXECUTION = 100  # tuned in benchmarks/ (a test guards it)


@dataclass(frozen=True)
class SineConfig(Keyed):
    """The stacked LSTM of chapter 7 on the damped sine wave.

    The defaults are the book's architecture (two LSTM layers of 20 units, 10,000
    training examples of 50 steps predicting the next 5) trained with the
    faster recipe measured in `benchmarks/`: batches of 20 (they divide every
    training size the page offers, so there is no odd last batch), Adam at
    3e-3, 2 epochs, in a fraction of the book's time.
    """

    units: int = 20
    depth: int = 2
    train_size: int = 10_000
    epochs: int = 2
    seed: int = 0
    batch_size: int = 20
    learning_rate: float = 3e-3
    period_range: tuple = (10, 20)
    decay_range: tuple = (0.01, 0.1)
    length: int = 50
    output: int = 5

    experiment = "sine"

    def __post_init__(self):
        self.check_training()
        check_int("depth", self.depth, 1, 4)
        self.check_wave_family()
        check_int("output", self.output, 1, 20)

    def slug(self) -> str:
        return f"u{self.units}-d{self.depth}-n{self.train_size}-e{self.epochs}-s{self.seed}"


def build(config: SineConfig):
    """`depth` stacked LSTM layers of `units`, then Dense(`output`): (length, 1) → output."""
    keras = _keras()
    inputs = hidden = keras.Input(shape=(config.length, 1), name="wave")
    for index in range(config.depth):
        hidden = keras.layers.LSTM(config.units, return_sequences=index < config.depth - 1,
                                   name=f"lstm_{index + 1}", **seeds.recurrent(config.seed, index))(hidden)
    return inputs, keras.layers.Dense(config.output, name="dense", **seeds.dense(config.seed))(hidden)


def training_data(config: SineConfig):
    return data.sine_examples(config.train_size, data.rng(config.seed), length=config.length, output=config.output,
                              period_range=config.period_range, decay_range=config.decay_range)


def recipe(config: SineConfig) -> Recipe:
    return Recipe(loss="mae", optimizer="adam", learning_rate=config.learning_rate, batch_size=config.batch_size,
                  epochs=config.epochs, steps_per_execution=STEPS_PER_EXECUTION)


def prediction(trained, inputs):
    """The model's next values after one wave's `inputs` (length,): shape (output,)."""
    return trained.predict(np.asarray(inputs, dtype=np.float32).reshape(1, -1, 1))[0]


def score(trained) -> dict:
    inputs, expected = evaluate.sine_holdout(trained.config)
    return {"mae": evaluate.mean_absolute_error(expected, trained.predict(inputs))}


def describe(config: SineConfig) -> str:
    return (f"sine {config.train_size:,} examples, {config.units} units × {config.depth} layers, "
            f"{config.epochs} epoch{'s' if config.epochs > 1 else ''}, seed {config.seed}")


def layers(config: SineConfig) -> list[dict]:
    return stacked_rows(inputs=1, units=config.units, depth=config.depth, length=config.length, outputs=config.output)


def script(config: SineConfig) -> str:
    """The equivalent Keras script: it reproduces the app's model (a test runs it)."""
    return sine_script(config, recipe(config))


EXPERIMENT = Experiment(
    name="sine", config=SineConfig, build=build, data=training_data, recipe=recipe, score=score,
    describe=describe, error_metric="mae", script=script, layers=layers,
    data_fields=DATA_FIELDS | {"period_range", "decay_range"})
