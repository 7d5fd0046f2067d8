"""
Training in processes of their own, so that a server's trainings do not slow
its students' page runs.

A Streamlit server runs every student's page in one Python process, under
one interpreter lock. A training in a thread of that process holds the lock
for its Python work (building the model, Keras' loop between compiled
steps, scoring, saving) and shares the process's cores, so every slider
move waits behind it (`benchmarks/load_protocol.py`: "while a training
ran"). A *worker* is a long-lived child process (started with `spawn`, at a
lower CPU priority, `nice` +`NICENESS`) that imports TensorFlow once, keeps
its own pool of compiled models (`engine/fit.py`) and trains one
configuration at a time through the same `fit`; it saves the trained model
into the store itself, and the server loads it from there. Progress, the
growing loss curve and the weight snapshots come back over a pipe as they
happen, so a page draws the training live as before.

The Trainer (`engine/trainer.py`) borrows an idle worker for each training it
starts (one that has compiled that architecture already, if any) and makes a
new one when none is idle, so there are at most as many as trainings run at
once (its slots and the express lane). A worker that dies (killed, out of
memory) fails the training it ran with `WorkerDied`; the next training
starts a new one.
"""

from __future__ import annotations

import multiprocessing
import os

NICENESS = 10  # below the server's threads: a student's page run comes before a training step


class WorkerDied(RuntimeError):
    """The training process stopped before it finished (killed, or out of memory)."""


class Worker:
    """One child process that trains configurations into the store, one at a time."""

    def __init__(self, store_folder: str, jit_compile: bool = True):
        context = multiprocessing.get_context("spawn")  # a fork would copy the server's threads and TensorFlow
        self._pipe, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, store_folder, jit_compile),
                                       name="lstm-explorer-training", daemon=True)
        self.process.start()
        child.close()
        self.architectures: set = set()  # compiled in this process already

    def train(self, config, start_config=None, *, on_progress=None, on_epoch=None, curve_sink=None,
              snapshot_sink=None) -> tuple:
        """Train `config` (continuing the stored `start_config`, if given) and save it into the store;
        `(seconds, compiled)` when it is saved. The callbacks and sinks are those of `engine.fit.fit`."""
        to_dict = lambda c: {"experiment": c.experiment, **c.to_dict()}  # noqa: E731
        try:
            self._pipe.send(("train", to_dict(config), to_dict(start_config) if start_config else None))
            while True:
                while not self._pipe.poll(0.5):
                    if not self.process.is_alive():
                        raise EOFError
                kind, *values = self._pipe.recv()
                if kind == "progress" and on_progress is not None:
                    on_progress(*values)
                elif kind == "epoch" and on_epoch is not None:
                    on_epoch(*values)
                elif kind == "curve" and curve_sink is not None:
                    curve_sink.append(values[0])
                elif kind == "snapshot" and snapshot_sink is not None:
                    snapshot_sink.append(values[0])
                elif kind == "done":
                    return tuple(values)
                elif kind == "error":
                    raise _rebuilt(*values)
        except (EOFError, OSError, BrokenPipeError) as error:
            self.stop()
            raise WorkerDied(f"the training process stopped (exit code {self.process.exitcode})") from error

    @property
    def alive(self) -> bool:
        return self.process.is_alive()

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)


def _rebuilt(kind: str, message: str, field: str | None) -> BaseException:
    """An exception of the worker, as the server raises it (the types a page tells apart)."""
    from .config import ConfigError
    from .fit import TrainingDiverged

    if kind == "TrainingDiverged":
        return TrainingDiverged(message)
    if field is not None:
        return ConfigError(field, message)
    return RuntimeError(f"{kind}: {message}")


class _Sink:
    """A list for `fit` to append to that sends each item to the server instead."""

    def __init__(self, pipe, kind: str):
        self.pipe, self.kind = pipe, kind

    def append(self, item) -> None:
        self.pipe.send((self.kind, item))


def _serve(pipe, store_folder: str, jit_compile: bool) -> None:
    """The worker's loop: a training request in, progress and then `done` (or `error`) out."""
    try:
        os.nice(NICENESS)
    except OSError:
        pass
    from .. import experiments
    from . import fit as fitting
    from .store import ModelStore
    from .trainer import Trainer

    fitting.JIT_COMPILE = jit_compile
    trainer = Trainer(store=ModelStore(store_folder), slots=1, max_models=2, processes=False)
    send = lambda *message: pipe.send(message)  # noqa: E731 - Keras calls back in this thread
    while True:
        try:
            request = pipe.recv()
        except EOFError:
            return  # the server is gone
        _, config_values, start_values = request
        try:
            config = experiments.config_from_dict(config_values)
            start = trainer.cached(experiments.config_from_dict(start_values)) if start_values else None
            if start is not None:
                start = trainer.resumable(start)
            trained = fitting.fit(
                experiments.of(config), config, start=start,
                on_progress=lambda fraction, loss: send("progress", fraction, loss),
                on_epoch=lambda epoch, epochs, loss: send("epoch", epoch, epochs, loss),
                curve_sink=_Sink(pipe, "curve"), snapshot_sink=_Sink(pipe, "snapshot"))
            if not trainer.save(trained):
                raise OSError(trainer.store.problem or "the model store cannot be written")
            send("done", trained.seconds, trained.compiled)
        except Exception as error:  # noqa: BLE001 - handed to the server, which shows it to the student
            send("error", type(error).__name__, str(error), getattr(error, "field", None))
