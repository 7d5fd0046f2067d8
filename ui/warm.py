"""
Warm start: the models every lesson shows by default, ready before the
first student asks.

A server started just before class would otherwise import TensorFlow, load
the default models from the store and trace their prediction on the first
request of a lesson (several seconds). `start()`, called once when the server
starts (`serve.py`), does that work in a background thread, a few seconds
after the start so that the home page and the health check answer at once. A lesson that asks for the
Trainer before the warm-up is done waits for it (`trainer()`) instead of
doing the same work a second time.
"""

from __future__ import annotations

import logging
import os
import threading

import numpy as np

log = logging.getLogger(__name__)
_lock = threading.Lock()
_thread: threading.Thread | None = None
_warmed: dict = {}  # "trainer": the Trainer the warm-up filled
_go = threading.Event()  # set: begin now (a lesson is waiting)
# Importing TensorFlow holds Python's lock for seconds, which would delay the home page of a server that was
# just started (measured in benchmarks/first_visit.py): the first seconds are the home page's.
DELAY_SECONDS = 3.0


def start() -> threading.Thread:
    """Begin warming in a background thread (once per process).

    pandas is imported here, in the caller's thread, before the server answers anyone: imported by the
    background thread, it would sit half-initialised in `sys.modules` for a moment, and Plotly, which looks
    pandas up there without importing it, fails a student's first figure ("partially initialized module
    'pandas' has no attribute 'Series'", seen in benchmarks/replay.py).
    """
    global _thread
    import pandas  # noqa: F401 - whole before any other thread can see it

    with _lock:
        if _thread is None:
            _thread = threading.Thread(target=_warm, name="warm-start", daemon=True)
            _thread.start()
    return _thread


def _warm() -> None:
    _go.wait(DELAY_SECONDS)
    try:  # below the threads that answer students: the home page and the health check come first
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
    except (AttributeError, OSError):
        pass
    from lstm_core import experiments, figures, presets
    from lstm_core.engine.replay import Replay
    from lstm_core.engine.trainer import Trainer

    figures.loss_figure([1.0], [[1, 1.0]]).to_plotly_json()  # Plotly loads its validators on a first figure

    trainer = _warmed["trainer"] = Trainer()
    trainer.prepare()  # a training worker process imports TensorFlow beside this (with processes on)
    for config in presets.defaults():
        try:
            trained = trainer.cached(config)  # from the store; never trains
            if trained is None:
                continue
            shape = [1 if size is None else size for size in trained.model.input.shape]
            trained.predict(np.zeros(shape, dtype=np.float32))  # the first call traces
            if len(trained.model.outputs) == 1:  # and so does a replay's first call (`Replay.predictions`)
                Replay(experiments.of(config), config).predictions(trained.snapshots, np.zeros(shape, np.float32))
            experiments.view(trained)
        except Exception as error:  # noqa: BLE001 - warming is an optimisation: the page does it otherwise
            log.warning("warm start: %s not warmed (%s)", config.key(), error)


def trainer():
    """The warmed Trainer (waiting for the warm-up to finish), or None if no warm-up was started."""
    if _thread is None:
        return None
    _go.set()
    _thread.join()
    return _warmed.get("trainer")
