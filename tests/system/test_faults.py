"""
Faults a classroom server meets: a damaged model store, a store that cannot be
written, a write killed half-way, a training that diverges; and the security
rules (models loaded only with `safe_mode=True`, XSRF on, viewer toolbar).

One tiny rectangle model is trained once for the module and its two files
are copied into each test's store, then damaged; only the tests that check a
whole page (retrained entry, unwritable store, diverged training) train again.
Keras' XLA compile is off (`no_jit`): it costs more than it saves on models this small.
"""

from __future__ import annotations

import ast
import dataclasses
import errno
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
import tomllib

import numpy as np
import pytest

from conftest import ROOT, tiny_rectangles
from lstm_core import experiments
from lstm_core.engine.fit import TrainingDiverged
from lstm_core.engine.store import FORMAT_VERSION, STRAY_AGE_SECONDS, ModelStore
from lstm_core.engine.trainer import Trainer

CONFIG = tiny_rectangles(seed=11)
KEY = CONFIG.key()
URL = {"units": str(CONFIG.units), "train_size": str(CONFIG.train_size), "seed": str(CONFIG.seed)}


pytestmark = pytest.mark.usefixtures("no_jit")


@pytest.fixture(scope="module")
def good_entry(tmp_path_factory):
    """A folder holding one finished, readable store entry of CONFIG."""
    from lstm_core.engine import fit

    folder = tmp_path_factory.mktemp("good-store")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(fit, "JIT_COMPILE", False)
        trainer = Trainer(ModelStore(folder))
        trainer.get(CONFIG)
    assert trainer.store.has(KEY)
    return folder


@pytest.fixture
def entry(good_entry, store):
    """This test's store, holding a copy of the good entry."""
    store.root.mkdir(parents=True, exist_ok=True)
    for path in good_entry.iterdir():
        shutil.copy2(path, store.root / path.name)
    assert store.load(KEY) is not None
    return store


def _meta(store) -> dict:
    return json.loads(store.meta_path(KEY).read_text())


def _page(app, page: str, query: dict):
    app.query_params.update(query)
    app.switch_page(page)
    return app.run()


# -- a damaged store ------------------------------------------------------------------------
MODEL_DAMAGE = {
    "truncated": lambda data: data[: len(data) // 2],
    "empty": lambda data: b"",
    "garbage": lambda data: bytes(np.random.default_rng(0).integers(0, 256, len(data), dtype=np.uint8)),
    "text": lambda data: b"<html>not a model</html>",
}


@pytest.mark.parametrize("damage", MODEL_DAMAGE)
def test_a_damaged_model_file_is_logged_removed_and_counted_missing(entry, damage, caplog):
    path = entry.model_path(KEY)
    path.write_bytes(MODEL_DAMAGE[damage](path.read_bytes()))
    with caplog.at_level(logging.WARNING, logger="lstm_core.engine.store"):
        assert entry.load(KEY) is None
    assert KEY in caplog.text and "trained again" in caplog.text
    assert not entry.has(KEY) and not entry.model_path(KEY).exists() and not entry.meta_path(KEY).exists()
    trainer = Trainer(entry)
    assert trainer.cached(CONFIG) is None and not trainer.is_available(CONFIG) and trainer.trainings == 0


META_DAMAGE = {
    "not json": lambda meta: "{ not json",
    "binary": lambda meta: "\x00\xff\x10",
    "a list": lambda meta: "[1, 2, 3]",
    "another key": lambda meta: json.dumps({**meta, "key": "sine-u1-d1-n100-e1-s0-0123456789"}),
    "another format": lambda meta: json.dumps({**meta, "format": 99}),
    "the old format": lambda meta: json.dumps({**meta, "format": FORMAT_VERSION - 1}),
    "invalid config": lambda meta: json.dumps({**meta, "config": {**meta["config"], "units": 10_000}}),
    "config not a dict": lambda meta: json.dumps({**meta, "config": [1]}),
    "no metrics": lambda meta: json.dumps({k: v for k, v in meta.items() if k != "metrics"}),
    "history not a list": lambda meta: json.dumps({**meta, "history": "oops"}),
    "no training time": lambda meta: json.dumps({k: v for k, v in meta.items() if k != "seconds"}),
    "no fit record": lambda meta: json.dumps({k: v for k, v in meta.items() if k != "fit"}),
    "a fit record without losses": lambda meta: json.dumps({**meta, "fit": {**meta["fit"], "losses": None}}),
    "another experiment": lambda meta: json.dumps({**meta, "config": {**meta["config"], "experiment": "nope"}}),
}


@pytest.mark.parametrize("damage", META_DAMAGE)
def test_damaged_metadata_is_not_an_entry_and_never_crashes_the_trainer(entry, damage):
    entry.meta_path(KEY).write_text(META_DAMAGE[damage](_meta(entry)))
    trainer = Trainer(entry)
    assert trainer.cached(CONFIG) is None  # before the fix, a JSON without metrics raised KeyError here
    assert not entry.has(KEY) and trainer.trainings == 0


def test_missing_metadata_means_no_entry(entry):
    entry.meta_path(KEY).unlink()  # the server stopped between the model's rename and the JSON's
    assert not entry.has(KEY) and entry.keys() == [] and entry.load(KEY) is None
    assert not Trainer(entry).is_available(CONFIG)


def test_a_corrupted_entry_is_retrained_and_the_page_still_renders(app, entry):
    entry.model_path(KEY).write_bytes(b"\x00" * 100)
    _page(app, "pages/rectangles.py", URL)
    assert not app.exception and not app.error
    from ui import cache

    assert cache.trainer().trainings == 1  # found damaged, trained again without pressing Train
    assert entry.load(KEY) is not None  # and stored again, readable
    assert app.get("plotly_chart")


# -- a write killed half-way ----------------------------------------------------------------
KILLED_WRITER = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, {root!r})
    from lstm_core.engine.store import ModelStore

    class SlowModel:  # writes half a file, then hangs until it is killed
        def save(self, path):
            with open(path, "wb") as handle:
                handle.write(b"PK\\x03\\x04 half a zip")
                handle.flush()
                print("writing", flush=True)
                time.sleep(60)

    ModelStore({store!r}).save({key!r}, SlowModel(), {{"metrics": {{}}, "history": [], "seconds": 0}}, None)
""")


def test_a_write_killed_mid_way_leaves_no_entry_only_a_stray_that_prune_sweeps(store):
    script = KILLED_WRITER.format(root=str(ROOT), store=str(store.root), key=KEY)
    writer = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "writing"
        writer.send_signal(signal.SIGKILL)
    finally:
        writer.wait(timeout=30)
    leftovers = list(store.root.iterdir())
    assert leftovers and all(p.name.startswith(f".{KEY}.") for p in leftovers)  # temporary files only
    assert store.keys() == [] and not store.has(KEY) and store.load(KEY) is None
    assert store.strays() == []  # too recent: could be a write under way
    old = time.time() - STRAY_AGE_SECONDS - 1
    for path in leftovers:
        os.utime(path, (old, old))
    assert store.strays() == sorted(leftovers)
    assert store.prune() == [] and list(store.root.iterdir()) == []


def test_stray_files_never_hide_or_break_a_finished_entry(entry):
    (entry.root / f".{KEY}.abc123.keras").write_bytes(b"half")
    (entry.root / f".{KEY}.abc123.json").write_text("{")
    assert entry.keys() == [KEY] and entry.load(KEY) is not None


# -- a store that cannot be written ---------------------------------------------------------
def test_a_full_disk_is_reported_not_raised(good_entry, store, monkeypatch):
    loaded = Trainer(ModelStore(good_entry)).cached(CONFIG)

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "replace", full)
    assert store.save(KEY, loaded.model, {"metrics": {}, "history": [], "seconds": 0}, loaded.snapshots) is False
    assert not store.writable and "No space left" in store.problem and "memory" in store.problem
    assert [p for p in store.root.iterdir()] == []  # the temporary file is cleaned up


def test_an_unwritable_store_keeps_the_page_working_and_says_so_once(app, tmp_path, monkeypatch):
    blocker = tmp_path / "a-file-not-a-folder"  # tests run as root, so chmod would not block writes
    blocker.write_text("x")
    monkeypatch.setenv("LSTM_EXPLORER_STORE", str(blocker))
    _page(app, "pages/rectangles.py", URL)
    app.sidebar.button[0].click().run()
    assert not app.exception and not app.error and app.get("plotly_chart")
    notices = [w.value for w in app.warning if "cannot be written" in w.value]
    assert len(notices) == 1 and "memory" in notices[0]  # said as soon as the save failed
    app.run()
    assert not [w for w in app.warning if "cannot be written" in w.value]  # once per session
    assert app.get("plotly_chart")  # the model is still there, from memory
    from ui import cache

    assert cache.trainer().trainings == 1 and cache.trainer().cached(CONFIG) is not None


# -- a training that diverges ---------------------------------------------------------------
@pytest.fixture
def poisoned(monkeypatch):
    """Rectangle training data with a NaN in it: the loss becomes NaN at the first step."""
    experiment = experiments.EXPERIMENTS["rectangles"]

    def with_nan(config):
        inputs, targets = experiment.data(config)
        inputs = inputs.copy()
        inputs[0] = np.nan
        return inputs, targets

    monkeypatch.setitem(experiments.EXPERIMENTS, "rectangles", dataclasses.replace(experiment, data=with_nan))


def test_a_diverged_training_is_an_error_and_nothing_is_kept(poisoned, trainer, store):
    with pytest.raises(TrainingDiverged, match="diverged"):
        trainer.get(CONFIG)
    assert trainer.trainings == 0 and trainer.cached(CONFIG) is None
    assert not store.root.exists() or list(store.root.iterdir()) == []


def test_a_diverged_training_shows_a_clear_message_on_the_page(poisoned, app, store):
    _page(app, "pages/rectangles.py", URL)
    app.sidebar.button[0].click().run()
    assert not app.exception
    assert len(app.error) == 1 and "diverged" in app.error[0].value and "Nothing was stored" in app.error[0].value
    assert not app.get("plotly_chart")
    assert not store.root.exists() or list(store.root.iterdir()) == []


# -- security -------------------------------------------------------------------------------
def _app_sources():
    for folder in ("lstm_core", "ui", "pages"):
        yield from sorted((ROOT / folder).rglob("*.py"))
    yield ROOT / "app.py"


def test_every_model_load_in_the_app_uses_safe_mode():
    calls = []
    for path in _app_sources():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) == "load_model":
                safe = {k.arg: k.value for k in node.keywords}.get("safe_mode")
                calls.append((path.name, node.lineno, isinstance(safe, ast.Constant) and safe.value is True))
    assert {name for name, *_ in calls} >= {"store.py", "trainer.py"}, "a load_model call is missing: moved?"
    assert all(safe for *_, safe in calls), calls


def test_nothing_in_the_app_unpickles_or_executes_text():
    for path in _app_sources():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = {alias.name.split(".")[0] for alias in node.names} | {(node.__dict__.get("module") or "")}
                assert not names & {"pickle", "dill", "joblib", "marshal", "shelve", "cloudpickle"}, path
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in ("eval", "exec"), (path, node.lineno)


def test_a_model_with_code_in_it_is_refused(entry):
    from lstm_core.engine.backend import keras

    k = keras()
    model = k.Sequential([k.Input((1, 2)), k.layers.Lambda(lambda x: x * 2.0)])
    model.save(entry.model_path(KEY))  # beside the entry's own, valid record: only the model is wrong
    assert entry.load(KEY) is None  # safe_mode refuses the Lambda's Python code
    assert not entry.has(KEY)


def test_streamlit_settings_keep_xsrf_on_the_viewer_toolbar_and_no_stack_traces(monkeypatch):
    settings = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert settings["server"]["enableXsrfProtection"] is True
    assert settings["client"]["toolbarMode"] == "viewer"
    assert settings["client"]["showErrorDetails"] in ("type", "none", False)
    from streamlit import config

    monkeypatch.chdir(ROOT)  # and Streamlit reads them so
    config.get_config_options(force_reparse=True)
    try:
        assert config.get_option("server.enableXsrfProtection") is True
        assert config.get_option("client.toolbarMode") == "viewer"
        assert config.get_option("client.showErrorDetails") in ("type", "none", False)
    finally:
        config.get_config_options(force_reparse=True)
