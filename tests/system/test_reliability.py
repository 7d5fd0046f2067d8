"""
Thirty students on one server: shared trainings, bounded training slots with
a visible queue, bounded memory, a store that can be pruned, and no global
random state.

The queue and memory tests replace the training itself with a stand-in that
waits for the test's signal, so the order of events is certain; the sharing
and the no-global-state tests train real (tiny) Keras models, without XLA (`no_jit`).
"""

from __future__ import annotations

import ast
import json
import os
import random
import threading
import time

import numpy as np
import pytest

from conftest import ROOT, tiny_rectangles
from lstm_core import presets  # noqa: F401 - imported before a test sets a teacher's limit: see test_teacher.py
from lstm_core.engine import trainer as trainer_module
from lstm_core.engine.config import ConfigError
from lstm_core.engine.fit import Trained
from lstm_core.engine.snapshots import Snapshots
from lstm_core.engine.store import STRAY_AGE_SECONDS, ModelStore
from lstm_core.engine.trainer import Trainer
from lstm_core.experiments import SineConfig
from lstm_core.tools import cli


def _weights(trained) -> list:
    return [np.asarray(w) for w in trained.model.get_weights()]


def _wait_for(condition, timeout=60.0, what="condition"):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


# -- real trainings -----------------------------------------------------------------------
@pytest.fixture(scope="module")
def alone(tmp_path_factory):
    """A tiny model trained on its own, as the reference for the concurrent run."""
    from lstm_core.engine import fit

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(fit, "JIT_COMPILE", False)
        trainer = Trainer(ModelStore(tmp_path_factory.mktemp("alone")))
        return _weights(trainer.get(tiny_rectangles(seed=21)))


@pytest.fixture
def no_global_seeding(monkeypatch):
    """Record any call that would set a process-wide random seed."""
    from lstm_core.engine.backend import keras

    k = keras()
    import tensorflow as tf

    calls = []
    for owner, name in ((k.utils, "set_random_seed"), (tf.random, "set_seed"), (np.random, "seed"),
                        (random, "seed")):
        monkeypatch.setattr(owner, name, lambda *args, _name=name, **kwargs: calls.append(_name))
    return calls


@pytest.mark.usefixtures("no_jit")
def test_identical_requests_share_one_training(trainer, store, no_global_seeding):
    config = tiny_rectangles(seed=22)
    students = 8
    start = threading.Barrier(students)
    results, phases = [None] * students, [set() for _ in range(students)]

    def student(i):
        start.wait()
        results[i] = trainer.get(config, on_update=lambda status: phases[i].add(status.phase), poll=0.05)

    threads = [threading.Thread(target=student, args=(i,)) for i in range(students)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert trainer.trainings == 1
    assert all(result is results[0] for result in results) and results[0].source == "trained"
    assert all("done" in seen for seen in phases)  # every student saw the shared training finish
    assert store.keys() == [config.key()]
    assert no_global_seeding == []  # trained without touching the process-wide seed


@pytest.mark.usefixtures("no_jit")
def test_concurrent_trainings_do_not_disturb_each_other(alone, store, no_global_seeding):
    trainer = Trainer(store, slots=2)
    configs = [tiny_rectangles(seed=21), tiny_rectangles(seed=23)]
    results = {}
    threads = [threading.Thread(target=lambda c=c: results.__setitem__(c.seed, trainer.get(c))) for c in configs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert trainer.trainings == 2
    for mine, reference in zip(_weights(results[21]), alone):
        np.testing.assert_allclose(mine, reference, rtol=0, atol=1e-6)
    assert no_global_seeding == []


def test_no_process_wide_seeding_anywhere_in_the_app():
    banned = {"set_random_seed", "set_seed", "enable_op_determinism"}
    paths = [path for folder in ("lstm_core", "ui", "pages") for path in sorted((ROOT / folder).rglob("*.py"))]
    assert ROOT / "lstm_core" / "engine" / "seeds.py" in paths
    for path in [*paths, ROOT / "app.py"]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute):
                assert node.attr not in banned, (path.name, node.lineno, node.attr)
                # np.random.seed(...) / random.seed(...): the legacy global generators
                if node.attr == "seed" and isinstance(node.value, (ast.Attribute, ast.Name)):
                    owner = ast.unparse(node.value)
                    assert owner not in ("random", "np.random", "numpy.random"), (path.name, node.lineno)


# -- the queue, with a stand-in training --------------------------------------------------
class _FakeModel:
    def save(self, path):
        with open(path, "wb") as handle:
            handle.write(b"stand-in")


class StandIn:
    """Replaces the engine's `fit` in the trainer: each training runs until the test opens its gate."""

    def __init__(self):
        self.gates: dict[str, threading.Event] = {}
        self.running: set[str] = set()
        self.started: list[str] = []
        self.peak = 0
        self._lock = threading.Lock()

    def gate(self, config) -> threading.Event:
        with self._lock:
            return self.gates.setdefault(config.key(), threading.Event())

    def __call__(self, experiment, config, *, on_epoch=None, on_progress=None, start=None, curve_sink=None,
                 snapshot_sink=None):
        key = config.key()
        with self._lock:
            self.running.add(key)
            self.started.append(key)
            self.peak = max(self.peak, len(self.running))
        on_progress(0.5, 0.25)
        curve_sink.append([10, 0.25])
        try:
            assert self.gate(config).wait(60), "the test never released this training"
        finally:
            with self._lock:
                self.running.discard(key)
        return Trained(config=config, model=_FakeModel(), steps=np.array([1]), batch_size=10,
                       losses={"loss": np.array([0.25])}, gradient_norm=np.array([1.0]), history=[0.25],
                       metrics={"consistency": 0.5}, error_metric=experiment.error_metric,
                       snapshots=Snapshots(np.array([0, 1]), np.zeros((2, 1), dtype=np.float32), [(1,)]))


@pytest.fixture
def stand_in(monkeypatch):
    fake = StandIn()
    monkeypatch.setattr(trainer_module, "fit", fake)
    return fake


class Student(threading.Thread):
    """Asks for one configuration and keeps every status it is shown."""

    def __init__(self, trainer, config):
        super().__init__(daemon=True)
        self.trainer, self.config = trainer, config
        self.statuses: list = []
        self.result = None

    def run(self):
        self.result = self.trainer.get(self.config, on_update=self.statuses.append, poll=0.01)

    def latest(self):
        _wait_for(lambda: self.statuses, what="a first status")
        return self.statuses[-1]

    def shown(self, phase, ahead=None):
        status = self.statuses[-1] if self.statuses else None
        return status is not None and status.phase == phase and (ahead is None or status.ahead == ahead)


@pytest.mark.parametrize("slots", [1, 2])
def test_different_configurations_queue_for_the_slots_and_see_how_many_are_ahead(stand_in, store, slots):
    trainer = Trainer(store, slots=slots)
    configs = [tiny_rectangles(seed=s) for s in (31, 32, 33)]
    students = []
    for config in configs:  # one after the other, so that the queue order is known
        student = Student(trainer, config)
        student.start()
        students.append(student)
        _wait_for(lambda: student.statuses, what="a status")
    first, second, third = students
    _wait_for(lambda: first.shown("training"), what="the first training")
    assert first.latest().fraction == 0.5 and [list(p) for p in first.latest().curve] == [[10, 0.25]]
    if slots == 1:
        _wait_for(lambda: second.shown("queued", 1) and third.shown("queued", 2), what="two queued")
    else:
        _wait_for(lambda: second.shown("training") and third.shown("queued", 2), what="two running, one queued")
    stand_in.gate(configs[0]).set()
    _wait_for(lambda: first.result is not None, what="the first result")
    if slots == 1:  # the second trains, the third is next
        _wait_for(lambda: second.shown("training") and third.shown("queued", 1), what="the queue to move")
    else:
        _wait_for(lambda: third.shown("training"), what="the third to take the free slot")
    for config in configs:
        stand_in.gate(config).set()
    for student in students:
        student.join(timeout=60)
    assert stand_in.peak == slots and trainer.trainings == 3
    assert stand_in.started == [c.key() for c in configs]  # first come, first trained
    assert [s.statuses[-1].phase for s in students] == ["done"] * 3


def test_a_student_who_leaves_does_not_stop_the_training(stand_in, store):
    trainer = Trainer(store)
    config = tiny_rectangles(seed=34)

    class Rerun(Exception):
        pass

    def leave(status):  # what Streamlit does to a waiting script when its student moves a slider
        raise Rerun

    waiter = threading.Thread(target=lambda: pytest.raises(Rerun, trainer.get, config, on_update=leave, poll=0.01))
    waiter.start()
    waiter.join(timeout=30)
    _wait_for(lambda: config.key() in stand_in.running, what="the training")
    stand_in.gate(config).set()
    _wait_for(lambda: trainer.cached(config) is not None, what="the abandoned training to finish")
    assert trainer.get(config).model is trainer.cached(config).model and trainer.trainings == 1


# -- memory -------------------------------------------------------------------------------
def test_models_in_memory_are_bounded_least_recently_used_first(stand_in, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")  # an unwritable store: memory is the only copy
    trainer = Trainer(ModelStore(blocker), max_models=2)
    a, b, c = (tiny_rectangles(seed=s) for s in (41, 42, 43))
    for config in (a, b, c):
        stand_in.gate(config).set()
    trainer.get(a), trainer.get(b), trainer.get(a)  # a is now the most recently used
    trainer.get(c)  # evicts b
    assert trainer.trainings == 3
    assert trainer.cached(a) is not None and trainer.cached(c) is not None and trainer.cached(b) is None
    trainer.get(b)
    assert trainer.trainings == 4


def test_limits_come_from_the_environment_and_bad_values_fall_back(monkeypatch, store):
    monkeypatch.setenv("LSTM_EXPLORER_TRAINING_SLOTS", "3")
    monkeypatch.setenv("LSTM_EXPLORER_MEMORY_MODELS", "5")
    assert (Trainer(store).slots, Trainer(store).max_models) == (3, 5)
    for bad in ("abc", "", "1e3", "-4", "0"):
        monkeypatch.setenv("LSTM_EXPLORER_TRAINING_SLOTS", bad)
        monkeypatch.setenv("LSTM_EXPLORER_MEMORY_MODELS", bad)
        trainer = Trainer(store)
        assert trainer.slots >= 1 and 1 <= trainer.max_models <= 16, bad


def test_every_streamlit_cache_is_bounded():
    tree = ast.parse((ROOT / "ui" / "cache.py").read_text())
    decorated = 0
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef):
            continue
        for decorator in node.decorator_list:
            name = ast.unparse(decorator.func if isinstance(decorator, ast.Call) else decorator)
            if name == "st.cache_data":
                decorated += 1
                keywords = {k.arg for k in getattr(decorator, "keywords", [])}
                assert "max_entries" in keywords, f"{node.name} caches without a bound"
            if name == "st.cache_resource":
                decorated += 1
                keywords = {k.arg for k in getattr(decorator, "keywords", [])}
                assert not node.args.args or "max_entries" in keywords, f"{node.name}: one resource per argument"
    assert decorated >= 2


def test_a_teacher_limit_clamps_a_shared_link_with_a_notice(app, monkeypatch):
    monkeypatch.setenv("LSTM_EXPLORER_MAX_UNITS", "8")
    with pytest.raises(ConfigError, match="from 1 to 8"):
        SineConfig(units=9)
    app.query_params.update({"units": "20"})
    app.switch_page("pages/sine.py")
    app.run()
    assert not app.exception and not app.error
    assert app.slider(key="units").value == 8
    assert any("`units`" in w.value and "1 to 8" in w.value for w in app.warning)


def test_a_limit_no_setting_can_meet_is_an_error_message_not_a_traceback(app, monkeypatch):
    monkeypatch.setenv("LSTM_EXPLORER_MAX_TRAIN_SIZE", "50")  # below the smallest training set (100)
    for page in ("pages/sine.py", "pages/rectangles.py"):
        app.switch_page(page)
        app.run()
        assert not app.exception
        assert any("train_size" in e.value and "100" in e.value for e in app.error), page


# -- the store on disk: size and pruning --------------------------------------------------
def _fake_entry(store, config, age_days: float, size: int = 1000):
    store.root.mkdir(parents=True, exist_ok=True)
    key = config.key()
    store.model_path(key).write_bytes(b"m" * size)
    store.meta_path(key).write_text(json.dumps({"format": 1, "key": key}))
    when = time.time() - age_days * 86_400
    for path in (store.model_path(key), store.meta_path(key)):
        os.utime(path, (when, when))
    return key


@pytest.fixture
def aged(store):
    """Four entries 0, 1, 5 and 40 days old, a stray temporary file, and a file the store did not write."""
    keys = [_fake_entry(store, tiny_rectangles(seed=50 + i), age) for i, age in enumerate((0, 1, 5, 40))]
    stray = store.root / f".{keys[0]}.x1y2z3.keras"
    stray.write_bytes(b"half")
    old = time.time() - STRAY_AGE_SECONDS - 5
    os.utime(stray, (old, old))
    mine = store.root / "notes.json"
    mine.write_text("{}")
    os.utime(mine, (old, old))
    return keys, stray, mine


def test_the_store_reports_its_entries_newest_first_and_its_size(store, aged):
    keys, stray, mine = aged
    entries = store.entries()
    assert [e.key for e in entries] == keys
    assert all(e.size_bytes > 1000 for e in entries)
    assert store.size_bytes() >= sum(e.size_bytes for e in entries)
    assert store.strays() == [stray]  # never the file it did not write


@pytest.mark.parametrize("how, left", [
    (dict(keep=2), 2), (dict(keep=0), 0), (dict(older_than_days=2), 2), (dict(older_than_days=100), 4),
    (dict(clear=True), 0), (dict(), 4),
])
def test_prune_keeps_the_newest_entries_and_sweeps_strays(store, aged, how, left):
    keys, stray, mine = aged
    removed = store.prune(**how)
    assert [e.key for e in store.entries()] == keys[:left]
    assert sorted(removed) == sorted(keys[left:])
    assert not stray.exists() and mine.exists()


def test_prune_rejects_negative_limits(store):
    with pytest.raises(ValueError):
        store.prune(keep=-1)
    with pytest.raises(ValueError):
        store.prune(older_than_days=float("nan"))


def test_the_store_command_lists_and_prunes(store, aged, capsys):
    keys, stray, mine = aged
    assert cli.main(["store", "--list", "--store", str(store.root)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["entries"] == 4 and [row["key"] for row in report["list"]] == keys
    assert report["size_bytes"] == store.size_bytes() and report["removed"] == []
    assert 39 < report["list"][-1]["age_days"] < 41
    assert cli.main(["store", "--keep", "1"]) == 0  # $LSTM_EXPLORER_STORE, set by the fixture
    report = json.loads(capsys.readouterr().out)
    assert report["entries"] == 1 and sorted(report["removed"]) == sorted(keys[1:])
    assert cli.main(["store", "--clear"]) == 0
    assert json.loads(capsys.readouterr().out)["entries"] == 0


@pytest.mark.parametrize("argv", [
    ["store", "--keep", "-1"], ["store", "--keep", "two"], ["store", "--prune-older-than", "nan"],
    ["store", "--prune-older-than", "-3"], ["store", "--keep", "1", "--clear"],
])
def test_bad_store_flags_exit_2_with_one_line(argv, store, capsys):
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ") and "Traceback" not in err
