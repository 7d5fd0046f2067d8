"""
What the engine needs to know about an experiment, declared once per
experiment module (`lstm_core/experiments/<name>.py`) and collected in the
registry (`lstm_core/experiments/__init__.py`).

The engine trains any experiment the same way: `build` gives the model's
graph, `data` its training set, `recipe` how to train it; after training,
`analyse` gives the arrays its page draws and `score` its headline numbers
(both stored with the model, so a restart recomputes nothing). `view` turns a
trained model into what its page reads; `script` is the equivalent Keras
script, where there is one; `layers` the layer table from the formulas.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

# Configuration fields a compiled training step does not depend on; any other field is architecture.
DATA_FIELDS = frozenset({"seed", "train_size", "epochs", "learning_rate"})


@dataclass(frozen=True)
class Recipe:
    """How to train: loss (`mae` or `mse`), optimizer (`adam` or `sgd`), learning rate, gradient
    clipping (`clipnorm`, 0 = off), batch size, epochs, and the steps run per call into the compiled
    step (`steps_per_execution`, also the steps between two points of the loss curve)."""

    loss: str = "mae"
    optimizer: str = "adam"
    learning_rate: float = 1e-3
    clipnorm: float = 0.0
    batch_size: int = 32
    epochs: int = 1
    steps_per_execution: int = 8
    jit_compile: bool = True

    def __post_init__(self):
        if self.loss not in ("mae", "mse") or self.optimizer not in ("adam", "sgd"):
            raise ValueError(f"unknown loss {self.loss!r} or optimizer {self.optimizer!r}")


@dataclass(frozen=True)
class Experiment:
    name: str
    config: type  # a frozen `engine.config.Keyed` dataclass whose `experiment` is `name`
    build: Callable  # config -> (keras.Input, output tensor or {output name: tensor}), seeded by config.seed
    data: Callable  # config -> (inputs, targets or {output name: targets})
    recipe: Callable  # config -> Recipe
    score: Callable  # Trained -> {metric: float}; `error_metric` is the headline one
    describe: Callable  # config -> a short English name, for logs and the command line
    error_metric: str
    analyse: Callable | None = None  # Trained -> {name: array or {name: array}}, stored with the model
    view: Callable | None = None  # Trained -> what the page reads (default: the Trained itself)
    script: Callable | None = None  # config -> the equivalent Keras script
    layers: Callable | None = None  # config -> [{"layer", "output_shape", "parameters"}] from the formulas
    data_fields: frozenset = DATA_FIELDS
    allow_divergence: bool = False  # a NaN is the lesson (SGD divergence): keep and show it

    def shape(self, config) -> str:
        """What the model's layers depend on: the configuration without its data fields."""
        return repr((self.name, {k: v for k, v in sorted(config.to_dict().items()) if k not in self.data_fields}))

    def architecture(self, config, recipe: Recipe) -> str:
        """What a compiled training step depends on: the model's shape and the recipe's (loss, optimizer,
        clipping, batch size, steps per call)."""
        return repr((self.shape(config), recipe.loss, recipe.optimizer, recipe.clipnorm, recipe.batch_size,
                     recipe.steps_per_execution, recipe.jit_compile))
