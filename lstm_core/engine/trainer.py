"""
Get a trained model for a configuration of any experiment: from memory, from
the store, or trained once (through `engine.fit`) and stored.

This is what every lesson, the command line and the prewarm command call, so
a model trained by any of them is instant for the others. It is built for
one Streamlit server with thirty students:

- Training runs in a worker thread of its own, never in the caller's thread.
  The caller waits and is told how it goes (`on_update(status)` a few times a
  second). If the caller goes away (a student moves a slider and Streamlit
  reruns the page) a training that has started carries on and is stored, and
  the rerun simply waits for the same training again: moving a slider never
  throws away a running training.
- Identical requests share one training; the others wait for its result and
  see the same progress.
- Different requests train through a bounded number of *slots* (default 1,
  `LSTM_EXPLORER_TRAINING_SLOTS`), so a 2-core server stays responsive.
- Trained models stay in a bounded in-memory cache (`max_models`, default 16,
  `LSTM_EXPLORER_MEMORY_MODELS`), least recently used first out; the store
  on disk keeps them all.

The queue is fair (`get(..., session=..., budget=...)`, as the pages call it):

- Every training's seconds are estimated before it starts (`engine/cost.py`:
  its FLOPs and sequential cell steps at this machine's measured speed,
  calibrated by the running median of measured / estimated seconds of the
  trainings this Trainer ran).
- A request whose training is estimated over `budget` seconds (the pages pass
  the teacher's `LSTM_EXPLORER_MAX_TRAINING_SECONDS`) is refused with
  `cost.TooCostly` (a `ConfigError` of field `training`) naming the limit;
  a model already in memory or the store, or a training already under way,
  is served whatever it cost.
- A session has at most one queued training: its new request replaces its
  queued (not yet started) one, which is dropped unless a waiter of another
  session still wants it.
- A queued training nobody waits for any more (every waiting call has left:
  a rerun, a closed tab) is dropped before it starts, once `grace` seconds
  (default 3) have passed without a waiter coming back for it (a rerun of
  the same page comes back within them). A running one finishes and is
  stored.
- Order: each queued training has a *turn*, the time it was first asked for
  plus its estimated seconds, and the earliest turn starts next (ties: first
  asked). So among trainings asked at about the same time the shortest goes
  first, while a long training is never starved: a training asked for later
  overtakes it only if it is asked less than (long − short) estimated
  seconds after it, so anything asked more than the long training's own
  estimate after it queues behind it.
- A short training never waits behind long ones: when every slot is taken
  by a training estimated over `express` seconds (default 20,
  `LSTM_EXPLORER_EXPRESS_SECONDS`), one more slot, the *express lane*,
  opens for trainings estimated at most that long (earliest turn first). So
  one student's largest allowed training holds a slot, not the class; on a
  2-core server the long training and the express one each get a core
  (TensorFlow runs each on one thread, `engine/backend.py`).
  `benchmarks/fairness.py` measures the class's waits beside a long one.
- A queued request is told how many trainings are ahead of it (`ahead`:
  running ones and the queued ones whose turn comes first) and the
  estimated `wait` in seconds: the remaining time of the running trainings
  and the estimates of the ones ahead, spread over the slots.

With `processes` (`LSTM_EXPLORER_TRAINING_PROCESSES=1`; off by default), a
training runs in a worker process of its own (`engine/workers.py`)
that saves it into the store, and the model is loaded from there: the
server's interpreter lock and cores stay with the students' page runs. A
continued training ("Train more") whose start is not in the store, or a
store that cannot be written, trains in the thread as without.

Several server processes can share one store (replicas behind a load
balancer, `deploy/`), and the command line or prewarm may run beside them.
A training about to take a slot first takes the store's lock of its key
(`ModelStore.try_lock`, see `engine/store.py`), held until its model is
saved (or it failed). If another process holds it, the training leaves the
queue without taking a slot and waits for that process: a watcher thread
looks every half second for the entry, which is loaded and handed to every
waiting request (no training here), or for the lock to be released without
an entry or to go stale (its holder died), when the training goes back to
the queue with its turn and takes the lock itself. Meanwhile its requests
are told it is queued behind one training (`ahead` 1, `elsewhere` True,
`wait` its estimate less the time the other process has held the lock), and
it is dropped like a queued one when nobody waits for it any more. A store
whose folder cannot be written is not shared: its trainings run unlocked.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import os
import threading
import time
from collections import OrderedDict, deque
from dataclasses import dataclass, field, replace

import numpy as np

from . import cost
from . import fit as _fitting
from .backend import keras as _keras
from .fit import Trained, arrays, fit, plain
from .store import ModelStore
from .workers import Worker

log = logging.getLogger(__name__)


def _env_float(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name, default))
    except ValueError:
        return default
    return value if value >= 0 else default


def _env_int(name: str, default: int) -> int:
    try:
        return max(1, int(os.environ.get(name, default)))
    except ValueError:
        return default


GRACE_SECONDS = 3.0  # a queued training nobody waits for is kept this long for a rerun to come back to it
EXPRESS_SECONDS = 20.0  # a training estimated at most this long may take the express lane beside long ones
WATCH_SECONDS = 0.5  # how often a training another process holds is looked for in the store


class Dropped(RuntimeError):
    """A queued training was dropped before it started: nobody waits for it any more (only a call whose
    session has since asked for another training can still be waiting, and is told this)."""


@dataclass(frozen=True)
class Status:
    """How a request is going: `phase` is `queued`, `training` or `done`.

    While queued, `ahead` is the number of trainings before it (running, then queued) and `wait` the estimated
    seconds until it starts; `estimate` is its own estimated seconds (`engine/cost.py`). `elsewhere`: another
    process (a replica sharing the store) is training it, and this request waits for its stored model.
    """

    phase: str = "queued"
    ahead: int = 0
    fraction: float = 0.0
    epoch: int = 0
    epochs: int = 0
    loss: float = float("nan")
    curve: tuple = field(default=(), repr=False)
    snapshot: tuple | None = field(default=None, repr=False)  # the latest (step, weights row, steps, batch) kept
    wait: float = 0.0
    estimate: float = 0.0
    elsewhere: bool = False


_order = itertools.count()


class _Flight:
    """One training, queued or running, shared by every request for the same key."""

    def __init__(self, config, key: str, start, *, work: cost.Work, estimate: float, asked: float,
                 architecture: str):
        self.config, self.key, self.start = config, key, start
        self.work = work  # what the training does (`engine/cost.py`)
        self.estimate = estimate  # its calibrated estimated seconds when first asked for
        self.asked = asked
        self.turn = (asked + estimate, next(_order))  # the queue's order: earliest turn first, then first asked
        self.architecture = architecture
        self.began: float | None = None  # when it took a slot (None: queued)
        self.claims: dict = {}  # who wants it: session id (or a token per anonymous call) → [waiting calls, left at]
        self.done = threading.Event()
        self.status = Status(epochs=config.epochs, estimate=estimate)
        self.curve: list = []
        self.snapshots: list = []  # (step, weights row, total steps, batch size) as the training keeps them
        self.result: Trained | None = None
        self.error: BaseException | None = None
        self.lock = None  # the store's lock of its key (`store.StoreLock`) while it trains and is stored
        self.holder = None  # while another process trains it: who (`store.Holder`)


class Trainer:
    """Trained models on demand: memory, then store, then one shared, bounded training."""

    def __init__(self, store: ModelStore | None = None, slots: int | None = None, max_models: int | None = None,
                 registry=None, *, grace: float | None = None, clock=time.monotonic,
                 calibration: cost.Calibration | None = None, express: float | None = None,
                 processes: bool | None = None):
        """`grace`: seconds a queued training nobody waits for is kept (default `GRACE_SECONDS`); `express`: the
        longest estimate the express lane takes (default `EXPRESS_SECONDS`; 0 closes it); `clock`: the
        time the queue's order and the grace are counted in (tests pass their own); `calibration`: this
        server's speed (`cost.Calibration`, fed by every training run here that did not compile); `processes`:
        train in worker processes (default: `LSTM_EXPLORER_TRAINING_PROCESSES` is 1)."""
        if registry is None:
            from .. import experiments as registry  # the engine knows experiments only through the registry
        self.registry = registry
        self.store = store if store is not None else ModelStore()
        self.slots = slots if slots is not None else _env_int("LSTM_EXPLORER_TRAINING_SLOTS", 1)
        self.express = express if express is not None else _env_float("LSTM_EXPLORER_EXPRESS_SECONDS", EXPRESS_SECONDS)
        self.max_models = max_models if max_models is not None else _env_int("LSTM_EXPLORER_MEMORY_MODELS", 16)
        self.grace = GRACE_SECONDS if grace is None else float(grace)
        self.clock = clock
        self.calibration = calibration if calibration is not None else cost.Calibration()
        self.processes = (os.environ.get("LSTM_EXPLORER_TRAINING_PROCESSES", "0").strip() == "1"
                          if processes is None else bool(processes))
        self._workers: list[Worker] = []  # idle worker processes
        self._lock = threading.Lock()
        self._flights: dict[str, _Flight] = {}  # queued and running trainings by key
        self._memory: OrderedDict[str, Trained] = OrderedDict()
        self._queue: list[_Flight] = []  # trainings waiting for a slot, in the order they were asked for
        self._runs: set[_Flight] = set()  # trainings holding a slot
        self._elsewhere: set[_Flight] = set()  # trainings another process holds the store's lock of
        self._sessions: dict = {}  # session id → its queued training
        self._warm: set[str] = set()  # architectures trained here (compiled already: no compile in the estimate)
        self.trainings = 0  # trainings actually run (for tests and the load benchmark)
        self.peak_running = 0  # most trainings that ran at the same time
        self.started: deque = deque(maxlen=1000)  # keys in the order their trainings started (the latest)
        self.dropped: deque = deque(maxlen=1000)  # keys of queued trainings dropped before they started

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

    def is_pending(self, config) -> bool:
        """True if a training of `config` is queued or running (a page's rerun can wait for it again)."""
        with self._lock:
            return config.key() in self._flights

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
    def estimate(self, config, start: Trained | None = None) -> float:
        """Estimated seconds to train `config` here (continuing `start`: only its remaining epochs)."""
        return self._estimate(self.registry.of(config), config, start)[1]

    def _estimate(self, experiment, config, start) -> tuple:
        """`(work, calibrated seconds, architecture)` of training `config` (see `engine/cost.py`): an architecture
        this Trainer has not trained yet is counted with its compile."""
        recipe = experiment.recipe(config)
        architecture = experiment.architecture(config, recipe)
        done = len(start.history) if start is not None else 0
        work = cost.work(config, batch_size=recipe.batch_size, epochs=max(1, config.epochs - done),
                         jit=bool(recipe.jit_compile and _fitting.JIT_COMPILE))
        return work, self.calibration.seconds(work.seconds(compile=architecture not in self._warm)), architecture

    def get(self, config, *, on_update=None, start: Trained | None = None, poll: float = 0.25, session=None,
            budget: float | None = None) -> Trained:
        """The trained model of `config`: cached, or trained now, once however many ask.

        `on_update(status)` is called in the caller's thread about every
        `poll` seconds while the request waits. An exception it raises (such
        as Streamlit's rerun) stops the waiting, not a running training; a
        queued one nobody waits for any more is dropped (see the module's
        docstring). `session` (a page's session id) makes this the session's
        one queued training, replacing the one it asked for before if that has
        not started. With `budget`, a training estimated over `budget` seconds
        is refused (`cost.TooCostly`) before it starts; a model in memory or
        the store, or a training already under way, is still served.
        """
        found = self.cached(config)
        if found is not None:
            return found
        key = config.key()
        claimant = session if session is not None else object()
        with self._lock:
            flight = self._flights.get(key)
            if flight is None:
                experiment = self.registry.of(config)  # an unknown experiment fails here, in the caller's thread
                work, estimate, architecture = self._estimate(experiment, config, start)
                if budget is not None and estimate > budget:
                    raise cost.TooCostly(estimate, budget)
                flight = self._flights[key] = _Flight(config, key, start, work=work, estimate=estimate,
                                                      asked=self.clock(), architecture=architecture)
                self._queue.append(flight)
            if session is not None:
                previous = self._sessions.pop(session, None)
                if previous is not None and previous is not flight:
                    previous.claims.pop(session, None)  # replaced: this session wants the new one instead
                if flight.began is None:
                    self._sessions[session] = flight
            claim = flight.claims.setdefault(claimant, [0, None])
            claim[0] += 1
            self._dispatch()
        try:
            while not flight.done.wait(poll):
                if on_update is not None:
                    on_update(self._status(flight))
        finally:
            with self._lock:
                claim[0] -= 1
                claim[1] = self.clock()
                self._dispatch()
        if flight.error is not None:
            raise flight.error
        if on_update is not None:
            on_update(replace(flight.status, phase="done", fraction=1.0, curve=tuple(flight.curve)))
        return flight.result

    # -- the queue (every method below but `_run` and `_fit` is called with the lock held) -------------
    def _wanted(self, flight: _Flight, now: float) -> bool:
        return any(calls > 0 or (left is not None and now - left < self.grace)
                   for calls, left in flight.claims.values())

    def _dispatch(self) -> None:
        """Drop the queued trainings nobody wants, then start the earliest turns while a slot is free (a training
        another process holds waits for it instead, without a slot)."""
        now = self.clock()
        for flight in [f for f in (*self._queue, *self._elsewhere) if not self._wanted(f, now)]:
            if flight in self._queue:
                self._queue.remove(flight)
            self._elsewhere.discard(flight)
            self._forget_session(flight)
            if self._flights.get(flight.key) is flight:
                del self._flights[flight.key]
            self.dropped.append(flight.key)
            flight.error = Dropped(f"the queued training of {flight.key} was dropped: nobody waits for it any more")
            flight.done.set()
        while self._queue:
            flight = self._next()
            if flight is None:
                break
            self._queue.remove(flight)
            if not self._lock_store(flight):
                self._elsewhere.add(flight)  # still the session's queued training: a new request replaces it
                threading.Thread(target=self._watch, args=(flight,), name=f"watch-{flight.key}", daemon=True).start()
                continue
            self._forget_session(flight)
            self._runs.add(flight)
            self.peak_running = max(self.peak_running, len(self._runs))
            self.started.append(flight.key)
            flight.began = now
            flight.status = replace(flight.status, phase="training")
            threading.Thread(target=self._run, args=(flight,), name=f"train-{flight.key}", daemon=True).start()

    def _short(self, flight: _Flight) -> bool:
        return flight.estimate <= self.express

    def _express_lane(self) -> bool:
        """True while long trainings hold every slot: then one more slot is open to short ones."""
        return sum(not self._short(f) for f in self._runs) >= self.slots

    def _next(self) -> _Flight | None:
        """The queued training to start now: the earliest turn while a slot is free, else the earliest short one
        while the express lane is free; None when both wait."""
        if len(self._runs) < self.slots:
            return min(self._queue, key=lambda f: f.turn)
        if self._express_lane() and len(self._runs) < self.slots + 1:
            return min((f for f in self._queue if self._short(f)), key=lambda f: f.turn, default=None)
        return None

    def _lock_store(self, flight: _Flight) -> bool:
        """Take the store's lock of the flight's key; False if another process holds it."""
        try:
            flight.lock = self.store.try_lock(flight.key)
        except OSError as error:  # a folder nobody can write is shared with nobody: train without the lock
            log.debug("model store: no lock for %s (%s)", flight.key, error)
            return True
        if flight.lock is None:
            flight.holder = self.store.holder(flight.key)
            return False
        return True

    def _forget_session(self, flight: _Flight) -> None:
        for session in [s for s, queued in self._sessions.items() if queued is flight]:
            del self._sessions[session]

    def _remaining(self, flight: _Flight, now: float) -> float:
        """Estimated seconds a running training still needs: from its progress once it has some."""
        elapsed = now - flight.began
        fraction = flight.status.fraction
        if 0.1 <= fraction < 1.0:
            return elapsed * (1.0 - fraction) / fraction
        return max(flight.estimate - elapsed, 0.0)

    def _ahead(self, flight: _Flight, now: float) -> tuple:
        """`(trainings ahead of the queued `flight`, estimated seconds until it starts)`."""
        before = sorted((f for f in self._queue if f.turn < flight.turn), key=lambda f: f.turn)
        runs, lanes = self._runs, self.slots
        if self._short(flight) and self._express_lane():  # it waits for the express lane only
            before = [f for f in before if self._short(f)]
            runs, lanes = {f for f in self._runs if self._short(f)}, 1
        free = sorted(self._remaining(f, now) for f in runs)
        free += [0.0] * max(lanes - len(free), 0)  # when each slot is free, earliest first
        heapq.heapify(free)
        for queued in before:  # each takes the first slot free
            heapq.heappush(free, heapq.heappop(free) + queued.estimate)
        return len(runs) + len(before), free[0]

    def _status(self, flight: _Flight) -> Status:
        with self._lock:
            self._dispatch()  # a waiting request is also what drops the trainings nobody waits for
            if flight.began is None and flight in self._queue:
                ahead, wait = self._ahead(flight, self.clock())
                return replace(flight.status, phase="queued", ahead=ahead, wait=wait)
            if flight in self._elsewhere:
                held = time.time() - flight.holder.created if flight.holder is not None else 0.0
                return replace(flight.status, phase="queued", ahead=1, wait=max(flight.estimate - held, 0.0),
                               elsewhere=True)
        return replace(flight.status, curve=tuple(flight.curve),
                       snapshot=flight.snapshots[-1] if flight.snapshots else None)

    # -- a training, in its worker thread ---------------------------------------------------------------
    def _watch(self, flight: _Flight) -> None:
        """While another process holds the lock of `flight`: its stored model, or the lock back in the queue."""
        every = min(WATCH_SECONDS, self.store.stale_seconds / 4)
        while not flight.done.wait(every):
            found = self.cached(flight.config) if self.store.has(flight.key) else None
            holder = None if found is not None else self.store.holder(flight.key)
            with self._lock:
                if flight not in self._elsewhere:
                    return  # dropped: nobody waits for it any more
                if found is None and holder is not None and holder.age < self.store.stale_seconds:
                    flight.holder = holder
                    continue
                self._elsewhere.discard(flight)
                if found is None:  # released without an entry (it failed there) or stale (its holder died)
                    self._queue.append(flight)
                    self._dispatch()
                    return
                self._forget_session(flight)
                if self._flights.get(flight.key) is flight:
                    del self._flights[flight.key]
                flight.result = found
                flight.done.set()
                return

    def _run(self, flight: _Flight) -> None:
        try:
            try:
                try:
                    found = self.cached(flight.config)  # another process may have stored it before the lock
                    trained = found or self._fit(flight)
                finally:
                    with self._lock:  # the slot is free for the next training while this one is stored
                        self._runs.discard(flight)
                        self._dispatch()
                if found is None:
                    if trained.source == "store":  # a worker process trained and stored it
                        trained = replace(trained, source="trained")
                    else:
                        self.save(trained)
                    self._remember(trained)
                flight.result = trained
            finally:
                if flight.lock is not None:  # after the entry is saved: a waiting process finds it, never a gap
                    flight.lock.release()
        except BaseException as error:  # noqa: BLE001 - handed to every waiting caller
            flight.error = error
        finally:
            with self._lock:
                if self._flights.get(flight.key) is flight:
                    del self._flights[flight.key]
            flight.done.set()

    def _fit(self, flight: _Flight) -> Trained:
        config, start = flight.config, flight.start

        def on_progress(fraction, loss):
            flight.status = replace(flight.status, fraction=fraction, loss=loss)

        def on_epoch(epoch, epochs, loss):
            flight.status = replace(flight.status, epoch=epoch, epochs=epochs, loss=loss)

        began = time.perf_counter()
        sinks = dict(on_epoch=on_epoch, on_progress=on_progress, curve_sink=flight.curve,
                     snapshot_sink=flight.snapshots)
        if self.processes and self._store_writable() and (start is None or self.store.has(start.config.key())):
            compiled = self._fit_elsewhere(flight, sinks)
            trained = self.stored(config)
            if trained is None:
                raise RuntimeError(f"the trained model of {flight.key} is not in the store")
            trained = replace(trained, compiled=compiled)  # source "store": `_run` does not save it again
        else:
            if start is not None:
                start = self.resumable(start)
            trained = fit(self.registry.of(config), config, start=start, **sinks)
        if not trained.compiled:  # a compile's seconds vary too much to calibrate the steady speed with
            self.calibration.add(flight.work.seconds(), time.perf_counter() - began)
        with self._lock:
            self.trainings += 1
            self._warm.add(flight.architecture)
        return trained

    def _fit_elsewhere(self, flight: _Flight, sinks: dict) -> bool:
        """Train `flight` in an idle worker process (one that compiled its architecture, if any), which stores
        it; whether it compiled."""
        with self._lock:
            ready = [w for w in self._workers if flight.architecture in w.architectures] or self._workers
            worker = ready[-1] if ready else None
            if worker is not None:
                self._workers.remove(worker)
        if worker is None or not worker.alive:
            worker = Worker(str(self.store.root), jit_compile=_fitting.JIT_COMPILE)
        _seconds, compiled = worker.train(flight.config, flight.start.config if flight.start else None, **sinks)
        worker.architectures.add(flight.architecture)
        with self._lock:
            self._workers.append(worker)
        return compiled

    def _store_writable(self) -> bool:
        """True if a worker process can save into the store (its folder, or the nearest existing parent)."""
        folder = self.store.root
        while not folder.exists() and folder != folder.parent:
            folder = folder.parent
        return self.store.writable and os.access(folder, os.W_OK)

    def prepare(self) -> None:
        """Start a worker process now (it imports TensorFlow), so that the first training does not wait for it."""
        with self._lock:
            if self.processes and not self._workers:
                self._workers.append(Worker(str(self.store.root), jit_compile=_fitting.JIT_COMPILE))

    def close(self) -> None:
        """Stop the idle worker processes."""
        with self._lock:
            workers, self._workers = self._workers, []
        for worker in workers:
            worker.stop()
