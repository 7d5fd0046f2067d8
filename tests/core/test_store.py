"""engine/store: real files, atomic entries, safe loading, unreadable entries removed, pruning by age and count."""

import json
import os
import time

import numpy as np
import pytest

from conftest import tiny_rectangles
from lstm_core.engine.fit import plain_model
from lstm_core.engine.snapshots import Snapshots, flatten
from lstm_core.engine.store import FORMAT_VERSION, STRAY_AGE_SECONDS, ModelStore, default_root
from lstm_core.experiments import rectangles

META = {"config": {"experiment": "rectangles"}, "metrics": {"consistency": 0.1}, "history": [0.2],
        "fit": {"steps": [10]}, "seconds": 1.0}


@pytest.fixture(scope="module")
def model():
    return plain_model(rectangles.EXPERIMENT, tiny_rectangles())


@pytest.fixture(scope="module")
def snapshots(model):
    weights = model.get_weights()
    rows = np.stack([flatten(weights), flatten(weights) * 0.5])
    return Snapshots(steps=np.array([0, 7]), weights=rows, shapes=[w.shape for w in weights])


def key(seed: int = 0) -> str:
    return tiny_rectangles(seed=seed).key()


def test_default_root_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("LSTM_EXPLORER_STORE", str(tmp_path / "x"))
    assert default_root() == tmp_path / "x"
    monkeypatch.delenv("LSTM_EXPLORER_STORE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert default_root() == tmp_path / "cache" / "lstm-explorer" / "models"
    assert ModelStore().root == default_root()


def test_an_entry_is_a_standard_keras_file_its_snapshots_and_its_json_written_atomically(store, model, snapshots):
    assert store.keys() == [] and store.load(key()) is None and store.size_bytes() == 0
    assert store.save(key(), model, META, snapshots)
    assert store.has(key()) and store.keys() == [key()]
    assert not [p for p in store.root.iterdir() if p.name.startswith(".")]  # no temporary file left
    loaded, meta, kept = store.load(key())
    assert meta == {"format": FORMAT_VERSION, "key": key(), **META}
    for x, y in zip(loaded.get_weights(), model.get_weights(), strict=True):
        np.testing.assert_array_equal(x, y)
    np.testing.assert_array_equal(kept.steps, [0, 7])
    for x, y in zip(kept.unflatten(1), model.get_weights(), strict=True):
        np.testing.assert_array_equal(x, y * 0.5)
    assert store.read_meta(key()) == meta
    [entry] = store.entries()
    assert entry.key == key() and entry.size_bytes == store.size_bytes() > 0


@pytest.mark.parametrize("damage", [
    lambda meta: "{ not json",
    lambda meta: "[1, 2]",
    lambda meta: json.dumps({**meta, "key": key(99)}),
    lambda meta: json.dumps({**meta, "format": 1}),  # before one engine for every experiment
    lambda meta: json.dumps({k: v for k, v in meta.items() if k != "fit"}),
    lambda meta: json.dumps({**meta, "history": "oops"}),
    lambda meta: json.dumps({k: v for k, v in meta.items() if k != "seconds"}),
], ids=["not json", "a list", "another key", "format 1", "no record", "history not a list", "no time"])
def test_unreadable_metadata_is_no_entry_and_is_removed(store, model, snapshots, damage):
    store.save(key(), model, META, snapshots)
    store.meta_path(key()).write_text(damage(store.read_meta(key()) or {}))
    assert store.load(key()) is None
    assert not store.has(key()) and not store.model_path(key()).exists()


def test_a_damaged_model_file_is_removed(store, model, snapshots):
    store.save(key(), model, META, snapshots)
    store.model_path(key()).write_bytes(b"this is not a keras file")
    assert store.load(key()) is None and not store.has(key()) and not store.meta_path(key()).exists()


def test_a_model_without_its_json_is_not_an_entry(store, model, snapshots):
    store.save(key(), model, META, snapshots)
    store.meta_path(key()).unlink()  # as if the server stopped between the two renames
    assert not store.has(key()) and store.load(key()) is None and store.keys() == []


def test_an_unwritable_folder_is_reported_not_raised(tmp_path, model, snapshots):
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("x")
    store = ModelStore(blocker / "store")
    assert store.save(key(), model, META, snapshots) is False
    assert not store.writable and "cannot be written" in store.problem and "memory" in store.problem


def _entry(store, seed: int, age_days: float, now: float) -> str:
    """A finished entry (files only, never loaded) written `age_days` ago."""
    name = key(seed)
    store.root.mkdir(parents=True, exist_ok=True)
    store.model_path(name).write_bytes(b"model")
    store.meta_path(name).write_text("{}")
    for path in (store.model_path(name), store.meta_path(name)):
        os.utime(path, (now - age_days * 86_400, now - age_days * 86_400))
    return name


def test_entries_are_newest_first_and_prune_keeps_the_newest_or_the_recent(store):
    now = time.time()
    old, middle, new = (_entry(store, seed, age, now) for seed, age in ((1, 30), (2, 10), (3, 1)))
    (store.root / "notes.json").write_text("{}")  # not a file the store wrote: never touched
    (store.root / "notes.keras").write_text("x")
    assert [entry.key for entry in store.entries()] == [new, middle, old]
    assert store.prune(older_than_days=20, now=now) == [old]
    assert store.prune(keep=1, now=now) == [middle]
    assert store.keys() == ["notes", new]
    assert store.prune(clear=True, now=now) == [new]
    assert (store.root / "notes.json").exists() and (store.root / "notes.keras").exists()
    with pytest.raises(ValueError, match="keep"):
        store.prune(keep=-1)
    with pytest.raises(ValueError, match="older_than_days"):
        store.prune(older_than_days=float("nan"))


def test_prune_sweeps_old_temporary_files_and_half_entries_only(store):
    now = time.time()
    store.root.mkdir(parents=True)
    temporary = store.root / f".{key(1)}.abc123.keras"
    half = store.root / f"{key(2)}.keras"  # a model whose JSON was never written
    recent = store.root / f".{key(3)}.def456.json"  # could be a write under way
    for path in (temporary, half, recent):
        path.write_bytes(b"x")
    for path in (temporary, half):
        os.utime(path, (now - STRAY_AGE_SECONDS - 1, now - STRAY_AGE_SECONDS - 1))
    assert store.strays(now=now) == sorted([temporary, half])
    assert store.prune(now=now) == []
    assert sorted(store.root.iterdir()) == [recent]



def test_a_lock_is_never_an_entry_and_pruning_leaves_a_live_one(store, model, snapshots):
    now = time.time()
    store.save(key(), model, META, snapshots)
    held, other = store.try_lock(key()), store.try_lock(key(1))  # one beside an entry, one before its entry exists
    try:
        assert store.keys() == [key()] and [entry.key for entry in store.entries()] == [key()]
        assert store.try_lock(key()) is None  # held: by this process too (the lock is the file, not the process)
        dead = store.lock_path(key(2))
        dead.write_text("{}")  # a lock whose holder died long ago
        os.utime(dead, (now - STRAY_AGE_SECONDS - 1, now - STRAY_AGE_SECONDS - 1))
        assert store.strays(now=now) == [dead]
        assert store.prune(clear=True, now=now) == [key()]
        assert sorted(p.name for p in store.root.iterdir()) == sorted([held.path.name, other.path.name])
        store.remove(key(1))
        assert other.path.exists() and store.holder(key(1)).pid == os.getpid()
    finally:
        held.release()
        other.release()
    assert list(store.root.iterdir()) == []


def test_the_stale_timeout_comes_from_the_environment(monkeypatch, tmp_path, caplog):
    monkeypatch.delenv("LSTM_EXPLORER_LOCK_STALE_SECONDS", raising=False)
    assert ModelStore(tmp_path).stale_seconds == 30.0
    monkeypatch.setenv("LSTM_EXPLORER_LOCK_STALE_SECONDS", "2.5")
    assert ModelStore(tmp_path).stale_seconds == 2.5
    for bad in ("abc", "0", "-1", "nan", "inf", "0.1", "1e9"):
        monkeypatch.setenv("LSTM_EXPLORER_LOCK_STALE_SECONDS", bad)
        assert ModelStore(tmp_path).stale_seconds == 30.0, bad
        assert f"LSTM_EXPLORER_LOCK_STALE_SECONDS must be a number of seconds from 0.5 to 86400 (got '{bad}')" \
            in caplog.text
