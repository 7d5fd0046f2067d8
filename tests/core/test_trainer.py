"""engine/trainer: memory → store → one shared, bounded training, for every experiment.

Different requests at once train through at most `slots` trainings and a
queued request is told how many are ahead of it; identical requests share one
training; a restarted server (a new Trainer on the same store) gets every
experiment's model from the store, records, results and views included.
"""

import dataclasses
import json
import threading
import time

import numpy as np
import pytest

from conftest import tiny_rectangles, tiny_sine
from helpers import assert_same_records, jit_off, tiny_trainer, train
from lstm_core import experiments
from lstm_core.engine.config import Keyed
from lstm_core.engine.fit import TrainingDiverged, continuation_state
from lstm_core.engine.store import ModelStore
from lstm_core.engine.trainer import Trainer
from lstm_core.experiments import CellsConfig, ExplodeConfig, ForecastConfig, WindowConfig

pytestmark = pytest.mark.usefixtures("no_jit")


def request_at_once(trainer, configs, poll=0.02):
    """`trainer.get` of every configuration from a thread of its own, all released at once.

    Returns `(results, statuses)`, both lists in the order of `configs`; `statuses[i]` is every
    status request i was told.
    """
    results, statuses, errors = [None] * len(configs), [[] for _ in configs], []
    start = threading.Barrier(len(configs))

    def run(index, config):
        try:
            start.wait()
            results[index] = trainer.get(config, on_update=statuses[index].append, poll=poll)
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    workers = [threading.Thread(target=run, args=(index, config)) for index, config in enumerate(configs)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=300)
    assert not errors, errors
    return results, statuses


def test_four_different_concept_trainings_at_once_take_turns_through_one_slot(store):
    trainer = Trainer(store, slots=1)
    configs = [CellsConfig(length=20, lag=5, units=4, train_size=64, epochs=1),
               WindowConfig(window=10, units=4, train_size=64, epochs=1),
               ForecastConfig(horizon=3, units=4, length=20, train_size=64, epochs=1),
               ExplodeConfig(units=4, length=20, train_size=64, epochs=1)]
    results, statuses = request_at_once(trainer, configs)
    assert trainer.trainings == 4 and trainer.peak_running == trainer.slots == 1
    assert [trained.config for trained in results] == configs and {t.source for t in results} == {"trained"}
    assert [trained.config.experiment for trained in results] == ["cells", "window", "forecast", "explode"]
    assert all(store.has(config.key()) for config in configs)
    queued = [status for told in statuses for status in told if status.phase == "queued"]
    assert any(status.ahead >= 1 for status in queued)  # a queued request is told how many trainings are ahead
    assert all(told[-1].phase == "done" and told[-1].fraction == 1.0 for told in statuses)
    assert all(any(status.phase == "training" for status in told) for told in statuses)


def test_trainings_at_once_never_run_more_than_the_slots(store):
    trainer = Trainer(store, slots=2)
    configs = [ExplodeConfig(units=4, length=20, train_size=128, epochs=2, seed=seed) for seed in range(4)]
    results, _ = request_at_once(trainer, configs)
    assert trainer.trainings == 4 and 1 <= trainer.peak_running <= 2
    assert len({trained.metrics["final_loss"] for trained in results}) == 4  # four different models


def test_identical_requests_share_one_training(store):
    trainer = Trainer(store, slots=2)
    config = ExplodeConfig(units=4, length=20, train_size=128, epochs=2, seed=11)
    results, statuses = request_at_once(trainer, [config] * 4)
    assert trainer.trainings == 1
    assert len({id(trained.model) for trained in results}) == 1  # one model, handed to every request
    assert all(trained.metrics == results[0].metrics for trained in results)
    assert all(told[-1].phase == "done" for told in statuses)


def test_a_restarted_server_gets_every_experiment_from_the_store_with_its_records_and_views():
    first, fresh = tiny_trainer()  # every experiment's tiny configuration, trained through one Trainer
    store = first.store
    assert first.trainings == len(experiments.EXPERIMENTS) and set(fresh) == set(experiments.EXPERIMENTS)
    assert {trained.source for trained in fresh.values()} == {"trained"}
    assert sorted(store.keys()) == sorted(trained.config.key() for trained in fresh.values())
    assert not [path for path in store.root.iterdir() if path.name.startswith(".")]  # no temporary files left

    restarted = Trainer(ModelStore(store.root))
    views = {}
    for name, trained in fresh.items():
        stored = restarted.get(trained.config)
        assert stored.source == "store" and stored.config == trained.config
        assert_same_records(stored, trained)  # metrics, loss curves, history and results arrays, exactly
        for x, y in zip(stored.model.get_weights(), trained.model.get_weights(), strict=True):
            np.testing.assert_array_equal(x, y)
        inputs = experiments.of(trained.config).data(trained.config)[0][:4]
        predicted, expected = stored.predict(inputs), trained.predict(inputs)
        for output in (expected if isinstance(expected, dict) else [None]):
            np.testing.assert_allclose(predicted[output] if output else predicted,
                                       expected[output] if output else expected, atol=1e-6)
        views[name] = experiments.view(stored), experiments.view(trained)  # the page's view, from the store alone
        assert type(views[name][0]) is type(views[name][1])
    assert restarted.trainings == 0

    cells, fresh_cells = views["cells"]
    for cell in ("SimpleRNN", "GRU", "LSTM"):
        np.testing.assert_array_equal(cells.gradients[cell], fresh_cells.gradients[cell])
        np.testing.assert_array_equal(cells.initial_gradients[cell], fresh_cells.initial_gradients[cell])
    assert cells.errors == fresh_cells.errors and cells.parameters == fresh_cells.parameters
    forecast, fresh_forecast = views["forecast"]
    forecasts = forecast.wave(15, 0.05)[2]
    for strategy, values in fresh_forecast.wave(15, 0.05)[2].items():
        np.testing.assert_allclose(forecasts[strategy], values, atol=1e-6)
    window, fresh_window = views["window"]
    np.testing.assert_array_equal(window.lstm_errors, fresh_window.lstm_errors)
    long = np.linspace(0, 1, 70)[None]
    for model, values in fresh_window.predict(long).items():
        np.testing.assert_allclose(window.predict(long)[model], values, atol=1e-6)
    explode, _ = views["explode"]
    assert explode.source == "store" and explode.diverged_step is None  # its view is the Trained itself


def test_the_store_entry_holds_the_configuration_records_and_results(trainer, store):
    config = tiny_rectangles()
    trained = trainer.get(config)
    meta = json.loads(store.meta_path(config.key()).read_text())
    assert meta["config"] == {"experiment": "rectangles", **config.to_dict()} and meta["metrics"] == trained.metrics
    assert meta["fit"]["steps"] == trained.steps.tolist()
    assert meta["fit"]["losses"]["loss"] == trained.losses["loss"].tolist()
    assert meta["fit"]["batch_size"] == trained.batch_size and meta["fit"]["diverged_step"] is None
    assert meta["history"] == trained.history and meta["results"] == {}


def test_memory_then_store_then_training(store):
    trainer = Trainer(store, max_models=1)
    first, second = tiny_rectangles(seed=1), tiny_rectangles(seed=2)
    assert not trainer.is_available(first) and trainer.cached(first) is None
    trained = trainer.get(first)
    assert trainer.is_available(first) and trainer.get(first).source == "memory"
    assert trainer.get(first).model is trained.model
    trainer.get(second)  # only one model is kept in memory: the first goes (the store keeps it)
    again = trainer.get(first)
    assert again.source == "store" and trainer.trainings == 2
    trainer.forget()
    assert trainer.cached(second).source == "store" and trainer.trainings == 2


def test_an_unknown_experiment_fails_in_the_callers_thread(trainer):
    @dataclasses.dataclass(frozen=True)
    class Circles(Keyed):
        epochs: int = 1
        experiment = "circles"

        def slug(self):
            return "c"

    with pytest.raises(TypeError, match="registered experiment"):
        trainer.get(Circles())
    assert trainer.trainings == 0


def test_a_damaged_entry_is_trained_again_not_a_crash(trainer, store):
    config = tiny_rectangles(seed=9)
    trainer.get(config)
    store.model_path(config.key()).write_bytes(b"this is not a keras file")
    trainer.forget()
    assert trainer.cached(config) is None and not store.has(config.key())  # removed, so it is trained again
    assert trainer.get(config).source == "trained" and trainer.trainings == 2 and store.has(config.key())

    meta = json.loads(store.meta_path(config.key()).read_text())
    store.meta_path(config.key()).write_text(json.dumps({**meta, "fit": {"steps": "oops"}}))  # a record it cannot read
    trainer.forget()
    assert trainer.cached(config) is None and not store.has(config.key())
    assert trainer.get(config).source == "trained" and trainer.trainings == 3


def test_an_unwritable_store_keeps_working_from_memory(tmp_path):
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("x")
    trainer = Trainer(ModelStore(blocker / "store"))
    trained = trainer.get(tiny_rectangles(seed=4))
    assert trained.source == "trained"
    assert not trainer.store.writable and "cannot be written" in trainer.store.problem
    again = trainer.get(tiny_rectangles(seed=4))
    assert again.source == "memory" and again.model is trained.model and trainer.trainings == 1


def test_a_diverged_training_is_an_error_for_every_waiting_request_and_nothing_is_kept(store):
    class Poisoned:
        """The registry, but the sine data holds a NaN."""

        @staticmethod
        def of(config):
            experiment = experiments.of(config)

            def data(config):
                inputs, targets = experiment.data(config)
                inputs = inputs.copy()
                inputs[0] = np.nan
                return inputs, targets

            return dataclasses.replace(experiment, data=data)

        config_from_dict = staticmethod(experiments.config_from_dict)

    trainer = Trainer(store, registry=Poisoned)
    with pytest.raises(TrainingDiverged, match="diverged"):
        trainer.get(tiny_sine())
    assert trainer.trainings == 0 and trainer.cached(tiny_sine()) is None
    assert not store.root.exists() or list(store.root.iterdir()) == []


def test_a_diverged_explode_training_is_kept_and_stored_with_where_it_stopped(trainer, store):
    config = ExplodeConfig(units=4, train_size=256, epochs=2, learning_rate=50.0)
    trained = trainer.get(config)
    assert trained.diverged
    stored = Trainer(ModelStore(store.root)).get(config)
    assert stored.source == "store" and stored.diverged_step == trained.diverged_step
    assert stored.divergence_message() == trained.divergence_message()
    np.testing.assert_array_equal(stored.losses["loss"], trained.losses["loss"])  # infinity and NaN survive JSON


def test_train_more_on_a_stored_model_continues_it_exactly_under_its_own_key(store_dir):
    config = tiny_rectangles(epochs=1)
    Trainer(ModelStore(store_dir)).get(config)
    trainer = Trainer(ModelStore(store_dir))  # a restarted server: the model comes from disk, without optimizer
    stored = trainer.get(config)
    assert stored.source == "store" and continuation_state(stored, config.replace(epochs=2)) is None
    assert continuation_state(trainer.resumable(stored), config.replace(epochs=2)) is not None

    more = trainer.get(config.replace(epochs=2), start=stored)
    assert trainer.trainings == 1 and len(more.history) == 2 and more.history[0] == stored.history[0]
    assert sorted(p.stem for p in store_dir.glob("*.json")) == sorted([config.key(), config.replace(epochs=2).key()])
    assert len(ModelStore(store_dir).read_meta(config.key())["history"]) == 1  # the shorter model is kept as it was
    with jit_off():
        scratch = train(config.replace(epochs=2))
    for x, y in zip(more.model.get_weights(), scratch.model.get_weights(), strict=True):
        np.testing.assert_array_equal(x, y)
    assert more.history == scratch.history and more.metrics == scratch.metrics


def test_a_waiting_request_sees_the_latest_snapshot_of_the_weights_as_the_training_goes(trainer):
    """What a page draws live: each status carries the newest snapshot kept, which the finished model extends."""
    seen = []
    trained = trainer.get(tiny_sine(train_size=2_000, epochs=2, seed=9), poll=0.005,
                          on_update=lambda status: seen.append(status.snapshot) if status.snapshot else None)
    assert seen, "no snapshot reached the waiting request"
    steps = [step for step, *_ in seen]
    assert steps == sorted(steps) and set(steps) <= set(trained.snapshots.steps)
    step, row, total, batch = seen[-1]
    index = list(trained.snapshots.steps).index(step)
    np.testing.assert_array_equal(row, trained.snapshots.weights[index])
    assert total == trained.steps[-1] and batch == trained.batch_size


# -- replicas: another process training the same configuration (the store's lock, engine/store.py) ---------
def test_a_training_another_process_holds_waits_without_a_slot_then_serves_its_stored_model(store):
    from test_queue import Waiter, until

    config, other = tiny_rectangles(seed=41), tiny_rectangles(seed=42)
    elsewhere = store.try_lock(config.key())  # another server trains it (the lock is the file, whoever holds it)
    trainer = Trainer(store, slots=1)
    waiter = Waiter(trainer, config, "a").go()
    until(lambda: waiter.statuses and waiter.statuses[-1].elsewhere, "the request to wait for the other process")
    status = waiter.statuses[-1]
    assert status.phase == "queued" and status.ahead == 1 and 0 < status.wait <= status.estimate
    assert trainer.get(other).source == "trained"  # the one slot stays free for other trainings meanwhile
    assert waiter.is_alive() and trainer.is_pending(config) and list(trainer.started) == [other.key()]
    theirs = train(config)
    Trainer(ModelStore(store.root)).save(theirs)  # the other server stores its model, then releases its lock
    elsewhere.release()
    waiter.join(timeout=30)
    assert waiter.result.source == "store" and waiter.statuses[-1].phase == "done"
    for x, y in zip(waiter.result.model.get_weights(), theirs.model.get_weights(), strict=True):
        np.testing.assert_array_equal(x, y)
    assert trainer.trainings == 1 and not trainer.is_pending(config) and trainer.get(config).source == "memory"


def test_a_lock_released_without_a_model_lets_this_process_train_it_and_a_dead_holders_lock_is_taken_over(
        store_dir, monkeypatch):
    from test_queue import Waiter, until

    monkeypatch.setenv("LSTM_EXPLORER_LOCK_STALE_SECONDS", "1")
    store = ModelStore(store_dir)
    trainer = Trainer(store)
    failed, died = tiny_rectangles(seed=43), tiny_rectangles(seed=44)
    elsewhere = store.try_lock(failed.key())
    waiter = Waiter(trainer, failed).go()
    until(lambda: waiter.statuses and waiter.statuses[-1].elsewhere, "the request to wait for the other process")
    elsewhere.release()  # its training failed there: nothing stored
    waiter.join(timeout=60)
    assert waiter.result.source == "trained" and trainer.trainings == 1 and store.has(failed.key())

    store.lock_path(died.key()).write_text(json.dumps({"host": "gone", "pid": 1, "token": "dead"}))  # no heartbeat
    began, statuses = time.monotonic(), []
    assert trainer.get(died, on_update=statuses.append, poll=0.02).source == "trained"
    assert time.monotonic() - began >= 1.0 - 0.1 and statuses[0].elsewhere and not statuses[-1].elsewhere
    assert trainer.trainings == 2 and store.has(died.key())
    assert list(store.root.glob("*.lock")) == [] and list(store.root.glob(".*")) == []  # released, nothing left


def test_a_request_waiting_for_another_process_that_nobody_waits_for_is_dropped(store):
    from test_queue import Waiter, until

    config = tiny_rectangles(seed=45)
    elsewhere = store.try_lock(config.key())
    trainer = Trainer(store, grace=0)
    waiter = Waiter(trainer, config, "a").go()
    until(lambda: waiter.statuses and waiter.statuses[-1].elsewhere, "the request to wait for the other process")
    waiter.leave()  # the student moved on
    until(lambda: not trainer.is_pending(config), "the waiting training to be dropped")
    elsewhere.release()
    assert list(trainer.dropped) == [config.key()] and trainer.trainings == 0 and not store.has(config.key())
