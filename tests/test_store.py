"""The model store: real files, atomic entries, safe loading, unreadable entries retrained."""

import json

import numpy as np

from conftest import tiny_rectangles
from lstm_core.store import ModelStore, default_root


def test_default_root_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("LSTM_EXPLORER_STORE", str(tmp_path / "x"))
    assert default_root() == tmp_path / "x"
    monkeypatch.delenv("LSTM_EXPLORER_STORE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert default_root() == tmp_path / "cache" / "lstm-explorer" / "models"


def test_round_trip_through_the_trainer_then_no_retraining(trainer, store):
    config = tiny_rectangles()
    first = trainer.get(config)
    assert first.source == "trained" and trainer.trainings == 1
    key = config.key()
    assert store.has(key) and store.keys() == [key]
    meta = json.loads(store.meta_path(key).read_text())
    assert meta["config"]["units"] == config.units and meta["metrics"] == first.metrics
    assert not [p for p in store.root.iterdir() if p.name.startswith(".")]  # no temporary files left

    from lstm_core.service import Trainer

    fresh = Trainer(ModelStore(store.root))  # a restarted server
    again = fresh.get(config)
    assert again.source == "store" and fresh.trainings == 0
    assert again.history == first.history and again.metrics == first.metrics
    probe = np.array([[0.0, 0.0], [0.3, 0.0]], dtype=np.float32)
    np.testing.assert_allclose(again.predict_points(probe), first.predict_points(probe), atol=1e-6)


def test_a_corrupted_entry_is_retrained_not_a_crash(trainer, store):
    config = tiny_rectangles(seed=9)
    trainer.get(config)
    store.model_path(config.key()).write_bytes(b"this is not a keras file")
    trainer.forget()
    assert store.load(config.key()) is None
    assert not store.has(config.key())  # removed, so it will be trained again
    again = trainer.get(config)
    assert again.source == "trained" and trainer.trainings == 2 and store.has(config.key())


def test_garbage_metadata_or_a_model_without_metadata_is_not_an_entry(store, trainer):
    config = tiny_rectangles(seed=10)
    trainer.get(config)
    key = config.key()
    store.meta_path(key).write_text("{ not json")
    assert store.load(key) is None
    trainer.forget()
    assert trainer.get(config).source == "trained" and store.has(key)
    store.meta_path(key).unlink()  # as if the server stopped between the two renames
    assert not store.has(key) and store.load(key) is None and key not in store.keys()


def test_an_unwritable_store_keeps_working_from_memory(tmp_path):
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("x")
    from lstm_core.service import Trainer

    trainer = Trainer(ModelStore(blocker / "store"))
    trained = trainer.get(tiny_rectangles(seed=4))
    assert trained.source == "trained"
    assert not trainer.store.writable and "cannot be written" in trainer.store.problem
    assert trainer.get(tiny_rectangles(seed=4)) is trained  # served from memory
