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
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


_prewarm: dict = {}  # the background `python -m lstm_core prewarm` of this session, if a browser test is collected


@pytest.hookimpl(trylast=True)  # after -k and -m have deselected
def pytest_collection_modifyitems(session, config, items):
    """Start the full prewarm (a minute or two of training) as soon as a test that needs it is collected, so it
    runs beside the unit tests (each trains on one TensorFlow thread) instead of before the browser tests."""
    if _prewarm or not any(item.get_closest_marker("prewarmed") for item in items):
        return
    folder = Path(tempfile.mkdtemp(prefix="lstm-explorer-test-prewarm-"))
    log = open(folder / "prewarm.log", "w")
    process = subprocess.Popen([sys.executable, "-m", "lstm_core", "prewarm", "--store", str(folder / "store")],
                               cwd=ROOT, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}, stdout=log,
                               stderr=subprocess.STDOUT)
    _prewarm.update(folder=folder, process=process, log=log)


def pytest_sessionfinish(session, exitstatus):
    process = _prewarm.get("process")
    if process is not None and process.poll() is None:
        process.kill()
        process.wait()
    if _prewarm:
        _prewarm["log"].close()
        shutil.rmtree(_prewarm["folder"], ignore_errors=True)


@pytest.fixture(scope="session")
def prewarmed_store() -> Path:
    """A store filled by `python -m lstm_core prewarm` (every lesson's defaults and presets), as a class's
    morning; started in the background at collection (mark the test `prewarmed`)."""
    if not _prewarm:
        pytest.fail("mark the test `prewarmed` so its store is prewarmed in the background")
    process = _prewarm["process"]
    try:
        status = process.wait(timeout=900)
    except subprocess.TimeoutExpired:
        process.kill()
        pytest.fail("prewarm took over 15 minutes")
    _prewarm["log"].close()
    log = (_prewarm["folder"] / "prewarm.log").read_text()
    assert status == 0, log[-3000:]
    return _prewarm["folder"] / "store"


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
