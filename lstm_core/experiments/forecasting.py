"""
Forecasting several steps ahead: the three strategies of the course notes,
on the book's damped sine wave.

Given the first `length` points of a wave, predict the next `horizon` (H):

1. *Recursive*: a model that predicts one step; predict it, append it to the
   input (dropping the oldest step), predict again, H times. Each forecast
   is built on earlier forecasts, so errors accumulate with the step ahead.
2. *Vector*: one sequence-to-vector model outputs all H values at once (the
   chapter 7 model is this strategy with H = 5: many-to-one).
3. *Sequence-to-sequence*: every time step outputs the next H values
   (`return_sequences=True` on every LSTM layer, a Dense applied at each
   step), so the loss has a term at every time step and more gradient flows
   into the model; the forecast is the output of the last step. This is the
   many-to-many version of the chapter 7 model that the book suggests as
   an extension.

The recursive model is trained with *teacher forcing*: its input is always
the true previous values, never its own predictions. Forecasting, it runs
*free*, on its own outputs. `Forecasters.teacher_forced` measures the gap:
the same model at each step ahead with the true values fed in (as in
training) against the same model running free.

The three models have the same LSTM layers (units, depth) and see the same
waves in the same order; they are trained side by side as three independent
branches of one Keras model (one compile, one `fit`). All are scored on the
same held-out waves, and can be tested on a wave whose period or decay lies
outside the training range, where they fail.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import data
from ..engine import seeds
from ..engine.backend import keras as _keras
from ..engine.config import Keyed, check_int
from ..engine.experiment import DATA_FIELDS, Experiment, Recipe
from .formulas import stacked_rows

STRATEGIES = ("recursive", "vector", "seq2seq")
LABELS = {
    "recursive": "recursive (one step, fed back)",
    "vector": "vector (all H at once)",
    "seq2seq": "sequence-to-sequence (H at every step)",
}
HOLDOUT_SIZE = 300
HOLDOUT_SEED = 20_240_919  # never a training seed


@dataclass(frozen=True)
class ForecastConfig(Keyed):
    """The three forecasting strategies trained on the same damped-sine waves.

    Defaults: H = 10 steps ahead, one LSTM layer of 20 units, 2,048 waves of
    the book's family (periods 10 to 20, decays 0.01 to 0.1), 6 epochs.
    """

    horizon: int = 10
    units: int = 20
    depth: int = 1
    train_size: int = 2_048
    epochs: int = 6
    seed: int = 0
    learning_rate: float = 1e-2
    batch_size: int = 32
    length: int = 50
    period_range: tuple = (10, 20)
    decay_range: tuple = (0.01, 0.1)

    experiment = "forecast"

    def __post_init__(self):
        check_int("horizon", self.horizon, 1, 30)
        check_int("depth", self.depth, 1, 3)
        self.check_training(smallest=64, a_batch=True)
        self.check_wave_family()

    def slug(self) -> str:
        return f"h{self.horizon}-u{self.units}-d{self.depth}-n{self.train_size}-e{self.epochs}-s{self.seed}"

    def in_training_range(self, period: float, decay: float) -> bool:
        return (self.period_range[0] <= period <= self.period_range[1]
                and self.decay_range[0] <= decay <= self.decay_range[1])


# -- data -------------------------------------------------------------------------------------

def waves(config: ForecastConfig, n: int, rng: np.random.Generator) -> np.ndarray:
    """`n` random waves of `length + horizon` points from the config's period and decay ranges."""
    periods = rng.integers(config.period_range[0], config.period_range[1] + 1, size=n)
    decays = rng.uniform(config.decay_range[0], config.decay_range[1], size=n)
    return data.damped_sine(config.length + config.horizon, periods, decays).astype(np.float32)


def targets(config: ForecastConfig, series: np.ndarray) -> dict:
    """The training targets of each strategy from waves of shape (n, length + horizon).

    recursive (n, 1): the next value. vector (n, H): the next H values.
    seq2seq (n, length, H): at time step t, the values t+1 ... t+H.
    """
    length, horizon = config.length, config.horizon
    ahead = np.stack([series[:, k + 1:k + 1 + length] for k in range(horizon)], axis=-1)
    return {
        "recursive": series[:, length:length + 1],
        "vector": series[:, length:length + horizon],
        "seq2seq": ahead,
    }


def holdout(config: ForecastConfig, n: int = HOLDOUT_SIZE) -> np.ndarray:
    return waves(config, n, np.random.default_rng(HOLDOUT_SEED))


# -- models -----------------------------------------------------------------------------------

def build(config: ForecastConfig):
    """One input, three branches of `depth` LSTM layers: recursive → 1, vector → H, seq2seq → (length, H)."""
    keras = _keras()
    inputs = keras.Input(shape=(config.length, 1), name="wave")
    outputs = {}
    for index, strategy in enumerate(STRATEGIES):
        hidden = inputs
        for level in range(config.depth):
            sequences = strategy == "seq2seq" or level < config.depth - 1
            hidden = keras.layers.LSTM(config.units, return_sequences=sequences, name=f"{strategy}_lstm_{level + 1}",
                                       **seeds.recurrent(config.seed, index * 10 + level))(hidden)
        size = 1 if strategy == "recursive" else config.horizon
        outputs[strategy] = keras.layers.Dense(size, name=strategy, **seeds.dense(config.seed, index))(hidden)
    return inputs, outputs


def layer_rows(config: ForecastConfig, strategy: str) -> list[dict]:
    """The layer table of one strategy's model from the formulas."""
    return stacked_rows(inputs=1, units=config.units, depth=config.depth, length=config.length,
                        outputs=1 if strategy == "recursive" else config.horizon,
                        sequences_out=strategy == "seq2seq")


# -- results ----------------------------------------------------------------------------------

@dataclass
class Forecasters:
    """The three trained strategies, their training curves and held-out errors.

    `step_errors[strategy]` has shape (H,): the mean absolute error at each
    step ahead on the held-out waves. `seq2seq_by_time[t]` is the mean
    absolute error of the H-step forecast the seq2seq model makes after
    seeing t + 1 input steps.
    """

    config: ForecastConfig
    fit: object  # the engine's Trained
    step_errors: dict
    seq2seq_by_time: np.ndarray

    def forecast(self, inputs) -> dict:
        """Forecasts (n, H) of each strategy for input waves of shape (n, length)."""
        inputs = np.asarray(inputs, dtype=np.float32).reshape(-1, self.config.length, 1)
        outputs = self.fit.predict(inputs)
        forecasts = {"vector": outputs["vector"], "seq2seq": outputs["seq2seq"][:, -1, :]}
        window, steps = inputs, []
        for step in range(self.config.horizon):
            following = outputs["recursive"] if step == 0 else self.fit.predict(window, "recursive")
            steps.append(following[:, 0])
            window = np.concatenate([window[:, 1:, :], following[:, None, :]], axis=1)
        forecasts["recursive"] = np.stack(steps, axis=1)
        return {strategy: forecasts[strategy] for strategy in STRATEGIES}

    def wave(self, period: float, decay: float):
        """`(inputs (length,), truth (H,), forecasts {strategy: (H,)})` for one wave."""
        inputs, truth = data.sine_example(period, decay, length=self.config.length, output=self.config.horizon)
        forecasts = self.forecast(inputs[None, :])
        return inputs, truth, {strategy: values[0] for strategy, values in forecasts.items()}

    def fan(self, period: float, decay: float, every: int = 5):
        """The seq2seq model's H-step forecasts made along one wave: `[(t, forecast (H,)), ...]`."""
        wave = data.damped_sine(self.config.length + self.config.horizon, period, decay).astype(np.float32)
        outputs = self.fit.predict(wave[None, :self.config.length, None], "seq2seq")[0]
        return [(t, outputs[t]) for t in range(every - 1, self.config.length, every)]

    def teacher_forced(self, series) -> np.ndarray:
        """The recursive model's one-step predictions (n, H) with the true values fed at every step (teacher
        forcing, as in its training): at step k ahead its input is the `length` true values before that step.
        `series` holds whole waves (n, length + H)."""
        length, horizon = self.config.length, self.config.horizon
        series = np.asarray(series, dtype=np.float32).reshape(-1, length + horizon)
        windows = np.stack([series[:, k:k + length] for k in range(horizon)], axis=1)  # (n, H, length)
        predicted = self.fit.predict(windows.reshape(-1, length, 1), "recursive")
        return np.asarray(predicted).reshape(len(series), horizon)

    def teacher_forcing_errors(self) -> dict:
        """The recursive model's held-out error at each step ahead (H,): `free_running` on its own outputs (its
        forecast: `step_errors["recursive"]`) and `teacher_forced` with the true values fed at every step."""
        test = holdout(self.config)
        truth = test[:, self.config.length:]
        forced = np.abs(self.teacher_forced(test) - truth).mean(axis=0)
        return {"free_running": np.asarray(self.step_errors["recursive"], dtype=float), "teacher_forced": forced}

    def recursive_runs(self, period: float, decay: float) -> dict:
        """The recursive model's H values for one wave, `free_running` and `teacher_forced`."""
        wave = data.damped_sine(self.config.length + self.config.horizon, period, decay).astype(np.float32)
        free = self.forecast(wave[None, :self.config.length])["recursive"][0]
        return {"free_running": free, "teacher_forced": self.teacher_forced(wave[None])[0]}

    def sweep(self, field: str, values, fixed: float) -> dict:
        """Mean absolute error over the H steps of each strategy, for waves along one axis.

        `field` is "period" (then `fixed` is the decay) or "decay" (then
        `fixed` is the period). Returns `{strategy: (len(values),)}`.
        """
        values = np.asarray(values, dtype=np.float64)
        periods = values if field == "period" else np.full(len(values), fixed)
        decays = values if field == "decay" else np.full(len(values), fixed)
        series = data.damped_sine(self.config.length + self.config.horizon, periods, decays).astype(np.float32)
        truth = series[:, self.config.length:]
        forecasts = self.forecast(series[:, :self.config.length])
        return {strategy: np.abs(forecasts[strategy] - truth).mean(axis=1) for strategy in STRATEGIES}


def training_data(config: ForecastConfig):
    series = waves(config, config.train_size, data.rng(config.seed))
    return series[:, :config.length, None], targets(config, series)


def recipe(config: ForecastConfig) -> Recipe:
    return Recipe(loss="mae", learning_rate=config.learning_rate, batch_size=config.batch_size,
                  epochs=config.epochs, steps_per_execution=8)


def analyse(trained) -> dict:
    """Each strategy's held-out error at every step ahead, and the seq2seq error after each input step."""
    config = trained.config
    forecasters = Forecasters(config=config, fit=trained, step_errors={}, seq2seq_by_time=np.array([]))
    test = holdout(config)
    truth = test[:, config.length:]
    forecasts = forecasters.forecast(test[:, :config.length])
    every_step = trained.predict(test[:, :config.length, None], "seq2seq")
    return {"step_errors": {s: np.abs(forecasts[s] - truth).mean(axis=0) for s in STRATEGIES},
            "seq2seq_by_time": np.abs(every_step - targets(config, test)["seq2seq"]).mean(axis=(0, 2))}


def score(trained) -> dict:
    """Each strategy's held-out error, averaged over the H steps ahead."""
    return {strategy: float(np.mean(errors)) for strategy, errors in trained.results["step_errors"].items()}


def forecasts(trained, period: float, decay: float) -> dict:
    """Each strategy's forecast (H,) of one wave by a model (a replay draws it at every snapshot)."""
    return Forecasters(config=trained.config, fit=trained, step_errors={}, seq2seq_by_time=np.zeros(0)).wave(
        period, decay)[2]


def recursive_runs(trained, period: float, decay: float) -> dict:
    """The recursive model's free-running and teacher-forced values (H,) for one wave (a replay draws them at
    every snapshot)."""
    forecasters = Forecasters(config=trained.config, fit=trained, step_errors={}, seq2seq_by_time=np.zeros(0))
    return forecasters.recursive_runs(period, decay)


def view(trained) -> Forecasters:
    return Forecasters(config=trained.config, fit=trained, step_errors=trained.results["step_errors"],
                       seq2seq_by_time=trained.results["seq2seq_by_time"])


def describe(config: ForecastConfig) -> str:
    return (f"forecasting H={config.horizon}, {config.units} units × {config.depth} layers, "
            f"{config.train_size:,} waves, {config.epochs} epochs, seed {config.seed}")


def step_error_facts(step_errors: dict) -> dict:
    """The numbers behind the step-error sentence: per strategy its error one step ahead, at the last step and
    (if it lies in between) its worst; and which strategy is best at the first and at the last step.

    A page words them in its own language; `step_error_summary` words them in English.
    """
    parts = []
    for strategy in STRATEGIES:
        errors = np.asarray(step_errors[strategy], dtype=float)
        worst = int(np.argmax(errors))
        inside = 0 < worst < len(errors) - 1
        parts.append(dict(strategy=strategy, first=float(errors[0]), last=float(errors[-1]), steps=len(errors),
                          worst=float(errors[worst]) if inside else None, worst_step=worst + 1 if inside else None))
    return dict(parts=parts, best_first=min(STRATEGIES, key=lambda s: step_errors[s][0]),
                best_last=min(STRATEGIES, key=lambda s: step_errors[s][-1]))


def step_error_summary(step_errors: dict) -> str:
    """One sentence on how each strategy's held-out error changes with the step ahead (computed, not assumed)."""
    facts = step_error_facts(step_errors)
    parts = [f"{p['strategy']} {p['first']:.3f} one step ahead, {p['last']:.3f} at step {p['steps']}"
             + (f" (worst {p['worst']:.3f} at step {p['worst_step']})" if p["worst"] is not None else "")
             for p in facts["parts"]]
    return ("Held-out error by step ahead: " + "; ".join(parts) + f". Best one step ahead: {facts['best_first']}; "
            f"best at the last step: {facts['best_last']}.")


def teacher_forcing_facts(errors: dict) -> dict:
    """The numbers behind the teacher-forcing sentence, from `Forecasters.teacher_forcing_errors`: the error one
    step ahead (the same prediction for both: both read the true input), the step ahead where free running is
    furthest above teacher forcing (`widest`, None if it never is above) with both errors there and their ratio,
    and both errors over all steps. A page words them in its own language; `teacher_forcing_summary` words them
    in English."""
    free = np.asarray(errors["free_running"], dtype=float)
    forced = np.asarray(errors["teacher_forced"], dtype=float)
    step = int(np.argmax(free - forced))
    above = bool(free[step] > forced[step])
    return dict(steps=len(free), first=float(forced[0]), widest=step + 1 if above else None,
                free_widest=float(free[step]), forced_widest=float(forced[step]),
                ratio=float(free[step] / forced[step]) if forced[step] > 0 else float("inf"),
                free_mean=float(free.mean()), forced_mean=float(forced.mean()))


def teacher_forcing_summary(errors: dict) -> str:
    """One English sentence on the gap between free running and teacher forcing (computed, not assumed)."""
    facts = teacher_forcing_facts(errors)
    if facts["widest"] is None:
        gap = "Running on its own outputs its error is never above the teacher-forced one"
    else:
        gap = (f"Running on its own outputs its error is furthest above the teacher-forced one at step "
               f"{facts['widest']}: {facts['free_widest']:.3f} against {facts['forced_widest']:.3f} "
               f"({facts['ratio']:.1f} times)")
    return (f"One step ahead both read the true input (error {facts['first']:.3f}). {gap}. Over all {facts['steps']} "
            f"steps: {facts['free_mean']:.3f} free running, {facts['forced_mean']:.3f} teacher forced.")


EXPERIMENT = Experiment(
    name="forecast", config=ForecastConfig, build=build, data=training_data, recipe=recipe, score=score,
    describe=describe, error_metric="seq2seq", analyse=analyse, view=view,
    data_fields=DATA_FIELDS | {"period_range", "decay_range"})
