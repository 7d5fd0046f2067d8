"""The warm start (`ui/warm.py`, run by `serve.py` when the server starts): default models from the store are
in memory with their prediction traced before a lesson asks, and a lesson that asks first waits, not retrains."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import ROOT

from lstm_core import experiments
from lstm_core.engine import predict
from lstm_core.engine.trainer import Trainer
from lstm_core.experiments import RectangleConfig
from ui import warm


@pytest.fixture
def fresh_warm(monkeypatch):
    monkeypatch.setattr(warm, "_thread", None)
    monkeypatch.setattr(warm, "_warmed", {})
    monkeypatch.setattr(warm, "_go", warm.threading.Event())


def test_no_warm_start_no_warmed_trainer(fresh_warm):
    assert warm.trainer() is None


def test_the_warm_start_loads_stored_defaults_and_traces_them(fresh_warm, store, no_jit, monkeypatch):
    from lstm_core import presets

    config = RectangleConfig(units=2, train_size=100)
    monkeypatch.setattr(presets, "defaults", lambda: [config, RectangleConfig(units=3, train_size=100)])
    Trainer(store).get(config)  # the prewarmed store; units=3 is not in it and must not be trained
    predict.clear()  # predictors are shared by every model of a shape in the process: only the warm start's count
    warm.start()
    trainer = warm.trainer()  # a lesson asking early: waits for the warm-up, which starts at once
    assert trainer is not None and trainer.trainings == 0
    trained = trainer.cached(config)
    assert trained.source == "memory"
    assert predict.traced(experiments.of(config), config) == 1  # its prediction traced
    assert predict.traced(experiments.of(config), config, body=predict.outputs) == 1  # and its replay's
    assert not trainer.is_available(RectangleConfig(units=3, train_size=100))
    assert warm.trainer() is trainer  # one warm-up per process


def test_pandas_is_whole_before_the_warm_start_thread_runs():
    """A half-imported pandas in sys.modules breaks Plotly in a student's thread: the server's own thread
    imports it before the warm start begins (a fresh process, as a server has)."""
    script = ("import sys; from ui import warm; assert 'pandas' not in sys.modules; warm.start(); "
              "assert hasattr(sys.modules['pandas'], 'Series'); print('whole')")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "whole", done.stderr[-2000:]
