"""
Chapter 11: a generative LSTM draws rectangles.

`LSTM(10)` over one time step of two features, then a linear `Dense(2)`:
trained on corner → next corner pairs of random rectangles, it draws one
from `[0,0]` by feeding each predicted corner back, three times. The book
judges the drawings by eye; we also measure them with the
rectangle-consistency error (`evaluate.py`).

The book calls `fit` once per rectangle (25,000 calls of three pairs); we
make one `fit` call over the same pairs in the same order, in batches.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import data, evaluate
from ..engine import seeds
from ..engine.backend import keras as _keras
from ..engine.config import Keyed
from ..engine.experiment import Experiment, Recipe
from .scripts import rectangle_script
from .formulas import dense_parameters, lstm_parameters

BOOK_PARAMETERS = 542
STEPS_PER_EXECUTION = 250  # tuned in benchmarks/ (a test guards it)


@dataclass(frozen=True)
class RectangleConfig(Keyed):
    """The generative LSTM of chapter 11 that draws rectangles.

    The defaults are the book's (LSTM(10) then Dense(2), 25,000 random
    rectangles seen once, three points each, in order) but trained in one
    `fit` call instead of one call per rectangle, in batches of 30 points (ten
    rectangles) with Adam at 1e-2 instead of the book's 3 at 1e-3: a tenth of
    the steps, and drawings at least as consistent (see `benchmarks/`).
    """

    units: int = 10
    train_size: int = 25_000
    epochs: int = 1
    seed: int = 0
    batch_size: int = 30
    learning_rate: float = 1e-2

    experiment = "rectangles"

    def __post_init__(self):
        self.check_training()

    def slug(self) -> str:
        return f"u{self.units}-n{self.train_size}-e{self.epochs}-s{self.seed}"


def build(config: RectangleConfig):
    """LSTM(`units`) over one time step of 2 features, then a linear Dense(2): (1, 2) → 2."""
    keras = _keras()
    inputs = keras.Input(shape=(1, 2), name="corner")
    hidden = keras.layers.LSTM(config.units, name="lstm_1", **seeds.recurrent(config.seed, 0))(inputs)
    return inputs, keras.layers.Dense(2, activation="linear", name="dense", **seeds.dense(config.seed))(hidden)


def training_data(config: RectangleConfig):
    return data.rectangle_examples(config.train_size, data.rng(config.seed))


def recipe(config: RectangleConfig) -> Recipe:
    return Recipe(loss="mae", optimizer="adam", learning_rate=config.learning_rate, batch_size=config.batch_size,
                  epochs=config.epochs, steps_per_execution=STEPS_PER_EXECUTION)


def next_points(trained):
    """The model as a function: points (k, 2) → next points (k, 2)."""
    return lambda points: trained.predict(np.asarray(points, dtype=np.float32).reshape(-1, 1, 2)).reshape(-1, 2)


def score(trained) -> dict:
    return {"consistency": evaluate.rectangle_consistency(next_points(trained))}


def drawings(trained, widths) -> tuple:
    """`(free drawing (4, 2), completions (k, 4, 2), consistency errors (1 + k,))`."""
    predict = next_points(trained)
    free = evaluate.draw_rectangle(predict)
    completed = evaluate.complete_rectangles(predict, widths)
    return free, completed, evaluate.consistency_errors(np.concatenate([free[None], completed]))


def describe(config: RectangleConfig) -> str:
    return (f"rectangles {config.train_size:,} rectangles, {config.units} units, "
            f"{config.epochs} epoch{'s' if config.epochs > 1 else ''}, seed {config.seed}")


def layers(config: RectangleConfig) -> list[dict]:
    return [{"layer": "lstm_1", "output_shape": (None, config.units), "parameters": lstm_parameters(2, config.units)},
            {"layer": "dense", "output_shape": (None, 2), "parameters": dense_parameters(config.units, 2)}]


def script(config: RectangleConfig) -> str:
    return rectangle_script(config, recipe(config))


EXPERIMENT = Experiment(
    name="rectangles", config=RectangleConfig, build=build, data=training_data, recipe=recipe, score=score,
    describe=describe, error_metric="consistency", script=script, layers=layers)
