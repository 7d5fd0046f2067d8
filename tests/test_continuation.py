""""Train more": a continued model is exactly the model trained from scratch for that many epochs.

So it is stored under that configuration's own key (never under the shorter
model's), and the store can never hold two different models under one key.
"""

import json

import numpy as np
import pytest

from conftest import tiny_rectangles, tiny_sine
from lstm_core import training
from lstm_core.service import Trainer
from lstm_core.store import ModelStore


def assert_same_model(a, b):
    for x, y in zip(a.model.get_weights(), b.model.get_weights()):
        np.testing.assert_array_equal(x, y)
    assert a.history == b.history
    assert a.metrics == pytest.approx(b.metrics, abs=1e-7)


def test_continuing_one_epoch_gives_exactly_the_two_epoch_model():
    config = tiny_sine(epochs=1, train_size=200)
    one = training.train(config)
    before = [w.copy() for w in one.model.get_weights()]
    continued = training.train(config.replace(epochs=2), start=one)
    fresh = training.train(config.replace(epochs=2))
    assert_same_model(continued, fresh)
    assert [p[0] for p in continued.curve] == [p[0] for p in fresh.curve]
    for x, y in zip(before, one.model.get_weights()):  # the start model is not changed
        np.testing.assert_array_equal(x, y)


def test_only_the_same_configuration_with_more_epochs_continues():
    one = training.train(tiny_rectangles(epochs=1))
    for other in (tiny_rectangles(epochs=2, seed=4), tiny_rectangles(epochs=2, units=5), tiny_rectangles(epochs=1)):
        with pytest.raises(ValueError, match="more epochs"):
            training.continuation_state(one, other)


def test_train_more_on_a_stored_model_continues_it_exactly_under_its_own_key(store_dir):
    config = tiny_rectangles(epochs=1)
    Trainer(ModelStore(store_dir)).get(config)
    trainer = Trainer(ModelStore(store_dir))  # a restarted server: the model comes from disk, without optimizer
    stored = trainer.get(config)
    assert stored.source == "store" and training.continuation_state(stored, config.replace(epochs=2)) is None
    assert training.continuation_state(trainer.resumable(stored), config.replace(epochs=2)) is not None

    more = trainer.get(config.replace(epochs=2), start=stored)
    assert trainer.trainings == 1 and len(more.history) == 2 and more.history[0] == stored.history[0]
    assert sorted(p.stem for p in store_dir.glob("*.json")) == sorted([config.key(), config.replace(epochs=2).key()])
    assert len(ModelStore(store_dir).read_meta(config.key())["history"]) == 1  # the shorter model is kept as it was
    assert_same_model(more, training.train(config.replace(epochs=2)))


def test_rectangles_page_pins_a_run_and_trains_more(app, store_dir):
    from ui import cache

    app.run()
    app.switch_page("pages/rectangles.py")
    app.run()
    app.sidebar.slider(key="units").set_value(4)
    app.sidebar.select_slider(key="train_size").set_value(100)
    app.get("form_submit_button")[0].click()
    app.run()
    app.button(key="rectangles_pin").click()
    app.run()
    assert any("This run is pinned" in c.value for c in app.caption)

    app.sidebar.number_input(key="seed").set_value(1)
    app.get("form_submit_button")[0].click()
    app.run()
    assert not app.exception and cache.trainer().trainings == 2
    names = [trace.get("name") for chart in app.get("plotly_chart") for trace in json.loads(chart.proto.spec)["data"]]
    assert names.count("pinned run") >= 3  # faded beside the current run: both drawings and the loss curve
    assert any("Pinned run" in c.value and "seed 0" in c.value for c in app.caption)

    app.button(key="rectangles_train_more").click()
    app.run()
    assert not app.exception and cache.trainer().trainings == 3
    continued = tiny_page_rectangles(seed=1, epochs=2)
    assert ModelStore(store_dir).has(continued.key())
    assert any("Train more" in c.value and "2 epochs in all" in c.value for c in app.caption)

    app.button(key="rectangles_unpin").click()
    app.run()
    names = [trace.get("name") for chart in app.get("plotly_chart") for trace in json.loads(chart.proto.spec)["data"]]
    assert "pinned run" not in names


def tiny_page_rectangles(**changes):
    from lstm_core.config import RectangleConfig

    return RectangleConfig(**{"units": 4, "train_size": 100, **changes})
