"""AppTest of the damped-sine lesson (book chapter 7), in English and Chinese."""

import json

import numpy as np
import pytest

from conftest import open_page
from lstm_core.engine import fit
from lstm_core.experiments import SineConfig, sine
from ui import cache
from page_helpers import HAN, charts, deltas, metrics, trainings
from ui import i18n

PAGE = "pages/sine.py"


def table_parameters(at):
    frame = at.dataframe[-1].value
    return dict(zip(frame["layer"], frame["parameters"]))


def test_before_training_it_shows_the_wave_the_book_table_and_the_code(app):
    at = open_page(app, PAGE)
    assert "not trained yet" in at.info[0].value
    assert len(charts(at)) == 1  # the test wave alone
    assert table_parameters(at) == {"lstm_1": 1760, "lstm_2": 3280, "dense": 105, "total": 5145}
    code = at.code[0].value
    assert "layers.LSTM(20, return_sequences=True," in code and code.count("layers.LSTM(20,") == 2
    compile(code, "sine_script.py", "exec")
    assert trainings() == 0  # opening the page never trains


@pytest.mark.usefixtures("no_jit")
def test_it_trains_a_tiny_model_then_serves_it_from_memory(app):
    fit.clear_pool()  # no compiled model of this architecture left by an earlier test: it compiles now
    at = open_page(app, PAGE)
    at.slider(key="period").set_value(12)
    at.slider(key="decay").set_value(0.03)
    at.slider(key="units").set_value(3)
    at.slider(key="depth").set_value(3)
    at.select_slider(key="train_size").set_value(100)
    at.slider(key="epochs").set_value(2)
    at.number_input(key="seed").set_value(4)
    at.sidebar.get("form_submit_button")[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error and not at.info
    shown = metrics(at)
    mae = float(shown["held-out MAE (1,000 fresh waves)"])
    assert 0 < mae < 1
    assert shown["parameters"] == str(4 * 3 * (1 + 3 + 1) + 2 * 4 * 3 * (3 + 3 + 1) + 3 * 5 + 5)
    assert "trained now (compiled now)" in deltas(at)
    assert len(charts(at)) == 1  # the replay: the prediction above the loss, one frame per snapshot
    replay = json.loads(charts(at)[0].proto.spec)
    model = cache.cached(SineConfig(units=3, depth=3, train_size=100, epochs=2, seed=4))
    assert len(replay["frames"]) == len(model.snapshots) >= 10
    assert replay["layout"]["sliders"][0]["active"] == len(model.snapshots) - 1  # opens on the trained model
    inputs, _ = cache.sine_wave(12.0, 0.03)
    np.testing.assert_allclose(replay["frames"][-1]["data"][0]["y"], sine.prediction(model, inputs), rtol=1e-6)
    assert replay["frames"][0]["data"][0]["y"] != replay["frames"][-1]["data"][0]["y"]
    assert table_parameters(at)["total"] == int(shown["parameters"])
    assert at.code[0].value.count("layers.LSTM(3, return_sequences=True,") == 2
    assert trainings() == 1

    at.slider(key="period").set_value(18).run()  # the test wave moves: no retraining
    assert not at.exception and trainings() == 1
    assert "already in memory" in deltas(at)
    assert len(charts(at)) == 1
    assert "period 18" in charts(at)[0].proto.spec

    at.button(key="sine_moment_back").click().run()  # one moment back: the figure opens a snapshot earlier
    assert not at.exception and trainings() == 1
    assert json.loads(charts(at)[0].proto.spec)["layout"]["sliders"][0]["active"] == len(model.snapshots) - 2

    at.number_input(key="seed").set_value(5)
    at.sidebar.get("form_submit_button")[0].click().run()  # another seed, the same architecture: the compiled model is reused
    assert not at.exception and trainings() == 2
    assert "trained now (compiled model reused)" in deltas(at)


def test_limits_set_by_the_teacher_bound_the_sliders(app, monkeypatch):
    monkeypatch.setenv("LSTM_EXPLORER_MAX_UNITS", "8")
    monkeypatch.setenv("LSTM_EXPLORER_MAX_TRAIN_SIZE", "1000")
    at = open_page(app, PAGE)
    assert not at.error
    assert at.slider(key="units").max == 8 and at.slider(key="units").value == 8
    assert at.select_slider(key="train_size").options[-1] == "1000"
    assert at.select_slider(key="train_size").value == 1000


def test_in_chinese_the_address_notice_prompt_and_layer_table_are_chinese(app):
    zh = i18n.catalogue("zh")
    at = open_page(app, PAGE, "zh", {"units": "999"})
    notices = [w.value for w in at.warning if zh["params.corrected"] in w.value]
    assert len(notices) == 1 and "`units`" in notices[0] and "**64**" in notices[0]
    assert "page address" not in notices[0] and zh["params.above"].format(high="64") in notices[0]
    assert at.slider(key="units").value == 64
    prompt = zh["widgets.prompt"].format(what=zh["widgets.prompt.what"])
    assert [info.value for info in at.info] == [prompt] and HAN.search(prompt)
    table = at.dataframe[0].value
    assert list(table.columns) == [zh["widgets.layers.layer"], zh["widgets.layers.shape"],
                                   zh["widgets.layers.parameters"]]
    assert table.iloc[-1, 0] == zh["widgets.layers.total"]
    assert zh["widgets.code"] in [expander.label for expander in at.expander]


@pytest.mark.usefixtures("no_jit")
def test_the_book_number_is_compared_like_for_like_and_the_fast_recipe_says_what_it_buys(app):
    small = dict(units=3, depth=1, train_size=100, seed=2)
    at = open_page(app, PAGE, query={**{k: str(v) for k, v in small.items()}, "recipe": "book", "epochs": "1"})
    at.sidebar.get("form_submit_button")[0].click().run()
    assert not at.exception
    assert "not the book's run" in deltas(at)  # a smaller model: no delta against the book's 0.0217
    differs = next(c.value for c in at.caption if "not like for like" in c.value)
    assert "units 3 (book: 20)" in differs and "train_size 100 (book: 10000)" in differs and "recipe" not in differs
    at.radio(key="recipe").set_value("fast").run()  # the recipe sets the epochs to its own
    assert at.slider(key="epochs").value == 2
    at.sidebar.get("form_submit_button")[0].click().run()
    book_run = cache.cached(SineConfig(**small, recipe="book", epochs=1))
    fast_run = cache.cached(SineConfig(**small, recipe="fast", epochs=2))
    measured = next(c.value for c in at.caption if "What the fast recipe buys" in c.value)
    assert f"{book_run.seconds:.1f} s" in measured and f"MAE {book_run.metrics['mae']:.4f}" in measured
    assert f"{fast_run.seconds:.1f} s" in measured and f"MAE {fast_run.metrics['mae']:.4f}" in measured
    assert (book_run.batch_size, fast_run.batch_size) == (10, 20)


def test_the_book_setting_alone_is_compared_with_the_books_number():
    assert SineConfig(recipe="book", epochs=1).book_differences() == []
    assert [field for field, *_ in SineConfig().book_differences()] == ["recipe", "batch_size", "learning_rate",
                                                                        "epochs"]
