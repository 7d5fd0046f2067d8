"""
Bidirectional RNNs: filling a gap in the middle of a damped sine wave.

The course notes: when the output at a time step depends on what comes
after it as well as before, a recurrent layer that reads only forward
cannot know it; a bidirectional one runs a second layer backward over the
sequence and joins both at every step. Its price: it needs the whole
sequence before it can answer.

The task: a short wave of the book's family (chapter 7: 20 points, about
one period) with `gap` consecutive points missing in its middle (their
values set to 0, and a second input feature set to 1 there). The model must
give the missing values. The waves are short on purpose: a wave of this
family is fixed by two numbers (period and decay), so from a long enough
past a forward model can extrapolate across the gap about as well as one
that also reads the future; with a few points on each side, what follows
the gap says as much as what precedes it. Two models read the same waves:

- *unidirectional*: `LSTM(units, return_sequences=True)`, left to right;
  its output at a missing step has seen only the past (and the missing
  steps before it);
- *bidirectional*: `Bidirectional(LSTM(units, return_sequences=True))`,
  whose output at a missing step has also read the wave after the gap,
  backward from its end.

Each model's outputs at the missing steps go through the same `Dense(1)`
applied at every step. Same units, same waves in the same order, and the
bidirectional layer's forward LSTM starts from the unidirectional LSTM's
initial weights; they are trained side by side as two independent branches
of one Keras model (one compile, one `fit`). Both are scored on the same
held-out waves, beside two fills that need no training: the last value
before the gap repeated, and a straight line between the gap's neighbours.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import data
from ..engine import seeds
from ..engine.backend import keras as _keras
from ..engine.config import Keyed, check_int
from ..engine.experiment import DATA_FIELDS, Experiment, Recipe
from .formulas import dense_parameters, lstm_parameters

MODELS = ("unidirectional", "bidirectional")
BASELINES = ("interpolation", "persistence")
HOLDOUT_SIZE = 300
HOLDOUT_SEED = 20_240_920  # never a training seed
SMALLEST_GAP, LARGEST_GAP = 1, 10
SIDE = 5  # observed points kept on each side of the gap, at least


@dataclass(frozen=True)
class BidirectionalConfig(Keyed):
    """A unidirectional and a bidirectional LSTM filling the same gap in the middle of damped-sine waves.

    Defaults: a gap of 5 points in the middle of 20, 20 units, 2,048 waves of
    the book's family (periods 10 to 20, decays 0.01 to 0.1), 6 epochs.
    """

    gap: int = 5
    units: int = 20
    train_size: int = 2_048
    epochs: int = 6
    seed: int = 0
    learning_rate: float = 1e-2
    batch_size: int = 32
    length: int = 20
    period_range: tuple = (10, 20)
    decay_range: tuple = (0.01, 0.1)

    experiment = "bidirectional"
    features = 2  # the value, and 1 where it is missing

    def __post_init__(self):
        check_int("gap", self.gap, SMALLEST_GAP, LARGEST_GAP)
        self.check_wave_family()
        check_int("length", self.length, self.gap + 2 * SIDE, 200)
        self.check_training(smallest=64, a_batch=True)

    def slug(self) -> str:
        return f"g{self.gap}-t{self.length}-u{self.units}-n{self.train_size}-e{self.epochs}-s{self.seed}"

    @property
    def start(self) -> int:
        """The first missing step: the gap sits in the middle (one step early if it cannot be exactly)."""
        return (self.length - self.gap) // 2


# -- data -------------------------------------------------------------------------------------

def waves(config: BidirectionalConfig, n: int, rng: np.random.Generator) -> np.ndarray:
    """`n` whole waves (n, length) from the config's period and decay ranges."""
    periods = rng.integers(config.period_range[0], config.period_range[1] + 1, size=n)
    decays = rng.uniform(config.decay_range[0], config.decay_range[1], size=n)
    return data.damped_sine(config.length, periods, decays).astype(np.float32)


def with_gap(config: BidirectionalConfig, series: np.ndarray) -> np.ndarray:
    """The models' input (n, length, 2): the waves with the gap's values set to 0, and a 1 marking each."""
    series = np.asarray(series, dtype=np.float32).reshape(-1, config.length)
    gap = np.zeros_like(series)
    gap[:, config.start:config.start + config.gap] = 1.0
    return np.stack([series * (1.0 - gap), gap], axis=-1)


def missing(config: BidirectionalConfig, series: np.ndarray) -> np.ndarray:
    """The values the models must give (n, gap)."""
    return np.asarray(series, dtype=np.float32).reshape(-1, config.length)[:, config.start:config.start + config.gap]


def baselines(config: BidirectionalConfig, series: np.ndarray) -> dict:
    """Fills with no model (n, gap) from the gap's neighbours: a straight line between them, and the last value
    before the gap repeated."""
    series = np.asarray(series, dtype=np.float64).reshape(-1, config.length)
    before, after = series[:, config.start - 1], series[:, config.start + config.gap]
    fraction = np.arange(1, config.gap + 1) / (config.gap + 1)
    return {"interpolation": before[:, None] + (after - before)[:, None] * fraction,
            "persistence": np.repeat(before[:, None], config.gap, axis=1)}


def holdout(config: BidirectionalConfig, n: int = HOLDOUT_SIZE) -> np.ndarray:
    """Held-out waves (n, length), the same for every seed."""
    return waves(config, n, np.random.default_rng(HOLDOUT_SEED))


def training_data(config: BidirectionalConfig):
    series = waves(config, config.train_size, data.rng(config.seed))
    target = missing(config, series)
    return with_gap(config, series), {name: target for name in MODELS}


# -- models -----------------------------------------------------------------------------------

def build(config: BidirectionalConfig):
    """One input, two branches: LSTM → the gap's steps → Dense(1) at each, and the same with Bidirectional(LSTM)."""
    keras = _keras()
    inputs = keras.Input(shape=(config.length, 2), name="wave")
    after = config.length - config.start - config.gap
    forward = dict(units=config.units, return_sequences=True)
    hidden = {
        "unidirectional": keras.layers.LSTM(**forward, name="unidirectional_lstm",
                                            **seeds.recurrent(config.seed, 0))(inputs),
        # The forward half starts from the unidirectional LSTM's weights; the backward half has seeds of its own.
        "bidirectional": keras.layers.Bidirectional(
            keras.layers.LSTM(**forward, **seeds.recurrent(config.seed, 0)),
            backward_layer=keras.layers.LSTM(**forward, go_backwards=True, **seeds.recurrent(config.seed, 1)),
            name="bidirectional_lstm")(inputs),
    }
    outputs = {}
    for index, model in enumerate(MODELS):
        gap = keras.layers.Cropping1D((config.start, after), name=f"{model}_gap")(hidden[model])
        values = keras.layers.Dense(1, name=f"{model}_dense", **seeds.dense(config.seed, index))(gap)
        outputs[model] = keras.layers.Reshape((config.gap,), name=model)(values)
    return inputs, outputs


def layer_rows(config: BidirectionalConfig, model: str) -> list[dict]:
    """The layer table of one branch from the formulas (a bidirectional layer is two LSTMs, outputs joined)."""
    width = config.units * (2 if model == "bidirectional" else 1)
    return [
        {"layer": f"{model}_lstm", "output_shape": (None, config.length, width),
         "parameters": (width // config.units) * lstm_parameters(2, config.units)},
        {"layer": f"{model}_gap", "output_shape": (None, config.gap, width), "parameters": 0},
        {"layer": f"{model}_dense", "output_shape": (None, config.gap, 1), "parameters": dense_parameters(width, 1)},
        {"layer": model, "output_shape": (None, config.gap), "parameters": 0},
    ]


# -- results ----------------------------------------------------------------------------------

@dataclass
class GapFillers:
    """The two trained models, their training curves and their held-out errors at each missing step.

    `position_errors[name]` has shape (gap,): the mean absolute error at each
    missing step on the held-out waves, for both models and both baselines.
    """

    config: BidirectionalConfig
    fit: object  # the engine's Trained
    position_errors: dict

    def fill(self, series) -> dict:
        """Each model's fill (n, gap) and each baseline's, for whole waves of shape (n, length)."""
        series = np.asarray(series, dtype=np.float32).reshape(-1, self.config.length)
        outputs = self.fit.predict(with_gap(self.config, series))
        return {**{model: np.asarray(outputs[model]) for model in MODELS}, **baselines(self.config, series)}

    def wave(self, period: float, decay: float):
        """`(whole wave (length,), fills {name: (gap,)})` for one test wave."""
        series = data.damped_sine(self.config.length, period, decay).astype(np.float32)
        return series, {name: values[0] for name, values in self.fill(series[None]).items()}

    @property
    def errors(self) -> dict:
        return {name: float(np.mean(values)) for name, values in self.position_errors.items()}


def fills(trained, period: float, decay: float) -> dict:
    """Each model's fill (gap,) of one test wave by a model (a replay draws it at every snapshot)."""
    fillers = GapFillers(trained.config, trained, {})
    return {name: values for name, values in fillers.wave(period, decay)[1].items() if name in MODELS}


def recipe(config: BidirectionalConfig) -> Recipe:
    return Recipe(loss="mae", learning_rate=config.learning_rate, batch_size=config.batch_size,
                  epochs=config.epochs, steps_per_execution=8)


def analyse(trained) -> dict:
    """The mean absolute error at each missing step of the held-out waves, for both models and both baselines."""
    config = trained.config
    test = holdout(config)
    truth = missing(config, test)
    filled = GapFillers(config, trained, {}).fill(test)
    return {"position_errors": {name: np.abs(filled[name] - truth).mean(axis=0) for name in (*MODELS, *BASELINES)}}


def score(trained) -> dict:
    """Each fill's held-out error, averaged over the missing steps."""
    return {name: float(np.mean(errors)) for name, errors in trained.results["position_errors"].items()}


def view(trained) -> GapFillers:
    return GapFillers(config=trained.config, fit=trained, position_errors=trained.results["position_errors"])


def describe(config: BidirectionalConfig) -> str:
    return (f"bidirectional gap {config.gap} of {config.length}, {config.units} units, {config.train_size:,} waves, "
            f"{config.epochs} epochs, seed {config.seed}")


def comparison_facts(errors: dict) -> dict:
    """The numbers behind the comparison sentence: each fill's held-out error, which model is more accurate and
    by what factor, and whether the better model also beats the straight line. A page words them in its own
    language; `comparison_summary` words them in English."""
    better = min(MODELS, key=lambda model: errors[model])
    worse = MODELS[1 - MODELS.index(better)]
    ratio = errors[worse] / errors[better] if errors[better] > 0 else float("inf")
    return dict(unidirectional=errors["unidirectional"], bidirectional=errors["bidirectional"],
                interpolation=errors["interpolation"], persistence=errors["persistence"],
                better=better, worse=worse, ratio=ratio,
                beats_line=errors[better] < errors["interpolation"])


def comparison_summary(errors: dict) -> str:
    """One English sentence comparing the two fills (computed from `errors`, not assumed)."""
    facts = comparison_facts(errors)
    line = "better" if facts["beats_line"] else "no better"
    return (f"On the held-out waves the {facts['better']} LSTM's fill is off by {facts[facts['better']]:.3f} on "
            f"average, the {facts['worse']}'s by {facts[facts['worse']]:.3f} ({facts['ratio']:.1f} times as much); "
            f"the {facts['better']} is {line} than a straight line between the gap's neighbours "
            f"({facts['interpolation']:.3f}).")


EXPERIMENT = Experiment(
    name="bidirectional", config=BidirectionalConfig, build=build, data=training_data, recipe=recipe, score=score,
    describe=describe, error_metric="bidirectional", analyse=analyse, view=view,
    data_fields=DATA_FIELDS | {"period_range", "decay_range"})
