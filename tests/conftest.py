"""
Shared test fixtures.

Every test gets its own model store in a temporary folder (through
`LSTM_EXPLORER_STORE`), so tests never read a developer's real store and
never see each other's models. `app` builds a Streamlit AppTest of the whole
app with every Streamlit cache cleared first, since caches survive between
AppTest instances in one process.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


@pytest.fixture
def store_dir(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "store"
    monkeypatch.setenv("LSTM_EXPLORER_STORE", str(folder))
    return folder


@pytest.fixture
def store(store_dir):
    from lstm_core.engine.store import ModelStore

    return ModelStore(store_dir)


@pytest.fixture
def trainer(store):
    from lstm_core.engine.trainer import Trainer

    return Trainer(store)


@pytest.fixture
def app(store_dir, monkeypatch):
    """A fresh AppTest of app.py on an empty store, every Streamlit cache cleared."""
    from streamlit.testing.v1 import AppTest

    from ui import cache

    monkeypatch.chdir(ROOT)
    cache.clear()
    test = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    yield test
    cache.clear()


def tiny_sine(**changes):
    from lstm_core.experiments import SineConfig

    values = dict(units=4, depth=2, train_size=100, epochs=1, seed=3)
    values.update(changes)
    return SineConfig(**values)


def tiny_rectangles(**changes):
    from lstm_core.experiments import RectangleConfig

    values = dict(units=4, train_size=100, epochs=1, seed=3)
    values.update(changes)
    return RectangleConfig(**values)


@pytest.fixture
def no_jit(monkeypatch):
    """Micro models in tests: compiling with XLA costs more than it saves."""
    from lstm_core.engine import fit

    monkeypatch.setattr(fit, "JIT_COMPILE", False)


def open_page(app, page, language=None, query=None):
    """Run the app on `page` (in `language`, with address `query`) and assert it raised nothing."""
    if language:
        app.query_params.update({"lang": language})
    if query:
        app.query_params.update(query)
    at = app.switch_page(page).run()  # the url paths are the file names, so no first run is needed
    assert not at.exception, [e.value for e in at.exception]
    return at
