"""
Get a trained model for a configuration of any experiment: from memory, from
the store, or trained once (through `engine.fit`) and stored.

This is what every lesson, the command line and the prewarm command call, so
a model trained by any of them is instant for the others. It is built for
one Streamlit server with thirty students:

- Training runs in a worker thread of its own, never in the caller's thread.
  The caller waits and is told how it goes (`on_update(status)` a few times a
  second). If the caller goes away (a student moves a slider and Streamlit
  reruns the page) the training carries on, and the rerun simply waits for
  the same training again: moving a slider never throws away a training.
- Identical requests share one training; the others wait for its result and
  see the same progress.
- Different requests train through a bounded number of *slots* (default 1,
  `LSTM_EXPLORER_TRAINING_SLOTS`), so a 2-core server stays responsive; a
  queued request is told how many trainings are ahead of it.
- Trained models stay in a bounded in-memory cache (`max_models`, default 16,
  `LSTM_EXPLORER_MEMORY_MODELS`), least recently used first out; the store
  on disk keeps them all.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field, replace

import numpy as np

from .backend import keras as _keras
from .fit import Trained, arrays, fit, plain
from .store import ModelStore

log = logging.getLogger(__name__)


def _env_int(name: str, default: int) -> int:
    try:
        return max(1, int(os.environ.get(name, default)))
    except ValueError:
        return default


@dataclass(frozen=True)
class Status:
    """How a request is going: `phase` is `queued`, `training` or `done`."""

    phase: str = "queued"
    ahead: int = 0
    fraction: float = 0.0
    epoch: int = 0
    epochs: int = 0
    loss: float = float("nan")
    curve: tuple = field(default=(), repr=False)
    snapshot: tuple | None = field(default=None, repr=False)  # the latest (step, weights row, steps, batch) kept


class _Flight:
    """One training under way, shared by every request for the same key."""

    def __init__(self, epochs: int):
        self.done = threading.Event()
        self.status = Status(epochs=epochs)
        self.curve: list = []
        self.snapshots: list = []  # (step, weights row, total steps, batch size) as the training keeps them
        self.result: Trained | None = None
        self.error: BaseException | None = None


class Trainer:
    """Trained models on demand: memory, then store, then one shared, bounded training."""

    def __init__(self, store: ModelStore | None = None, slots: int | None = None, max_models: int | None = None,
                 registry=None):
        if registry is None:
            from .. import experiments as registry  # the engine knows experiments only through the registry
        self.registry = registry
        self.store = store if store is not None else ModelStore()
        self.slots = slots if slots is not None else _env_int("LSTM_EXPLORER_TRAINING_SLOTS", 1)
        self.max_models = max_models if max_models is not None else _env_int("LSTM_EXPLORER_MEMORY_MODELS", 16)
        self._slots = threading.Semaphore(self.slots)
        self._lock = threading.Lock()
        self._flights: dict[str, _Flight] = {}
        self._memory: OrderedDict[str, Trained] = OrderedDict()
        self._queue: list[str] = []  # keys waiting for a slot, oldest first
        self._running = 0
        self.trainings = 0  # trainings actually run (for tests and the load benchmark)
        self.peak_running = 0  # most trainings that ran at the same time

    # -- memory and store ---------------------------------------------------------------
    def cached(self, config) -> Trained | None:
        """The model of `config` if it is in memory or in the store (no training)."""
        key = config.key()
        with self._lock:
            if key in self._memory:
                self._memory.move_to_end(key)
                return replace(self._memory[key], source="memory")
        stored = self.stored(config)
        if stored is not None:
            self._remember(stored)
        return stored

    def is_available(self, config) -> bool:
        """True if `config` needs no training (in memory or a finished store entry)."""
        key = config.key()
        with self._lock:
            if key in self._memory:
                return True
        return self.store.has(key)

    def stored(self, config) -> Trained | None:
        key = config.key()
        entry = self.store.load(key)
        if entry is None:
            return None
        model, meta, snapshots = entry
        try:  # the recorded configuration must still be valid (the teacher's limits may have changed)
            recorded = self.registry.config_from_dict(meta["config"])
            record = meta["fit"]
            trained = Trained(
                config=recorded, model=model, steps=np.asarray(record["steps"], dtype=np.int64),
                batch_size=int(record["batch_size"]),
                losses={name: np.asarray(values, dtype=np.float64) for name, values in record["losses"].items()},
                gradient_norm=np.asarray(record["gradient_norm"], dtype=np.float64), history=list(meta["history"]),
                metrics=dict(meta["metrics"]), error_metric=self.registry.of(recorded).error_metric,
                results=arrays(meta.get("results", {})), seconds=float(meta["seconds"]),
                diverged_step=record.get("diverged_step"), snapshots=snapshots, source="store")
        except Exception as error:  # noqa: BLE001 - any unreadable entry is retrained, never a crash
            log.warning("model store: entry %s is unreadable (%s); it will be trained again", key, error)
            self.store.remove(key)
            return None
        return trained

    def save(self, trained: Trained) -> bool:
        config = trained.config
        meta = {
            "config": {"experiment": config.experiment, **config.to_dict()},
            "metrics": trained.metrics, "history": trained.history, "results": plain(trained.results),
            "fit": {"steps": plain(trained.steps), "batch_size": trained.batch_size,
                    "losses": plain(trained.losses), "gradient_norm": plain(trained.gradient_norm),
                    "diverged_step": trained.diverged_step},
            "seconds": trained.seconds, "saved_at": time.time(),
        }
        return self.store.save(config.key(), trained.model, meta, trained.snapshots)

    def resumable(self, start: Trained) -> Trained:
        """`start` with its optimizer state, so that "Train more" continues it exactly.

        A model loaded from the store has no optimizer (it is loaded with
        `compile=False`, which is faster); its `.keras` file keeps one, so it
        is loaded again with it. If that fails, `start` is returned as it is
        and `train` trains from scratch (the same model, only slower).
        """
        if getattr(start.model, "optimizer", None) is not None or not self.store.has(start.config.key()):
            return start
        try:
            model = _keras().saving.load_model(self.store.model_path(start.config.key()), compile=True,
                                               safe_mode=True)
        except Exception as error:  # noqa: BLE001 - continuing is an optimisation; training from scratch is exact too
            log.warning("model store: cannot reload the optimizer of %s (%s)", start.config.key(), error)
            return start
        return replace(start, model=model)

    def _remember(self, trained: Trained) -> None:
        with self._lock:
            self._memory[trained.config.key()] = trained
            self._memory.move_to_end(trained.config.key())
            while len(self._memory) > self.max_models:
                self._memory.popitem(last=False)

    def forget(self) -> None:
        """Drop the in-memory models (the store keeps them)."""
        with self._lock:
            self._memory.clear()

    # -- training -----------------------------------------------------------------------
    def get(self, config, *, on_update=None, start: Trained | None = None, poll: float = 0.25) -> Trained:
        """The trained model of `config`: cached, or trained now, once however many ask.

        `on_update(status)` is called in the caller's thread about every
        `poll` seconds while the request waits. An exception it raises (such
        as Streamlit's rerun) stops the waiting, not the training.
        """
        found = self.cached(config)
        if found is not None:
            return found
        key = config.key()
        with self._lock:
            flight = self._flights.get(key)
            if flight is None:
                self.registry.of(config)  # an unknown experiment fails here, in the caller's thread
                flight = self._flights[key] = _Flight(config.epochs)
                threading.Thread(target=self._run, args=(config, key, flight, start),
                                 name=f"train-{key}", daemon=True).start()
        while not flight.done.wait(poll):
            if on_update is not None:
                on_update(self._status(key, flight))
        if flight.error is not None:
            raise flight.error
        if on_update is not None:
            on_update(replace(flight.status, phase="done", fraction=1.0, curve=tuple(flight.curve)))
        return flight.result

    def _status(self, key: str, flight: _Flight) -> Status:
        with self._lock:
            if key in self._queue:
                return replace(flight.status, phase="queued", ahead=self._queue.index(key) + self._running)
        return replace(flight.status, curve=tuple(flight.curve),
                       snapshot=flight.snapshots[-1] if flight.snapshots else None)

    def _run(self, config, key: str, flight: _Flight, start) -> None:
        try:
            flight.result = self.cached(config) or self._train(config, key, flight, start)
        except BaseException as error:  # noqa: BLE001 - handed to every waiting caller
            flight.error = error
        finally:
            with self._lock:
                self._flights.pop(key, None)
            flight.done.set()

    def _train(self, config, key: str, flight: _Flight, start) -> Trained:
        with self._lock:
            self._queue.append(key)
        try:
            self._slots.acquire()
        finally:
            with self._lock:
                self._queue.remove(key)
                self._running += 1
                self.peak_running = max(self.peak_running, self._running)
        try:
            flight.status = replace(flight.status, phase="training")

            def on_progress(fraction, loss):
                flight.status = replace(flight.status, fraction=fraction, loss=loss)

            def on_epoch(epoch, epochs, loss):
                flight.status = replace(flight.status, epoch=epoch, epochs=epochs, loss=loss)

            if start is not None:
                start = self.resumable(start)
            trained = fit(self.registry.of(config), config, on_epoch=on_epoch, on_progress=on_progress,
                          start=start, curve_sink=flight.curve, snapshot_sink=flight.snapshots)
            with self._lock:
                self.trainings += 1
        finally:
            with self._lock:
                self._running -= 1
            self._slots.release()
        self.save(trained)
        self._remember(trained)
        return trained
