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
from ..engine.config import ConfigError, Keyed, check_choice, check_int
from ..engine.experiment import DATA_FIELDS, Experiment, Recipe
from .scripts import sine_script
from .formulas import stacked_rows

BOOK_MAE = 0.0217  # chapter 7's held-out MAE (it prints 0.021665)
BOOK_PARAMETERS = 5_145
# Training recipes: the book's (`model.fit(X, y, batch_size=10, epochs=1)` with `Adam()` at Keras' default
# learning rate) and the faster one measured in benchmarks/sine_time_to_quality.py.
RECIPES = {"book": {"batch_size": 10, "learning_rate": 1e-3, "epochs": 1},
           "fast": {"batch_size": 20, "learning_rate": 3e-3, "epochs": 2}}
BOOK_SETTING = {"units": 20, "depth": 2, "train_size": 10_000, "recipe": "book", "epochs": 1}  # chapter 7's run
STEPS_PER_EXECUTION = 100  # tuned in benchmarks/ (a test guards it)


@dataclass(frozen=True)
class SineConfig(Keyed):
    """The stacked LSTM of chapter 7 on the damped sine wave.

    The defaults are the book's architecture (two LSTM layers of 20 units, 10,000
    training examples of 50 steps predicting the next 5) trained with the
    `fast` recipe measured in `benchmarks/`: batches of 20 (they divide every
    training size the page offers, so there is no odd last batch), Adam at
    3e-3, 2 epochs. The `book` recipe is chapter 7's: batches of 10, Adam at
    its default 1e-3, 1 epoch (`RECIPES`). The recipe sets the batch size and
    learning rate; the epochs stay a setting of their own.
    """

    units: int = 20
    depth: int = 2
    train_size: int = 10_000
    epochs: int = 2
    seed: int = 0
    recipe: str = "fast"
    batch_size: int | None = None  # None: the recipe's
    learning_rate: float | None = None  # None: the recipe's
    period_range: tuple = (10, 20)
    decay_range: tuple = (0.01, 0.1)
    length: int = 50
    output: int = 5

    experiment = "sine"
    RECIPES = RECIPES

    def __post_init__(self):
        check_choice("recipe", self.recipe, tuple(RECIPES))
        for field in ("batch_size", "learning_rate"):
            chosen = RECIPES[self.recipe][field]
            if getattr(self, field) is None:
                object.__setattr__(self, field, chosen)
            elif self.recipe == "book" and getattr(self, field) != chosen:
                raise ConfigError(field, f"the book recipe trains with {field} {chosen:g} "
                                         f"(got {getattr(self, field)}); use recipe fast to change it")
        self.check_training()
        check_int("depth", self.depth, 1, 4)
        self.check_wave_family()
        check_int("output", self.output, 1, 20)

    def slug(self) -> str:
        return f"u{self.units}-d{self.depth}-n{self.train_size}-e{self.epochs}-s{self.seed}-{self.recipe}"

    def book_differences(self) -> list[tuple[str, object, object]]:
        """`(field, this value, the book's)` for each setting where this run is not chapter 7's run."""
        book = SineConfig(recipe="book", epochs=1)
        fields = ["units", "depth", "train_size", "recipe", "batch_size", "learning_rate", "epochs", "length",
                  "output", "period_range", "decay_range"]
        return [(field, getattr(self, field), getattr(book, field)) for field in fields
                if getattr(self, field) != getattr(book, field)]

    def with_recipe(self, recipe: str) -> "SineConfig":
        """This run with another recipe: its batch size, learning rate and epochs."""
        return self.replace(recipe=recipe, batch_size=None, learning_rate=None, epochs=RECIPES[recipe]["epochs"])


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


def batch(inputs) -> np.ndarray:
    """One wave's `inputs` (length,) as the model's input batch (1, length, 1)."""
    return np.asarray(inputs, dtype=np.float32).reshape(1, -1, 1)


def prediction(trained, inputs):
    """The model's next values after one wave's `inputs` (length,): shape (output,)."""
    return trained.predict(batch(inputs))[0]


def score(trained) -> dict:
    inputs, expected = evaluate.sine_holdout(trained.config)
    return {"mae": evaluate.mean_absolute_error(expected, trained.predict(inputs))}


def describe(config: SineConfig) -> str:
    return (f"sine {config.train_size:,} examples, {config.units} units × {config.depth} layers, "
            f"{config.epochs} epoch{'s' if config.epochs > 1 else ''}, seed {config.seed}, {config.recipe} recipe")


def layers(config: SineConfig) -> list[dict]:
    return stacked_rows(inputs=1, units=config.units, depth=config.depth, length=config.length, outputs=config.output)


def script(config: SineConfig) -> str:
    """The equivalent Keras script: it reproduces the app's model (a test runs it)."""
    return sine_script(config, recipe(config))


EXPERIMENT = Experiment(
    name="sine", config=SineConfig, build=build, data=training_data, recipe=recipe, score=score,
    describe=describe, error_metric="mae", script=script, layers=layers,
    data_fields=DATA_FIELDS | {"period_range", "decay_range"})
