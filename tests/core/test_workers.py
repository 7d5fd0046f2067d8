"""engine/workers: trainings in worker processes (`Trainer(processes=True)`, `LSTM_EXPLORER_TRAINING_PROCESSES=1`).

The worker trains through the same `fit` into the same store and sends its
progress back as it goes; the server only loads the stored model. Each test
uses one Trainer, whose worker process imports TensorFlow once.
"""

import os
import signal
import threading
import time

import numpy as np
import pytest

from conftest import tiny_sine
from helpers import train
from lstm_core.engine import workers
from lstm_core.engine.config import ConfigError
from lstm_core.engine.fit import TrainingDiverged
from lstm_core.engine.trainer import Trainer
from lstm_core.engine.workers import WorkerDied

pytestmark = pytest.mark.usefixtures("no_jit")


@pytest.fixture
def trainer(store):
    trainer = Trainer(store, slots=1, processes=True)
    yield trainer
    trainer.close()


def test_a_worker_trains_the_same_model_stores_it_and_reports_progress_as_it_goes(trainer, monkeypatch):
    config = tiny_sine(train_size=400, epochs=2, seed=4)
    monkeypatch.setattr("lstm_core.engine.trainer.fit", None)  # the server itself never trains
    statuses = []
    trained = trainer.get(config, on_update=statuses.append, poll=0.01)
    assert trained.source == "trained" and trainer.trainings == 1
    assert trainer.store.has(config.key())
    assert [s.phase for s in statuses][-1] == "done" and statuses[-1].curve  # the live curve came through
    assert any(s.phase == "training" and s.epoch == 1 for s in statuses)  # an epoch was reported mid-training
    monkeypatch.undo()
    here = train(config)
    # The same training to float rounding (another process: another order of a few additions).
    np.testing.assert_allclose(trained.history, here.history, rtol=1e-5)
    np.testing.assert_allclose(trained.losses["loss"], here.losses["loss"], rtol=1e-5)
    assert trained.metrics.keys() == here.metrics.keys()
    np.testing.assert_allclose(trained.error, here.error, rtol=1e-5)
    assert len(trained.snapshots) == len(here.snapshots)
    np.testing.assert_allclose(trained.snapshots.weights, here.snapshots.weights, rtol=1e-4, atol=1e-6)
    assert trainer.get(config).source == "memory"


def test_train_more_continues_the_stored_model_in_the_worker(trainer):
    short = trainer.get(tiny_sine(train_size=200, epochs=1, seed=2))
    longer = trainer.get(short.config.replace(epochs=3), start=short)
    assert len(longer.history) == 3 and longer.history[0] == short.history[0]
    np.testing.assert_allclose(longer.error, train(short.config.replace(epochs=3)).error, rtol=1e-5)


def test_an_error_in_the_worker_reaches_the_student_with_its_type_and_field(trainer):
    config = tiny_sine(train_size=200, seed=1)
    object.__setattr__(config, "units", 10_000)  # past the range: the worker's own check refuses it
    with pytest.raises(ConfigError) as refused:
        trainer.get(config)
    assert refused.value.field == "units" and "units" in str(refused.value)
    assert trainer.get(tiny_sine(train_size=200, seed=1)).error < 1  # the worker is still there
    assert len(trainer._workers) == 1


def test_the_worker_errors_a_page_tells_apart_keep_their_types():
    assert isinstance(workers._rebuilt("TrainingDiverged", "training diverged", None), TrainingDiverged)
    other = workers._rebuilt("ZeroDivisionError", "division by zero", None)
    assert type(other) is RuntimeError and str(other) == "ZeroDivisionError: division by zero"


def test_a_killed_worker_fails_its_training_with_a_message_and_the_next_training_gets_a_new_one(trainer):
    trainer.prepare()
    [worker] = trainer._workers
    config = tiny_sine(train_size=20_000, epochs=5, seed=7)  # long enough to be killed mid-way
    outcome = {}

    def ask():
        try:
            trainer.get(config, poll=0.01)
        except Exception as error:  # noqa: BLE001 - checked below
            outcome["error"] = error

    asking = threading.Thread(target=ask)
    asking.start()
    deadline = time.monotonic() + 120
    # Until the worker reports progress on it: just after `start` the request may not be queued yet (the asking
    # thread looks in the store first), and a worker killed before the training starts is replaced unseen.
    while not _reported_progress(trainer, config):
        assert asking.is_alive() and time.monotonic() < deadline, ("the training never started", outcome)
        time.sleep(0.05)
    os.kill(worker.process.pid, signal.SIGKILL)
    asking.join(60)
    assert isinstance(outcome.get("error"), WorkerDied) and "exit code" in str(outcome["error"])
    assert not trainer.is_pending(config) and not trainer.store.has(config.key())
    small = tiny_sine(train_size=100, seed=8)
    assert trainer.get(small).source == "trained" and trainer.store.has(small.key())


def _reported_progress(trainer, config) -> bool:
    with trainer._lock:
        return any(flight.key == config.key() and flight.status.fraction > 0 for flight in trainer._runs)
