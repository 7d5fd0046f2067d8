"""
Chapter 1: an MLP needs a fixed-size input; an LSTM reads any length.

One of chapter 1's limits of a multilayer perceptron (MLP) on sequences is
its fixed-size input: an MLP on a window of 50 values has 50 inputs, so a
sequence of 30 must be padded and one of 80 cut down before it can go in,
while an LSTM reads any length, one step at a time. Both are trained here on
the same damped-sine waves, side by side as two branches of one model (one
compile, one `fit`; each branch gets gradients from its own loss only), and
their error is measured as the test sequence gets shorter or longer than the
window.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import data
from ..engine import seeds
from ..engine.backend import keras as _keras
from ..engine.config import Keyed, check_int
from ..engine.experiment import Experiment, Recipe
from ..evaluate import mean_absolute_error

TEST_LENGTHS = tuple(range(10, 101, 5))
HOLDOUT_SIZE = 200
HOLDOUT_SEED = 20_240_920  # never a training seed
MODELS = ("mlp", "lstm")


@dataclass(frozen=True)
class WindowConfig(Keyed):
    """An MLP on a fixed window and an LSTM, trained on the same damped-sine waves.

    Both read `window` values and predict the next `output` (5, as in
    chapter 7). The MLP has two hidden Dense layers of `units` (ReLU); the
    LSTM one layer of `units`. Test sequences shorter than the window are
    padded at the front with zeros for the MLP (as Keras' `pad_sequences`
    does), longer ones cut to their last `window` values; the LSTM reads
    them as they are.
    """

    window: int = 50
    units: int = 20
    train_size: int = 2_048
    epochs: int = 6
    seed: int = 0
    learning_rate: float = 1e-2
    batch_size: int = 32
    output: int = 5

    experiment = "window"

    def __post_init__(self):
        check_int("window", self.window, 5, 100)
        self.check_training(smallest=64, a_batch=True)
        check_int("output", self.output, 1, 20)

    def slug(self) -> str:
        return f"w{self.window}-u{self.units}-n{self.train_size}-e{self.epochs}-s{self.seed}"


def fit_to_window(inputs, window: int) -> np.ndarray:
    """What the MLP can take: sequences (n, length) padded at the front with zeros, or cut to their last `window`."""
    inputs = np.asarray(inputs, dtype=np.float32)
    length = inputs.shape[1]
    if length >= window:
        return inputs[:, length - window:]
    return np.concatenate([np.zeros((len(inputs), window - length), dtype=np.float32), inputs], axis=1)


def build(config: WindowConfig, *, length: int | None = None):
    """Two branches on one input of `window` steps: "mlp" (Flatten → Dense → Dense → Dense) and "lstm"."""
    keras = _keras()
    layers = keras.layers
    inputs = keras.Input(shape=(length or config.window, 1), name="window")
    hidden = layers.Flatten(name="flatten")(inputs)
    for index in range(2):
        hidden = layers.Dense(config.units, activation="relu", name=f"mlp_hidden_{index + 1}",
                              **seeds.dense(config.seed, 10 + index))(hidden)
    mlp = layers.Dense(config.output, name="mlp", **seeds.dense(config.seed, 12))(hidden)
    state = layers.LSTM(config.units, name="lstm_layer", **seeds.recurrent(config.seed, 0))(inputs)
    lstm = layers.Dense(config.output, name="lstm", **seeds.dense(config.seed, 13))(state)
    return inputs, {"mlp": mlp, "lstm": lstm}


def training_data(config: WindowConfig):
    inputs, expected = data.sine_examples(config.train_size, data.rng(config.seed), length=config.window,
                                          output=config.output)
    return inputs, {"mlp": expected, "lstm": expected}


def recipe(config: WindowConfig) -> Recipe:
    return Recipe(loss="mae", learning_rate=config.learning_rate, batch_size=config.batch_size, epochs=config.epochs,
                  steps_per_execution=8)


def length_holdout(config: WindowConfig, length: int, n: int = HOLDOUT_SIZE):
    inputs, expected = data.sine_examples(n, np.random.default_rng(HOLDOUT_SEED + length), length=length,
                                          output=config.output)
    return inputs[..., 0], expected


@dataclass
class WindowComparison:
    """The trained MLP and LSTM, and their held-out error at every test length."""

    config: WindowConfig
    fit: object  # the engine's Trained: model, loss curves, time
    lstm: object  # the trained LSTM branch alone, for sequences of any length
    lengths: np.ndarray
    mlp_errors: np.ndarray
    lstm_errors: np.ndarray

    def predict(self, inputs) -> dict:
        """Predictions (n, output) of both models for sequences (n, length) of any length."""
        inputs = np.asarray(inputs, dtype=np.float32)
        if inputs.ndim == 1:
            inputs = inputs[None]
        mlp = self.fit.predict(fit_to_window(inputs, self.config.window)[..., None], "mlp")
        return {"mlp": mlp, "lstm": np.asarray(self.lstm(inputs[..., None]))}


def _any_length_lstm(trained):
    """The trained LSTM branch alone, accepting sequences of any length (a traced function)."""
    keras = _keras()
    import tensorflow as tf

    config = trained.config
    inputs = keras.Input(shape=(None, 1), name="sequence")
    recurrent = keras.layers.LSTM(config.units, name="lstm_layer")
    dense = keras.layers.Dense(config.output, name="lstm")
    model = keras.Model(inputs, dense(recurrent(inputs)))
    recurrent.set_weights(trained.model.get_layer("lstm_layer").get_weights())
    dense.set_weights(trained.model.get_layer("lstm").get_weights())
    call = tf.function(lambda x: model(x, training=False), reduce_retracing=True, autograph=False)
    return lambda x: call(tf.constant(np.asarray(x, dtype=np.float32)))


def view(trained) -> WindowComparison:
    config, results = trained.config, trained.results
    return WindowComparison(config=config, fit=trained, lstm=_any_length_lstm(trained),
                            lengths=results["lengths"].astype(int), mlp_errors=results["mlp_errors"],
                            lstm_errors=results["lstm_errors"])


def analyse(trained) -> dict:
    """The held-out error of both models at every test length (and the window itself)."""
    config = trained.config
    lengths = sorted({*TEST_LENGTHS, config.window})
    comparison = WindowComparison(config, trained, _any_length_lstm(trained), np.asarray(lengths), None, None)
    errors = {name: [] for name in MODELS}
    for length in lengths:
        test_inputs, test_expected = length_holdout(config, int(length))
        predicted = comparison.predict(test_inputs)
        for name in MODELS:
            errors[name].append(mean_absolute_error(test_expected, predicted[name]))
    return {"lengths": lengths, "mlp_errors": errors["mlp"], "lstm_errors": errors["lstm"]}


def score(trained) -> dict:
    """Each model's held-out error on sequences as long as the window."""
    inputs, expected = length_holdout(trained.config, trained.config.window)
    predicted = trained.predict(inputs[..., None])
    return {name: mean_absolute_error(expected, predicted[name]) for name in MODELS}


def describe(config: WindowConfig) -> str:
    return (f"MLP window {config.window} vs LSTM, {config.units} units, {config.train_size:,} waves, "
            f"{config.epochs} epochs, seed {config.seed}")


EXPERIMENT = Experiment(
    name="window", config=WindowConfig, build=build, data=training_data, recipe=recipe, score=score,
    describe=describe, error_metric="lstm", analyse=analyse, view=view)
