"""Helpers shared by the core tests (tests/conftest.py has the fixtures: store, trainer, no_jit, tiny_sine...)."""

from __future__ import annotations

import atexit
import contextlib
import functools
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]


def train(config, **options):
    """Train `config` through the engine's one `fit`, as its registered experiment."""
    from lstm_core import experiments
    from lstm_core.engine.fit import fit

    return fit(experiments.of(config), config, **options)


@contextlib.contextmanager
def jit_off():
    """`no_jit` for a module-scoped fixture (the fixture itself is function-scoped)."""
    from lstm_core.engine import fit

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(fit, "JIT_COMPILE", False)
        yield


def tiny(name: str):
    """The tiny configuration of one experiment (the one `prewarm --tiny` trains)."""
    from lstm_core.tools.prewarm import tiny_configs

    return next(config for config in tiny_configs() if config.experiment == name)


@functools.cache
def tiny_trainer():
    """`(trainer, {experiment: Trained})`: every experiment's tiny configuration trained once per test session
    through one Trainer into a store folder of its own. Read them; never train through this trainer again."""
    from lstm_core.engine.store import ModelStore
    from lstm_core.engine.trainer import Trainer
    from lstm_core.tools.prewarm import tiny_configs

    folder = Path(tempfile.mkdtemp(prefix="lstm-core-tiny-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    trainer = Trainer(ModelStore(folder / "store"))
    with jit_off():
        return trainer, {config.experiment: trainer.get(config) for config in tiny_configs()}


def assert_same_model(a, b) -> None:
    """Bit for bit: the same weights, records, metrics and results."""
    for x, y in zip(a.model.get_weights(), b.model.get_weights(), strict=True):
        np.testing.assert_array_equal(x, y)
    assert_same_records(a, b)


def assert_same_records(a, b) -> None:
    """The same training record, scores and stored results (what the store keeps beside the model)."""
    assert a.history == b.history and a.metrics == b.metrics and a.diverged_step == b.diverged_step
    np.testing.assert_array_equal(a.steps, b.steps)
    np.testing.assert_array_equal(a.gradient_norm, b.gradient_norm)
    assert set(a.losses) == set(b.losses)
    for name in a.losses:
        np.testing.assert_array_equal(a.losses[name], b.losses[name])
    assert_same_results(a.results, b.results)


def assert_same_results(a, b) -> None:
    assert isinstance(b, type(a)) or isinstance(a, type(b))
    if isinstance(a, dict):
        assert set(a) == set(b)
        for name in a:
            assert_same_results(a[name], b[name])
    else:
        np.testing.assert_array_equal(a, b)


def catalogues() -> dict:
    """The UI catalogues read as plain JSON (`ui/catalogues.py`), without importing Streamlit."""
    from ui import catalogues as ui_catalogues
    return {language: ui_catalogues.read(language) for language in ui_catalogues.languages()}
