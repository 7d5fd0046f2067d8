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
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


_prewarm: dict = {}  # this process's view of the run's prewarm: its folder, and its process if this one started it
PREWARM_SECONDS = 900
# The shell around the prewarm: its output to prewarm.log, then its exit status to `status`, renamed into place
# (so a status file is always whole). It runs in a session of its own: it outlives the pytest-xdist worker that
# started it, and it is stopped as a group.
PREWARM_SHELL = ('folder=$1; shift; "$@" > "$folder/prewarm.log" 2>&1; echo $? > "$folder/status.part"; '
                 'mv "$folder/status.part" "$folder/status"')


def _shared_prewarm_folder(testrunuid: str) -> Path:
    """The prewarm folder of one pytest-xdist run, the same for its controller and every worker."""
    return Path(tempfile.gettempdir()) / f"lstm-explorer-test-prewarm-{testrunuid}"


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """pytest-xdist's `--dist loadscope` (pytest.ini) with this suite's scopes (`_xdist_scope`): the tests of a
    scope run together on one worker, the scopes with the most tests handed out first."""
    if config.getvalue("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class SuiteScopes(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:  # what loadscope's own variants (loadfile, loadgroup) override
            return _xdist_scope(nodeid)

    return SuiteScopes(config, log)


def _xdist_scope(nodeid: str) -> str:
    """- The system tests (real servers, Chromium, nginx, replicas racing for a lock; some timing-sensitive) are
      one scope: one at a time on one worker, beside the other worker's unit and page tests, as in a serial run
      beside the prewarm; the largest scope, so they start at once (the prewarmed ones last: see below).
    - A unit test module is one: its module-scoped fixtures (a model trained for the module) are made once.
    - A page test is one on its own: the last ones go to whichever worker is free.
    (`xdist_group` marks and `--dist loadgroup` would do, but with pytest 9.2 xdist 3.8's groups are silently
    ignored: pytest-dev/pytest-xdist#1386.)"""
    path = nodeid.split("::")[0]
    if path.startswith("tests/system/"):
        return "tests/system"
    return path if path.startswith("tests/core/") else nodeid


@pytest.hookimpl(trylast=True)  # after -k and -m have deselected
def pytest_collection_modifyitems(session, config, items):
    """Start the full prewarm (a minute or two of training) as soon as a test that needs it is collected, so it
    runs beside the unit tests (each trains on one TensorFlow thread) instead of before the browser tests.

    One prewarm a run: under pytest-xdist every worker collects, and the first to create the run's folder
    (named by xdist's test run id; creating a folder is atomic) starts it; the others wait for its status file."""
    if hasattr(config, "workerinput"):  # last in the run: the prewarm has the longest to finish before them
        items.sort(key=lambda item: item.get_closest_marker("prewarmed") is not None)
    if _prewarm or not any(item.get_closest_marker("prewarmed") for item in items):
        return
    workerinput = getattr(config, "workerinput", None)
    if workerinput is None:  # no xdist (-p no:xdist, -n 0): this process owns the prewarm and removes it
        folder = Path(tempfile.mkdtemp(prefix="lstm-explorer-test-prewarm-"))
    else:
        folder = _shared_prewarm_folder(workerinput["testrunuid"])
        try:
            folder.mkdir(mode=0o700)
        except FileExistsError:
            _prewarm.update(folder=folder)  # started by another worker
            return
    command = [sys.executable, "-m", "lstm_core", "prewarm", "--store", str(folder / "store")]
    process = subprocess.Popen(["sh", "-c", PREWARM_SHELL, "sh", str(folder), *command], cwd=ROOT,
                               env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}, stdin=subprocess.DEVNULL,
                               start_new_session=True)
    (folder / "pid.part").write_text(str(process.pid))  # its process group too (a session of its own)
    (folder / "pid.part").rename(folder / "pid")
    threading.Thread(target=process.wait, name="prewarm-reaper", daemon=True).start()  # no zombie to wait on
    _prewarm.update(folder=folder, process=process)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):
    """pytest-xdist's controller (which collects nothing): the run's prewarm folder, to stop and remove at the end."""
    _prewarm.setdefault("folder", _shared_prewarm_folder(node.workerinput["testrunuid"]))


def pytest_sessionfinish(session, exitstatus):
    """Stop a still-running prewarm and remove its folder: in the process that owns it, the controller under
    pytest-xdist (after every worker has finished), else the only one."""
    if hasattr(session.config, "workerinput") or "folder" not in _prewarm:
        return
    folder = _prewarm["folder"]
    pid = _prewarm_pid(folder)
    if pid is not None and not (folder / "status").exists():
        _kill_group(pid)
    if "process" in _prewarm:
        _prewarm["process"].wait()
    shutil.rmtree(folder, ignore_errors=True)


def _prewarm_pid(folder: Path) -> int | None:
    try:
        return int((folder / "pid").read_text())
    except (OSError, ValueError):
        return None  # not started (yet)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return True


def _tail(log: Path) -> str:
    try:
        return log.read_text()[-3000:]
    except OSError:
        return "(no log)"


def _kill_group(pid: int) -> None:
    """SIGKILL the prewarm's process group (the shell and the prewarm) and wait, briefly, until it is gone."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + 10
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)


@pytest.fixture(scope="session")
def prewarmed_store() -> Path:
    """A store filled by `python -m lstm_core prewarm` (every lesson's defaults and presets), as a class's
    morning; started in the background at collection (mark the test `prewarmed`), once a run (shared by
    pytest-xdist's workers)."""
    if not _prewarm:
        pytest.fail("mark the test `prewarmed` so its store is prewarmed in the background")
    folder = _prewarm["folder"]
    status, log = folder / "status", folder / "prewarm.log"
    deadline = time.monotonic() + PREWARM_SECONDS
    while not status.exists():
        pid = _prewarm_pid(folder)
        if pid is not None and not _alive(pid) and not status.exists():
            pytest.fail(f"prewarm stopped without an exit status (killed?):\n{_tail(log)}")
        if time.monotonic() > deadline:
            if pid is not None:
                _kill_group(pid)
            pytest.fail(f"prewarm took over {PREWARM_SECONDS // 60} minutes")
        time.sleep(0.5)
    assert status.read_text().strip() == "0", _tail(log)
    return folder / "store"


@pytest.fixture(autouse=True)
def validated_figures(request, monkeypatch):
    """Unit tests build validated Plotly figures, which they read back as objects, even in a process whose page
    tests imported `ui/cache.py` (a server builds them unvalidated: the same JSON, `tests/core/test_figures.py`)."""
    if "tests/core/" in str(request.path).replace(os.sep, "/"):
        from lstm_core.figures import base

        monkeypatch.setattr(base, "VALIDATE", True)


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
