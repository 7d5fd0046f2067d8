"""
Encoder-decoder: input and output sequences of different lengths (Tx ≠ Ty).

Chapter 1 and the course notes: in sequence-to-sequence problems such as
translation the output sequence need not be as long as the input; the
many-to-many network that allows it first *reads* the whole input (the
encoder), then *writes* the output (the decoder). In Keras:

    LSTM(units)                                   # encoder: Tx steps → its final state
    RepeatVector(Ty)                              # that state, once per output step
    LSTM(units, return_sequences=True)            # decoder: Ty steps
    TimeDistributed(Dense(1))                     # one value per output step

Here the input is the first Tx = `input_steps` points of a damped sine wave
(chapter 7's family) and the output its next Ty = `output_steps` points.

Beside it, on the same waves, the forecasting lesson's "sequence-to-sequence"
strategy (`experiments/forecasting.py`), which is not an encoder-decoder:
one LSTM with `return_sequences=True` and a Dense of Ty values at every
input step, trained to forecast the next Ty values from every step, whose
forecast is its last step's output. Its Ty outputs come from one Dense
layer all at once; the encoder-decoder's from a decoder that runs Ty steps
of its own. The two are trained side by side as independent branches of one
Keras model (one compile, one `fit`), on the waves the forecasting lesson
would train on with `length` = Tx and `horizon` = Ty, the per-step branch
seeded as its sequence-to-sequence branch; both are scored on the same
held-out waves, step by step ahead.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import data
from ..engine import seeds
from ..engine.backend import keras as _keras
from ..engine.config import Keyed, check_int, check_range
from ..engine.experiment import DATA_FIELDS, Experiment, Recipe
from . import forecasting
from .formulas import dense_parameters, lstm_parameters

MODELS = ("encoder_decoder", "per_step")
INPUT_STEPS = (10, 60)  # Tx: the page's slider, the link and the configuration share these
OUTPUT_STEPS = (1, 30)  # Ty
HOLDOUT_SIZE = 300
HOLDOUT_SEED = 20_240_921  # never a training seed


@dataclass(frozen=True)
class EncoderDecoderConfig(Keyed):
    """An encoder-decoder LSTM and a per-step forecaster reading Tx steps of damped-sine waves to output Ty.

    Defaults: Tx = 30 steps in, Ty = 15 out, 20 units, 2,048 waves of the
    book's family (periods 10 to 20, decays 0.01 to 0.1), 6 epochs.
    """

    input_steps: int = 30
    output_steps: int = 15
    units: int = 20
    train_size: int = 2_048
    epochs: int = 6
    seed: int = 0
    learning_rate: float = 1e-2
    batch_size: int = 32
    period_range: tuple = (10, 20)
    decay_range: tuple = (0.01, 0.1)

    experiment = "encoderdecoder"  # store keys allow letters only before the first dash (store.KEY_PATTERN)

    def __post_init__(self):
        check_int("input_steps", self.input_steps, *INPUT_STEPS)
        check_int("output_steps", self.output_steps, *OUTPUT_STEPS)
        check_range("period_range", self.period_range, 2, 200, integer=True)
        check_range("decay_range", self.decay_range, 0.0, 1.0, integer=False)
        self.check_training(smallest=64, a_batch=True)

    def slug(self) -> str:
        return (f"tx{self.input_steps}-ty{self.output_steps}-u{self.units}-n{self.train_size}-e{self.epochs}"
                f"-s{self.seed}")

    # The forecasting lesson's names for Tx and Ty: its wave and target functions read them.
    @property
    def length(self) -> int:
        return self.input_steps

    @property
    def horizon(self) -> int:
        return self.output_steps


# -- data -------------------------------------------------------------------------------------

def waves(config: EncoderDecoderConfig, n: int, rng: np.random.Generator) -> np.ndarray:
    """`n` waves of Tx + Ty points (n, Tx + Ty), drawn as the forecasting lesson draws its waves."""
    return forecasting.waves(config, n, rng)


def targets(config: EncoderDecoderConfig, series: np.ndarray) -> dict:
    """encoder_decoder (n, Ty, 1): the next Ty values, one per decoder step. per_step (n, Tx, Ty): at input step t,
    the values t+1 ... t+Ty (the forecasting lesson's sequence-to-sequence targets)."""
    return {"encoder_decoder": series[:, config.input_steps:, None],
            "per_step": forecasting.targets(config, series)["seq2seq"]}


def holdout(config: EncoderDecoderConfig, n: int = HOLDOUT_SIZE) -> np.ndarray:
    return waves(config, n, np.random.default_rng(HOLDOUT_SEED))


def training_data(config: EncoderDecoderConfig):
    series = waves(config, config.train_size, data.rng(config.seed))
    return series[:, :config.input_steps, None], targets(config, series)


# -- models -----------------------------------------------------------------------------------

def build(config: EncoderDecoderConfig):
    """One input of Tx steps, two branches: encoder → RepeatVector(Ty) → decoder → TimeDistributed(Dense(1)), and
    an LSTM with a Dense of Ty values at every step."""
    keras = _keras()
    inputs = keras.Input(shape=(config.input_steps, 1), name="wave")
    state = keras.layers.LSTM(config.units, name="encoder", **seeds.recurrent(config.seed, 0))(inputs)
    repeated = keras.layers.RepeatVector(config.output_steps, name="repeat")(state)
    decoded = keras.layers.LSTM(config.units, return_sequences=True, name="decoder",
                                **seeds.recurrent(config.seed, 1))(repeated)
    encoder_decoder = keras.layers.TimeDistributed(keras.layers.Dense(1, **seeds.dense(config.seed, 0)),
                                                   name="encoder_decoder")(decoded)
    # Seeded as the forecasting experiment seeds its sequence-to-sequence branch (its third, depth 1).
    hidden = keras.layers.LSTM(config.units, return_sequences=True, name="per_step_lstm",
                               **seeds.recurrent(config.seed, 20))(inputs)
    per_step = keras.layers.Dense(config.output_steps, name="per_step", **seeds.dense(config.seed, 2))(hidden)
    return inputs, {"encoder_decoder": encoder_decoder, "per_step": per_step}


def layer_rows(config: EncoderDecoderConfig, model: str) -> list[dict]:
    """The layer table of one branch from the formulas."""
    units, tx, ty = config.units, config.input_steps, config.output_steps
    if model == "encoder_decoder":
        return [
            {"layer": "encoder", "output_shape": (None, units), "parameters": lstm_parameters(1, units)},
            {"layer": "repeat", "output_shape": (None, ty, units), "parameters": 0},
            {"layer": "decoder", "output_shape": (None, ty, units), "parameters": lstm_parameters(units, units)},
            {"layer": "encoder_decoder", "output_shape": (None, ty, 1), "parameters": dense_parameters(units, 1)},
        ]
    return [
        {"layer": "per_step_lstm", "output_shape": (None, tx, units), "parameters": lstm_parameters(1, units)},
        {"layer": "per_step", "output_shape": (None, tx, ty), "parameters": dense_parameters(units, ty)},
    ]


# -- results ----------------------------------------------------------------------------------

@dataclass
class SequenceForecasters:
    """The two trained models, their training curves and their held-out error at each step ahead.

    `step_errors[model]` has shape (Ty,): the mean absolute error at each
    output step on the held-out waves.
    """

    config: EncoderDecoderConfig
    fit: object  # the engine's Trained
    step_errors: dict

    def forecast(self, inputs) -> dict:
        """Each model's Ty values (n, Ty) for input waves of shape (n, Tx)."""
        inputs = np.asarray(inputs, dtype=np.float32).reshape(-1, self.config.input_steps, 1)
        outputs = self.fit.predict(inputs)
        return {"encoder_decoder": np.asarray(outputs["encoder_decoder"])[:, :, 0],
                "per_step": np.asarray(outputs["per_step"])[:, -1, :]}

    def wave(self, period: float, decay: float):
        """`(inputs (Tx,), truth (Ty,), forecasts {model: (Ty,)})` for one test wave."""
        inputs, truth = data.sine_example(period, decay, length=self.config.input_steps,
                                          output=self.config.output_steps)
        return inputs, truth, {model: values[0] for model, values in self.forecast(inputs[None]).items()}

    @property
    def errors(self) -> dict:
        return {model: float(np.mean(values)) for model, values in self.step_errors.items()}


def forecasts(trained, period: float, decay: float) -> dict:
    """Each model's forecast (Ty,) of one wave by a model (a replay draws it at every snapshot)."""
    return SequenceForecasters(trained.config, trained, {}).wave(period, decay)[2]


def recipe(config: EncoderDecoderConfig) -> Recipe:
    return Recipe(loss="mae", learning_rate=config.learning_rate, batch_size=config.batch_size,
                  epochs=config.epochs, steps_per_execution=8)


def analyse(trained) -> dict:
    """Each model's held-out error at every step ahead."""
    config = trained.config
    test = holdout(config)
    truth = test[:, config.input_steps:]
    predicted = SequenceForecasters(config, trained, {}).forecast(test[:, :config.input_steps])
    return {"step_errors": {model: np.abs(predicted[model] - truth).mean(axis=0) for model in MODELS}}


def score(trained) -> dict:
    """Each model's held-out error, averaged over the Ty steps ahead."""
    return {model: float(np.mean(errors)) for model, errors in trained.results["step_errors"].items()}


def view(trained) -> SequenceForecasters:
    return SequenceForecasters(config=trained.config, fit=trained, step_errors=trained.results["step_errors"])


def describe(config: EncoderDecoderConfig) -> str:
    return (f"encoder-decoder Tx={config.input_steps} → Ty={config.output_steps}, {config.units} units, "
            f"{config.train_size:,} waves, {config.epochs} epochs, seed {config.seed}")


def comparison_facts(step_errors: dict) -> dict:
    """The numbers behind the comparison sentence: each model's held-out error over the Ty steps and at the first
    and last of them, which is more accurate over all steps and by what factor. A page words them in its own
    language; `comparison_summary` words them in English."""
    errors = {model: float(np.mean(step_errors[model])) for model in MODELS}
    better = min(MODELS, key=lambda model: errors[model])
    worse = MODELS[1 - MODELS.index(better)]
    return dict(errors=errors, first={m: float(step_errors[m][0]) for m in MODELS},
                last={m: float(step_errors[m][-1]) for m in MODELS}, steps=len(step_errors[MODELS[0]]),
                better=better, worse=worse,
                ratio=errors[worse] / errors[better] if errors[better] > 0 else float("inf"))


NAMES = {"encoder_decoder": "encoder-decoder", "per_step": "per-step forecaster"}


def comparison_summary(step_errors: dict) -> str:
    """One English sentence comparing the two models (computed from `step_errors`, not assumed)."""
    facts = comparison_facts(step_errors)
    better, worse = facts["better"], facts["worse"]
    return (f"Over the {facts['steps']} steps ahead the {NAMES[better]} is off by {facts['errors'][better]:.3f} on "
            f"average, the {NAMES[worse]} by {facts['errors'][worse]:.3f} ({facts['ratio']:.1f} times as much); "
            f"at the last step: {NAMES['encoder_decoder']} {facts['last']['encoder_decoder']:.3f}, "
            f"{NAMES['per_step']} {facts['last']['per_step']:.3f}.")


EXPERIMENT = Experiment(
    name="encoderdecoder", config=EncoderDecoderConfig, build=build, data=training_data, recipe=recipe,
    score=score, describe=describe, error_metric="encoder_decoder", analyse=analyse, view=view,
    data_fields=DATA_FIELDS | {"period_range", "decay_range"})
