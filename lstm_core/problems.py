"""
Sequence problems: the four types of chapter 1, the input/output shapes of
the course notes, and the limits of an MLP on a fixed window.

Chapter 1 sorts sequence problems by what goes in and what comes out:
sequence prediction (`[1,2,3,4,5] → 6`), sequence classification
(`[1,2,3,4,5] → "good"`), sequence generation (`[1,3,5],[7,9,11] → [3,5,7]`)
and sequence-to-sequence prediction (`[1,2,3,4,5] → [6,7,8,9,10]`). The
course notes sort recurrent networks by the shape of the same thing:
one-to-one, one-to-many, many-to-one and many-to-many, with equal or
unequal lengths. `unrolled` gives the data of an unrolled diagram for a
shape: at each time step, does the cell take an input, does it produce an
output, does that output enter the loss, is the input the previous output
fed back (generation)?

Chapter 1 also lists the limits of a multilayer perceptron (MLP) on
sequences; one of them is its fixed-size input: an MLP on a window of 50
values has 50 inputs, so a sequence of 30 must be padded and one of 80 cut
down before it can go in, while an LSTM reads any length, one step at a
time. `compare_window` trains both on the same damped-sine waves and
measures their error as the test sequence gets shorter or longer than the
window.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from . import data, fitting
from .backend import keras as _keras
from .config import MAX_SEED, ConfigError, _Keyed, check_float, check_int, max_epochs, max_train_size, max_units
from .evaluate import mean_absolute_error

SHAPES = ("one-to-one", "one-to-many", "many-to-one", "many-to-many (equal lengths)",
          "many-to-many (unequal lengths)")


@dataclass(frozen=True)
class Problem:
    """One chapter-1 problem type: its usual shape and the book's example.

    Its description, applications and the lesson of this app of that type
    are words shown to students, so they live in the UI catalogues under
    `sequence_problems.problem.<text_id(name)>.*`, in every language.
    """

    name: str
    shape: str
    example_input: str
    example_output: str
    feedback: bool = False


PROBLEMS = {
    "sequence prediction": Problem("sequence prediction", "many-to-one", "[1, 2, 3, 4, 5]", "[6]"),
    "sequence classification": Problem("sequence classification", "many-to-one", "[1, 2, 3, 4, 5]", '"good"'),
    "sequence generation": Problem("sequence generation", "one-to-many", "[1, 3, 5], [7, 9, 11]", "[3, 5, 7]",
                                   feedback=True),
    "sequence-to-sequence prediction": Problem("sequence-to-sequence prediction", "many-to-many (unequal lengths)",
                                               "[1, 2, 3, 4, 5]", "[6, 7, 8, 9, 10]"),
}


def text_id(text: str) -> str:
    """A catalogue-key-friendly name: "many-to-many (equal lengths)" → "many_to_many_equal_lengths"."""
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


@dataclass(frozen=True)
class Diagram:
    """An unrolled recurrent network: one column per time step.

    At step t, `inputs[t]` says if the cell takes an input, `outputs[t]` if
    it produces an output, `loss[t]` if that output is compared with an
    expected value in the loss, and `fed_back[t]` if its input is the output
    of step t - 1 (generation). `encoder[t]` marks the reading steps of an
    encoder-decoder. Every step passes its state to the next.
    """

    shape: str
    steps: int
    inputs: tuple
    outputs: tuple
    loss: tuple
    fed_back: tuple
    encoder: tuple
    input_labels: tuple = field(default=())
    output_labels: tuple = field(default=())

    @property
    def recurrent_links(self) -> int:
        return self.steps - 1


def unrolled(shape: str, steps: int = 5, *, output_steps: int = 3, feedback: bool = False) -> Diagram:
    """The diagram data of `shape` unrolled over `steps` time steps.

    For "many-to-many (unequal lengths)", `steps` input steps are followed
    by `output_steps` output steps (an encoder, then a decoder). With
    `feedback`, each step after the first that has an output before it
    takes that output as its input (generation); one-to-one always has 1 step.
    """
    if shape not in SHAPES:
        raise ConfigError("shape", f"shape must be one of {', '.join(SHAPES)} (got {shape!r})")
    check_int("steps", steps, 1, 20)
    check_int("output_steps", output_steps, 1, 20)
    if shape == "one-to-one":
        steps = 1
        inputs, outputs = [True], [True]
    elif shape == "one-to-many":
        inputs, outputs = [t == 0 for t in range(steps)], [True] * steps
    elif shape == "many-to-one":
        inputs, outputs = [True] * steps, [t == steps - 1 for t in range(steps)]
    elif shape == "many-to-many (equal lengths)":
        inputs, outputs = [True] * steps, [True] * steps
    else:
        inputs = [True] * steps + [False] * output_steps
        outputs = [False] * steps + [True] * output_steps
        steps += output_steps
    encoder = [shape == "many-to-many (unequal lengths)" and not out for out in outputs]
    fed_back = [False] * steps
    if feedback:
        for t in range(1, steps):
            if outputs[t - 1] and (not inputs[t] or shape == "many-to-many (equal lengths)"):
                fed_back[t] = True
    input_labels, output_labels, k, j = [], [], 0, 0
    for t in range(steps):
        if inputs[t] or fed_back[t]:
            k += 1
            input_labels.append(f"ŷ{j}" if fed_back[t] else f"x{k}")
        else:
            input_labels.append("")
        if outputs[t]:
            j += 1
            output_labels.append(f"ŷ{j}")
        else:
            output_labels.append("")
    return Diagram(shape=shape, steps=steps, inputs=tuple(bool(v) for v in inputs),
                   outputs=tuple(bool(v) for v in outputs), loss=tuple(bool(v) for v in outputs),
                   fed_back=tuple(fed_back), encoder=tuple(encoder), input_labels=tuple(input_labels),
                   output_labels=tuple(output_labels))


# -- the MLP window experiment ----------------------------------------------------------------

@dataclass(frozen=True)
class WindowConfig(_Keyed):
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
        check_int("units", self.units, 1, max_units())
        check_int("batch_size", self.batch_size, 1, 1024)
        check_int("train_size", self.train_size, max(self.batch_size, 64), max_train_size())
        check_int("epochs", self.epochs, 1, max_epochs())
        check_int("seed", self.seed, 0, MAX_SEED)
        check_float("learning_rate", self.learning_rate, 0.0, 1.0, low_open=True)
        check_int("output", self.output, 1, 20)

    def slug(self) -> str:
        return f"w{self.window}-u{self.units}-n{self.train_size}-e{self.epochs}-s{self.seed}"


TEST_LENGTHS = tuple(range(10, 101, 5))
HOLDOUT_SIZE = 200
HOLDOUT_SEED = 20_240_920  # never a training seed


def fit_to_window(inputs, window: int) -> np.ndarray:
    """What the MLP can take: sequences (n, length) padded at the front with zeros, or cut to their last `window`."""
    inputs = np.asarray(inputs, dtype=np.float32)
    length = inputs.shape[1]
    if length >= window:
        return inputs[:, length - window:]
    return np.concatenate([np.zeros((len(inputs), window - length), dtype=np.float32), inputs], axis=1)


def build_window(config: WindowConfig, seed: int, *, length: int | None = None):
    """Two branches on one input of `window` steps: "mlp" (Flatten → Dense → Dense → Dense) and "lstm"."""
    keras = _keras()
    layers = keras.layers
    inputs = keras.Input(shape=(length or config.window, 1), name="window")
    hidden = layers.Flatten(name="flatten")(inputs)
    for index in range(2):
        hidden = layers.Dense(config.units, activation="relu", name=f"mlp_hidden_{index + 1}",
                              **fitting.dense_seeded(seed, 10 + index))(hidden)
    mlp = layers.Dense(config.output, name="mlp", **fitting.dense_seeded(seed, 12))(hidden)
    state = layers.LSTM(config.units, name="lstm_layer", **fitting.seeded(seed, 0))(inputs)
    lstm = layers.Dense(config.output, name="lstm", **fitting.dense_seeded(seed, 13))(state)
    return inputs, {"mlp": mlp, "lstm": lstm}


def _any_length_lstm(trained_model, config: WindowConfig):
    """The trained LSTM branch alone, accepting sequences of any length."""
    keras = _keras()
    inputs = keras.Input(shape=(None, 1), name="sequence")
    recurrent = keras.layers.LSTM(config.units, name="lstm_layer")
    dense = keras.layers.Dense(config.output, name="lstm")
    model = keras.Model(inputs, dense(recurrent(inputs)))
    recurrent.set_weights(trained_model.get_layer("lstm_layer").get_weights())
    dense.set_weights(trained_model.get_layer("lstm").get_weights())
    return model


@dataclass
class WindowComparison:
    """The trained MLP and LSTM, and their held-out error at every test length."""

    config: WindowConfig
    trained: fitting.Trained
    lstm: fitting.Trained
    lengths: np.ndarray
    mlp_errors: np.ndarray
    lstm_errors: np.ndarray

    @property
    def fit(self) -> fitting.Fit:
        return self.trained.fit

    def predict(self, inputs) -> dict:
        """Predictions (n, output) of both models for sequences (n, length) of any length."""
        inputs = np.asarray(inputs, dtype=np.float32)
        if inputs.ndim == 1:
            inputs = inputs[None]
        mlp = self.trained.predict(fit_to_window(inputs, self.config.window)[..., None], "mlp")
        return {"mlp": mlp, "lstm": self.lstm.predict(inputs[..., None])}


def length_holdout(config: WindowConfig, length: int, n: int = HOLDOUT_SIZE):
    rng = np.random.default_rng(HOLDOUT_SEED + length)
    inputs, expected = data.sine_examples(n, rng, length=length, output=config.output)
    return inputs[..., 0], expected


def compare_window(config: WindowConfig, lengths=None) -> WindowComparison:
    """Train the MLP and the LSTM on windows of `config.window` and test them on every length.

    `lengths` defaults to `TEST_LENGTHS` and the window itself.
    """
    if lengths is None:
        lengths = sorted({*TEST_LENGTHS, config.window})
    inputs, expected = data.sine_examples(config.train_size, np.random.default_rng(config.seed),
                                          length=config.window, output=config.output)
    recipe = fitting.Recipe(loss="mae", learning_rate=config.learning_rate, batch_size=config.batch_size,
                            epochs=config.epochs, report_every=8)
    architecture = f"window-w{config.window}-u{config.units}-o{config.output}"
    trained = fitting.train(architecture, lambda seed: build_window(config, seed), config.seed, inputs,
                            {"mlp": expected, "lstm": expected}, recipe)
    lstm = fitting.Trained(model=_any_length_lstm(trained.model, config), fit=trained.fit)
    result = WindowComparison(config=config, trained=trained, lstm=lstm, lengths=np.asarray(lengths),
                              mlp_errors=np.array([]), lstm_errors=np.array([]))
    mlp_errors, lstm_errors = [], []
    for length in lengths:
        test_inputs, test_expected = length_holdout(config, int(length))
        predicted = result.predict(test_inputs)
        mlp_errors.append(mean_absolute_error(test_expected, predicted["mlp"]))
        lstm_errors.append(mean_absolute_error(test_expected, predicted["lstm"]))
    result.mlp_errors, result.lstm_errors = np.array(mlp_errors), np.array(lstm_errors)
    return result
