"""AppTest of the generative-rectangles lesson (book chapter 11): training, the store, downloads, Train more, pins."""

import json

import numpy as np
import pytest

from conftest import open_page, tiny_rectangles
from lstm_core.engine import fit
from lstm_core.engine.store import ModelStore
from lstm_core.engine.trainer import Trainer
from lstm_core.experiments import rectangles
from ui import cache
from page_helpers import charts, deltas, metrics, prompts, trace_names, trainings

PAGE = "pages/rectangles.py"
WIDTHS = (0.2, 0.4, 0.6, 0.8)

pytestmark = pytest.mark.usefixtures("no_jit")


def table_parameters(at):
    frame = at.dataframe[-1].value
    return dict(zip(frame["layer"], frame["parameters"]))


def train(at, **values):
    """Set the sidebar's model widgets and press Train."""
    for key, value in values.items():
        {"units": at.sidebar.slider, "train_size": at.sidebar.select_slider,
         "seed": at.sidebar.number_input}[key](key=key).set_value(value)
    at.get("form_submit_button")[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_it_shows_the_book_table_then_trains_draws_and_offers_the_downloads(app):
    fit.clear_pool()  # no compiled model of this architecture left by an earlier test: it compiles now
    at = open_page(app, PAGE)
    assert table_parameters(at) == {"lstm_1": 520, "dense": 22, "total": 542}
    assert prompts(at) and not charts(at)
    train(at, units=4, train_size=100, seed=2)
    shown = metrics(at)
    assert float(shown["consistency error (0 = perfect rectangles)"]) >= 0
    assert shown["parameters"] == str(4 * 4 * (2 + 4 + 1) + 4 * 2 + 2)
    assert table_parameters(at)["total"] == int(shown["parameters"])
    assert "trained now (compiled now)" in deltas(at)
    assert len(charts(at)) == 1  # the replay: free drawing and completions above the loss, a frame per snapshot
    replay = json.loads(charts(at)[0].proto.spec)
    model = cache.cached(tiny_rectangles(units=4, train_size=100, seed=2))
    assert len(replay["frames"]) == len(model.snapshots) >= 10
    free, completed, _ = rectangles.drawings(model, WIDTHS)
    last = replay["frames"][-1]["data"]
    np.testing.assert_allclose(np.c_[last[0]["x"], last[0]["y"]][:4], free, rtol=1e-6)  # the trained model's drawing
    np.testing.assert_allclose(np.c_[last[1]["x"], last[1]["y"]][:4], completed[0], rtol=1e-6)
    drawings = at.dataframe[0].value
    assert not drawings.map(lambda cell: "-0.00" in str(cell)).any().any()  # a corner at zero reads 0.00
    assert list(drawings["start"]) == ["[0, 0]", "[0.2, 0]", "[0.4, 0]", "[0.6, 0]", "[0.8, 0]"]
    labels = [button.label for button in at.get("download_button")]
    assert len(labels) == 7 and "model (.keras)" in labels and "drawings (CSV)" in labels


def test_a_model_in_the_store_opens_without_training_or_a_train_press(app, store):
    config = tiny_rectangles(units=5, seed=0)
    Trainer(store).get(config)  # e.g. trained from the command line
    at = open_page(app, PAGE, query={"units": "5", "train_size": "100", "seed": "0"})
    assert not prompts(at) and len(charts(at)) == 1  # no Train press: the configuration is available
    assert "from the model store" in deltas(at) and trainings() == 0
    assert len(json.loads(charts(at)[0].proto.spec)["frames"]) >= 10  # the stored snapshots replay untrained
    train(at)  # pressing Train anyway trains nothing
    assert trainings() == 0 and len(charts(at)) == 1
    assert "already in memory" in deltas(at)


def test_it_pins_a_run_trains_more_and_unpins(app, store_dir):
    at = open_page(app, PAGE)
    train(at, units=4, train_size=100)
    at.button(key="rectangles_pin").click().run()
    assert any("This run is pinned" in c.value for c in at.caption)

    train(at, seed=1)
    assert trainings() == 2
    assert trace_names(at).count("pinned run") >= 3  # faded beside the current run: both drawings and the loss
    assert any("Pinned run" in c.value and "seed 0" in c.value for c in at.caption)

    at.button(key="rectangles_train_more").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert trainings() == 3
    continued = tiny_rectangles(units=4, seed=1, epochs=2)
    assert ModelStore(store_dir).has(continued.key())  # stored under the two-epoch configuration's own key
    assert any("Train more" in c.value and "2 epochs in all" in c.value for c in at.caption)
    assert metrics(at)["parameters"] == str(4 * 4 * (2 + 4 + 1) + 4 * 2 + 2)

    at.button(key="rectangles_unpin").click().run()
    assert "pinned run" not in trace_names(at)
