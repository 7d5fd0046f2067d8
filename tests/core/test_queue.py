"""engine/cost and the Trainer's fair queue.

A training's seconds are estimated before it starts (its FLOPs and sequential cell steps at this machine's
measured speed, calibrated by the trainings run), a training over the teacher's budget is refused (a model
already trained is still served), a session has at most one queued training, a queued training nobody waits
for is dropped before it starts, and the shortest training asked for at about the same time starts first
without starving a long one; a queued request is told its estimated wait.

The queue tests train through a real Trainer with a registry that adds one experiment, a Dense model on a
few fixed examples whose training waits until the test opens its gate: the order of events is certain, and
its size fields (units, length, train_size, epochs) make its estimate without making it slower.
"""

import dataclasses
import math
import statistics
import threading
import time

import numpy as np
import pytest

from conftest import tiny_sine
from lstm_core import experiments
from lstm_core.engine import cost, fit, seeds
from lstm_core.engine.backend import keras
from lstm_core.engine.config import ConfigError, Keyed, max_training_seconds
from lstm_core.engine.experiment import Experiment, Recipe
from lstm_core.engine.fit import plain_model
from lstm_core.engine.store import ModelStore
from lstm_core.engine.trainer import Dropped, Trainer
from lstm_core.experiments import (CellsConfig, ExplodeConfig, ForecastConfig, RectangleConfig, SineConfig,
                                   WindowConfig)
from lstm_core.tools.prewarm import tiny_configs

pytestmark = pytest.mark.usefixtures("no_jit")


# -- the cost model (plain Python) ------------------------------------------------------------------
def seconds(config, **changes) -> float:
    config = config.replace(**changes)
    recipe = experiments.of(config).recipe(config)
    return cost.work(config, batch_size=recipe.batch_size, jit=recipe.jit_compile).seconds()


@pytest.mark.parametrize("config", [SineConfig(), RectangleConfig(), WindowConfig(), CellsConfig(), ExplodeConfig(),
                                    ForecastConfig()], ids=lambda config: config.experiment)
def test_a_larger_configuration_costs_more(config):
    base = seconds(config)
    assert 0 < base < 60  # every lesson's default fits well inside the default budget
    assert seconds(config, units=config.units * 2) > base
    assert seconds(config, train_size=config.train_size // 2) < base
    assert seconds(config, epochs=config.epochs + 1) > base
    if hasattr(config, "depth"):
        assert seconds(config, depth=config.depth + 1) > base
    work, more = cost.work(config), cost.work(config.replace(units=config.units + 1))
    # Units: more arithmetic, and wider steps (a longer latency each), but not more of them.
    assert more.flops > work.flops and more.width_steps > work.width_steps and more.cell_steps == work.cell_steps
    longer = cost.work(config.replace(epochs=config.epochs * 2))
    assert longer.flops == pytest.approx(2 * work.flops) and longer.cell_steps == 2 * work.cell_steps


def test_the_largest_settings_are_over_the_default_budget_and_the_defaults_far_under_it():
    assert seconds(SineConfig(units=64, depth=4, train_size=25_000, epochs=50)) > 5 * max_training_seconds()
    assert seconds(SineConfig()) < max_training_seconds() / 10
    assert cost.work(SineConfig()).seconds(compile=True) > cost.work(SineConfig()).seconds()  # a first compile


@pytest.mark.parametrize("config", tiny_configs(), ids=lambda config: config.experiment)
def test_the_estimated_layers_are_the_built_models_layers(config):
    """`cost.shape` is read from the configuration alone: it must describe the model `build` makes."""
    model = plain_model(experiments.of(config), config)
    recurrent = [inner for layer in model.layers for inner in (
        (layer.forward_layer, layer.backward_layer) if type(layer).__name__ == "Bidirectional" else (layer,))
        if type(inner).__name__ in ("LSTM", "GRU", "SimpleRNN")]
    shape = cost.shape(config)
    assert sorted(type(layer).__name__ for layer in recurrent) == sorted(layer.cell for layer in shape.layers)
    assert sum(layer.count_params() for layer in recurrent) == sum(cost.weights(layer) for layer in shape.layers)
    assert model.input.shape[1] == shape.steps  # time steps


def test_both_rectangle_framings_do_the_same_arithmetic_in_as_many_updates_the_sequence_in_three_steps():
    book, sequence = RectangleConfig(), RectangleConfig(framing="sequence")
    work = {config.framing: cost.work(config, batch_size=experiments.of(config).recipe(config).batch_size)
            for config in (book, sequence)}
    assert work["sequence"].flops == pytest.approx(work["book"].flops)
    assert work["sequence"].cell_steps == 3 * work["book"].cell_steps  # one update: three steps, not one


def test_the_calibration_is_a_running_median_of_measured_over_estimated():
    calibration = cost.Calibration(window=3)
    assert calibration.factor == 1.0 and calibration.seconds(10.0) == 10.0  # the benchmark's own speed
    calibration.add(1.0, 2.0)
    assert calibration.factor == pytest.approx(math.sqrt(2))  # one training: halfway (in ratio) from 1
    calibration.add(10.0, 20.0)
    assert calibration.factor == pytest.approx(2.0) and calibration.seconds(10.0) == pytest.approx(20.0)
    calibration.add(1.0, 1_000.0)  # one odd training moves a median little, and is clamped
    assert calibration.factor == pytest.approx(2.0)
    for _ in range(3):
        calibration.add(4.0, 1.0)  # a faster server: the window forgets the old ratios
    assert calibration.factor == pytest.approx(0.25) and calibration.samples == 3
    calibration.add(0.0, 1.0)
    calibration.add(1.0, float("nan"))
    assert calibration.samples == 3  # nothing to learn from


class _Recorded(cost.Calibration):
    """A calibration that also keeps what it was told."""

    def __init__(self):
        super().__init__()
        self.told = []

    def add(self, estimated: float, measured: float) -> None:
        self.told.append((estimated, measured))
        super().add(estimated, measured)


def test_the_trainer_calibrates_its_estimates_with_each_trainings_measured_seconds(store):
    # Whether the calibrated estimate is close on a given machine is benchmarks/cost_model.py's to say (a
    # shared CI machine can stall any one training); here: what the trainer tells the calibration, and uses.
    calibration = _Recorded()
    trainer = Trainer(store, calibration=calibration)
    first = trainer.get(tiny_sine(train_size=600, seed=1))
    learnt = [] if first.compiled else [first]  # a compile's seconds are not this server's steady speed
    second = tiny_sine(train_size=600, seed=2)
    recipe = experiments.of(second).recipe(second)
    raw = cost.work(second, batch_size=recipe.batch_size, jit=recipe.jit_compile and fit.JIT_COMPILE).seconds()
    assert trainer.estimate(second) == pytest.approx(calibration.factor * raw)  # warm now: no compile counted
    learnt.append(trainer.get(second))
    assert len(calibration.told) == len(learnt) == calibration.samples
    estimated, measured = calibration.told[-1]
    assert estimated == pytest.approx(raw)  # the uncalibrated estimate, not one already scaled
    assert learnt[-1].seconds <= measured <= learnt[-1].seconds + 1.0  # the training's seconds, around its fit
    trainer.get(second)  # served from memory: nothing trained, nothing learnt
    assert len(calibration.told) == len(learnt)
    ratios = [math.log(told_measured / told_estimated) for told_estimated, told_measured in calibration.told]
    assert calibration.factor == pytest.approx(math.exp(statistics.median([0.0, *ratios])))


@pytest.mark.slow
def test_the_estimates_of_a_narrow_and_a_wide_model_scale_as_their_trainings_do(monkeypatch):
    """With XLA, as a server trains: a 64-unit model's steps cost more than a 4-unit model's by more than their
    FLOPs at one rate (`benchmarks/cost_model.py`; a model of the FLOPs and cell steps alone was 3× off on these).
    The machine's speed cancels in the ratio of the two, so its bound holds on a slower machine too."""
    from lstm_core.engine import fit as engine

    monkeypatch.setattr(engine, "JIT_COMPILE", True)  # the module's `no_jit` switched it off

    def seconds(config) -> float:
        """The least of two warm trainings' seconds (each the lower of its wall and CPU seconds: a core it waited
        for on a shared machine is not its work)."""
        experiment = experiments.of(config)
        engine.fit(experiment, config.replace(train_size=1_000, epochs=1, seed=99))  # compiles its architecture
        runs = []
        for seed in (1, 2):
            cpu, began = time.process_time(), time.perf_counter()
            engine.fit(experiment, config.replace(seed=seed))
            runs.append(min(time.perf_counter() - began, time.process_time() - cpu))
        return min(runs)

    narrow = SineConfig(units=4, depth=1, train_size=4_000, epochs=2)
    wide = SineConfig(units=64, depth=2, train_size=4_000, epochs=1)
    estimated = cost.estimate(wide) / cost.estimate(narrow)
    measured = seconds(wide) / seconds(narrow)
    assert measured / 2 <= estimated <= 2 * measured, (estimated, measured)


# -- the budget --------------------------------------------------------------------------------------
def test_the_budget_comes_from_the_environment(monkeypatch):
    monkeypatch.delenv("LSTM_EXPLORER_MAX_TRAINING_SECONDS", raising=False)
    assert max_training_seconds() == 120.0
    monkeypatch.setenv("LSTM_EXPLORER_MAX_TRAINING_SECONDS", "30")
    assert max_training_seconds() == 30.0
    for bad in ("abc", "", "0", "-5", "nan", "inf"):
        monkeypatch.setenv("LSTM_EXPLORER_MAX_TRAINING_SECONDS", bad)
        assert max_training_seconds() == 120.0, bad


def test_a_training_over_the_budget_is_refused_naming_the_limit(trainer):
    huge = SineConfig(units=64, depth=4, train_size=25_000, epochs=50)
    with pytest.raises(cost.TooCostly) as refused:
        trainer.get(huge, budget=120, session="s")
    error = refused.value
    assert isinstance(error, ConfigError) and error.field == "training" and error.limit == 120
    assert error.seconds == pytest.approx(trainer.estimate(huge)) and error.seconds > 120
    assert str(error) == (f"this training would take about {error.seconds:,.0f} s on this server; the teacher's "
                          "limit is 120 s (LSTM_EXPLORER_MAX_TRAINING_SECONDS): lower units, training examples or "
                          "epochs")
    assert trainer.trainings == 0 and not trainer._flights and not trainer._queue


def test_a_model_already_trained_is_served_whatever_the_budget(store):
    config = tiny_sine(seed=12)
    trainer = Trainer(store)
    with pytest.raises(cost.TooCostly):
        trainer.get(config, budget=1e-3)
    trained = trainer.get(config)  # no budget: the teacher's prewarm or command line
    assert trainer.get(config, budget=1e-3).model is trained.model  # from memory
    assert Trainer(ModelStore(store.root)).get(config, budget=1e-3).source == "store"
    assert trainer.trainings == 1


def test_the_page_shows_the_refusal_in_its_language_never_a_traceback(app, monkeypatch):
    from ui import cache, state

    monkeypatch.setenv("LSTM_EXPLORER_MAX_TRAINING_SECONDS", "1")  # the sine lesson's default takes seconds
    app.query_params.update({"lang": "zh"})
    at = app.switch_page("pages/sine.py").run()
    for language, words in (("zh", "老师设定的上限 1 秒"), ("en", "the teacher's limit is 1 s")):
        at.radio(key=state.LANGUAGE).set_value(language).run()
        at.get("form_submit_button")[0].click().run()
        assert not at.exception, [e.value for e in at.exception]
        assert any(words in error.value and "LSTM_EXPLORER_MAX_TRAINING_SECONDS" in error.value
                   for error in at.error), [error.value for error in at.error]
    assert cache.trainer().trainings == 0


# -- the queue -----------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class GateConfig(Keyed):
    """A Dense model on 32 fixed examples; `units`, `length` and `train_size` only make its estimate."""

    name: str = "x"
    units: int = 4
    length: int = 10
    train_size: int = 100
    epochs: int = 1
    seed: int = 0

    experiment = "gate-test"

    def slug(self) -> str:
        return self.name


def _build(config):
    k = keras()
    inputs = k.Input((3,), name="x")
    return inputs, {"out": k.layers.Dense(1, name="out", **seeds.dense(config.seed))(inputs)}


class Gated:
    """The app's registry and one more experiment, whose training waits until the test opens its gate."""

    def __init__(self):
        self._gates: dict[str, threading.Event] = {}
        self._lock = threading.Lock()
        self.experiment = Experiment(
            name="gate-test", config=GateConfig, build=_build, data=self._data,
            recipe=lambda config: Recipe(loss="mse", batch_size=8, epochs=config.epochs, steps_per_execution=4,
                                         jit_compile=False),
            score=lambda trained: {"loss": trained.final_loss()}, describe=str, error_metric="loss")

    def gate(self, config) -> threading.Event:
        with self._lock:
            return self._gates.setdefault(config.key(), threading.Event())

    def open(self, *configs) -> None:
        for config in configs:
            self.gate(config).set()

    def _data(self, config):
        assert self.gate(config).wait(60), "the test never opened this gate"
        rng = np.random.default_rng(0)
        return rng.random((32, 3), dtype=np.float32), {"out": rng.random((32, 1), dtype=np.float32)}

    def of(self, config):
        return self.experiment if isinstance(config, GateConfig) else experiments.of(config)

    def config_from_dict(self, values):
        if values.get("experiment") == "gate-test":
            return GateConfig.from_dict(values)
        return experiments.config_from_dict(values)


@pytest.fixture
def gated():
    registry = Gated()
    yield registry
    for gate in list(registry._gates.values()):  # never leave a training thread waiting
        gate.set()


class Steady(cost.Calibration):
    """A calibration that learns nothing: the estimates stay exactly the ones computed here."""

    def add(self, estimated, measured):
        pass


class Clock:
    """The queue's clock, moved by the test."""

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


class Rerun(Exception):
    """What Streamlit raises in a waiting script when its student moves a slider."""


class Waiter(threading.Thread):
    """One page's request in a thread of its own; `leave()` makes its next status raise, as a rerun does."""

    def __init__(self, trainer, config, session=None):
        super().__init__(daemon=True)
        self.trainer, self.config, self.session = trainer, config, session
        self.statuses: list = []
        self.queued = threading.Event()
        self.result = self.error = None
        self._leave = threading.Event()

    def go(self):
        self.start()
        return self

    def run(self):
        try:
            self.result = self.trainer.get(self.config, on_update=self._update, poll=0.01, session=self.session)
        except BaseException as error:  # noqa: BLE001 - checked by the test
            self.error = error

    def _update(self, status):
        self.statuses.append(status)
        if status.phase == "queued":
            self.queued.set()
        if self._leave.is_set():
            raise Rerun

    def leave(self):
        self._leave.set()
        self.join(timeout=30)
        assert isinstance(self.error, Rerun), self.error

    def queued_status(self):
        return next(status for status in reversed(self.statuses) if status.phase == "queued")


def until(condition, what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.005)


def keys(*configs) -> list:
    return [config.key() for config in configs]


def finish(gated, waiters, *configs) -> None:
    gated.open(*configs)
    for waiter in waiters:
        waiter.join(timeout=60)
        assert not waiter.is_alive()


def test_a_shorter_training_asked_later_starts_before_a_longer_one(store, gated):
    trainer = Trainer(store, slots=1, registry=gated, calibration=Steady())
    hold, long, short = GateConfig("hold"), GateConfig("long", train_size=200_000), GateConfig("short")
    assert trainer.estimate(long) > 10 * trainer.estimate(short)
    first = Waiter(trainer, hold, "h").go()
    until(lambda: list(trainer.started) == keys(hold), "the first training to hold the slot")
    big = Waiter(trainer, long, "a").go()
    assert big.queued.wait(30)
    small = Waiter(trainer, short, "b").go()
    assert small.queued.wait(30)
    until(lambda: big.queued_status().ahead == 2, "the long training to see the short one ahead of it")
    assert small.queued_status().ahead == 1  # only the running training is ahead of the short one
    finish(gated, [first, big, small], hold, long, short)
    assert list(trainer.started) == keys(hold, short, long) and trainer.trainings == 3
    assert [w.statuses[-1].phase for w in (first, big, small)] == ["done"] * 3
    assert all(store.has(key) for key in keys(hold, long, short))


def test_a_long_training_is_not_starved_and_a_queued_request_is_told_its_wait(store, gated):
    """A training's turn is when it was asked for plus its estimate: a shorter one asked later overtakes it
    only if asked before the long one's estimate has passed; anything asked after that queues behind it."""
    clock = Clock()  # the express lane closed: the long training holding the slot would open it to short ones
    trainer = Trainer(store, slots=1, registry=gated, calibration=Steady(), clock=clock, express=0)
    hold, long = GateConfig("hold", train_size=1_000_000), GateConfig("long", train_size=100_000)
    early, late = GateConfig("early"), GateConfig("late")
    estimate = {config.name: trainer.estimate(config) for config in (hold, long, early, late)}
    assert estimate["hold"] > estimate["long"] + 10 > estimate["early"] + 10
    first = Waiter(trainer, hold, "h").go()
    until(lambda: list(trainer.started) == keys(hold), "the first training to hold the slot")
    big = Waiter(trainer, long, "a").go()  # asked at 0
    assert big.queued.wait(30)
    clock.now = 1.0
    small = Waiter(trainer, early, "b").go()  # asked at 1, shorter: its turn comes before the long one's
    assert small.queued.wait(30)
    clock.now = estimate["long"] + 1.0
    later = Waiter(trainer, late, "c").go()  # asked after the long one's estimate: behind it, however short
    assert later.queued.wait(30)
    remaining = estimate["hold"] - clock.now  # the running training's estimate, less the time it has run

    def told(waiter, ahead, wait):  # the waiter's latest status, computed at this (fixed) time
        status = waiter.queued_status()
        return status.ahead == ahead and status.wait == pytest.approx(wait)

    until(lambda: told(later, 3, remaining + estimate["early"] + estimate["long"]), "the last one's wait")
    until(lambda: told(big, 2, remaining + estimate["early"]), "the long one's wait")
    until(lambda: told(small, 1, remaining), "the early one's wait")
    assert later.queued_status().estimate == pytest.approx(estimate["late"])
    finish(gated, [first, big, small, later], hold, long, early, late)
    assert list(trainer.started) == keys(hold, early, long, late) and trainer.trainings == 4


def test_a_short_training_takes_the_express_lane_beside_a_long_one_and_a_long_one_waits(store, gated):
    trainer = Trainer(store, slots=1, registry=gated, calibration=Steady(), express=20)
    long, later_long = GateConfig("long", train_size=1_000_000), GateConfig("later-long", train_size=1_000_000)
    short, next_short = GateConfig("short"), GateConfig("next-short")
    assert trainer.estimate(long) > 20 > trainer.estimate(short)
    big = Waiter(trainer, long, "a").go()
    until(lambda: list(trainer.started) == keys(long), "the long training to hold the slot")
    other_big = Waiter(trainer, later_long, "b").go()
    assert other_big.queued.wait(30)
    small = Waiter(trainer, short, "c").go()
    until(lambda: list(trainer.started) == keys(long, short), "the short training to start beside the long one")
    after = Waiter(trainer, next_short, "d").go()
    assert after.queued.wait(30)
    until(lambda: after.queued_status().ahead == 1, "the next short one to wait for the express lane only")
    assert after.queued_status().wait <= trainer.estimate(short)
    # The long one behind the long one: the express lane is not its. A status is the waiter's latest poll: wait for
    # one made since the short one started.
    until(lambda: other_big.queued_status().ahead >= 2, "the later long one to count both running trainings")
    finish(gated, [small, after], short, next_short)
    assert list(trainer.started) == keys(long, short, next_short)  # both short ones ran while the long one did
    assert trainer.peak_running == 2
    finish(gated, [big, other_big], long, later_long)
    assert list(trainer.started) == keys(long, short, next_short, later_long) and trainer.trainings == 4


def test_the_express_lane_opens_only_when_long_trainings_hold_every_slot(store, gated):
    trainer = Trainer(store, slots=1, registry=gated, calibration=Steady(), express=20)
    hold, short = GateConfig("hold"), GateConfig("short")
    first = Waiter(trainer, hold, "a").go()
    until(lambda: list(trainer.started) == keys(hold), "a short training to hold the slot")
    second = Waiter(trainer, short, "b").go()
    assert second.queued.wait(30)
    time.sleep(0.2)
    assert list(trainer.started) == keys(hold)  # short behind short: no second lane
    finish(gated, [first, second], hold, short)
    assert trainer.peak_running == 1


def test_a_new_request_from_a_session_replaces_its_queued_training(store, gated):
    trainer = Trainer(store, slots=1, registry=gated, grace=600)  # a long grace: the replacement drops it
    hold, old, new = GateConfig("hold"), GateConfig("old"), GateConfig("new")
    first = Waiter(trainer, hold, "h").go()
    until(lambda: list(trainer.started) == keys(hold), "the first training to hold the slot")
    asked = Waiter(trainer, old, "a").go()
    assert asked.queued.wait(30)
    asked.leave()  # the student moves a slider: the page reruns...
    assert old.key() in [flight.key for flight in trainer._queue]  # (within the grace a rerun could come back)
    again = Waiter(trainer, new, "a").go()  # ...and asks for another model
    assert again.queued.wait(30)
    assert list(trainer.dropped) == keys(old) and [flight.key for flight in trainer._queue] == keys(new)
    finish(gated, [first, again], hold, old, new)
    assert list(trainer.started) == keys(hold, new) and trainer.trainings == 2 and not store.has(old.key())


def test_a_replaced_training_another_session_waits_for_stays_and_a_stale_call_is_told(store, gated):
    trainer = Trainer(store, slots=1, registry=gated, grace=0)
    hold, shared, mine, other = GateConfig("hold"), GateConfig("shared"), GateConfig("mine"), GateConfig("other")
    first = Waiter(trainer, hold, "h").go()
    until(lambda: list(trainer.started) == keys(hold), "the first training to hold the slot")
    a, b = Waiter(trainer, shared, "a").go(), Waiter(trainer, shared, "b").go()
    assert a.queued.wait(30) and b.queued.wait(30)
    a.leave()
    replacement = Waiter(trainer, mine, "a").go()  # session a wants another model; session b still waits
    assert replacement.queued.wait(30)
    assert not trainer.dropped and keys(shared, mine) == [flight.key for flight in trainer._queue]
    stale = Waiter(trainer, other, "c").go()
    assert stale.queued.wait(30)
    newer = Waiter(trainer, mine, "c").go()  # session c asks again while its first call still waits
    assert newer.queued.wait(30)
    stale.join(timeout=30)
    assert isinstance(stale.error, Dropped) and list(trainer.dropped) == keys(other)
    finish(gated, [first, b, replacement, newer], hold, shared, mine, other)
    assert list(trainer.started) == keys(hold, shared, mine) and trainer.trainings == 3
    assert b.result is not None and replacement.result is newer.result


def test_a_queued_training_nobody_waits_for_is_dropped_and_a_running_one_finishes(store, gated):
    trainer = Trainer(store, slots=1, registry=gated, grace=0)
    hold, queued = GateConfig("hold"), GateConfig("queued")
    first = Waiter(trainer, hold, "h").go()
    until(lambda: list(trainer.started) == keys(hold), "the first training to hold the slot")
    second = Waiter(trainer, queued).go()  # a caller without a session, too
    assert second.queued.wait(30)
    assert trainer.is_pending(queued) and trainer.is_pending(hold)
    first.leave()
    second.leave()
    assert list(trainer.dropped) == keys(queued) and not trainer._queue
    assert not trainer.is_pending(queued) and trainer.is_pending(hold)  # the running one carries on
    gated.open(hold, queued)
    until(lambda: trainer.cached(hold) is not None, "the running training to finish without its waiter")
    assert list(trainer.started) == keys(hold) and trainer.trainings == 1 and store.has(hold.key())
    assert not store.has(queued.key())


def test_a_rerun_that_comes_back_within_the_grace_keeps_its_training_and_its_place(store, gated):
    clock = Clock()
    trainer = Trainer(store, slots=1, registry=gated, calibration=Steady(), grace=5, clock=clock)
    hold, mine, later = GateConfig("hold"), GateConfig("mine", train_size=1_000), GateConfig("later")
    first = Waiter(trainer, hold, "h").go()
    until(lambda: list(trainer.started) == keys(hold), "the first training to hold the slot")
    asked = Waiter(trainer, mine, "a").go()
    assert asked.queued.wait(30)
    turn = trainer._flights[mine.key()].turn
    asked.leave()
    clock.now = 4.0  # the rerun comes back within the grace: the same training, the same turn
    back = Waiter(trainer, mine, "a").go()
    assert back.queued.wait(30)
    assert not trainer.dropped and trainer._flights[mine.key()].turn == turn
    back.leave()
    clock.now = 10.0  # gone for longer than the grace: the next look at the queue drops it
    other = Waiter(trainer, later, "b").go()
    assert other.queued.wait(30)
    assert list(trainer.dropped) == keys(mine)
    finish(gated, [first, other], hold, mine, later)
    assert list(trainer.started) == keys(hold, later) and trainer.trainings == 2


def test_trainings_never_exceed_the_slots_and_queued_ones_see_their_place(store, gated):
    trainer = Trainer(store, slots=2, registry=gated)
    configs = [GateConfig(f"g{index}") for index in range(4)]
    waiters = [Waiter(trainer, config, f"s{index}").go() for index, config in enumerate(configs)]
    until(lambda: len(trainer.started) == 2 and len(trainer._queue) == 2, "two running, two queued")
    until(lambda: all(w.statuses for w in waiters), "every request to be told its status")
    queued = [w for w in waiters if w.config.key() not in trainer.started]
    until(lambda: sorted(w.queued_status().ahead for w in queued) == [2, 3], "the queue positions")
    finish(gated, waiters, *configs)
    assert trainer.peak_running == 2 and trainer.trainings == 4
