"""Teacher features on the book lessons: presets set the sliders, links carry settings, downloads load."""

import io

import numpy as np
import pandas as pd
import pytest

from conftest import open_page, tiny_rectangles, tiny_sine
from lstm_core import data, export, figures, presets, training
from ui.downloads import payloads


@pytest.mark.parametrize("lesson, page", [("sine", "pages/sine.py"), ("rectangles", "pages/rectangles.py")])
def test_every_preset_sets_its_sliders_and_says_what_to_look_for(app, lesson, page):
    at = open_page(app, page)
    for preset in presets.PRESETS[lesson]:
        at.selectbox(key="preset").set_value(preset.name).run()
        assert not at.exception
        shown = {w.key: w.value for w in (*at.slider, *at.select_slider, *at.number_input) if w.key in preset.values}
        assert shown == pytest.approx(preset.values)
        assert at.info and len(at.info[-1].value) > 80  # the commentary


def test_preset_configs_are_valid_and_distinct():
    configs = presets.configs()
    assert len(configs) == len({c.key() for c in configs})
    assert presets.config_of("sine", presets.SINE[0]).key() == presets.config_of("sine", presets.SINE[0]).key()


def test_a_link_opens_the_page_with_its_settings(app):
    at = open_page(app, "pages/sine.py", query={"period": "17", "decay": "0.08", "units": "4", "depth": "1",
                                          "epochs": "3", "seed": "7", "train_size": "500"})
    values = {w.key: w.value for w in (*at.slider, *at.select_slider, *at.number_input)}
    assert values == {"period": 17, "decay": pytest.approx(0.08), "units": 4, "depth": 1, "epochs": 3,
                      "seed": 7, "train_size": 500}


def test_downloads_of_a_trained_model_all_load(tmp_path):
    trained = training.train(tiny_sine(units=3, depth=1))
    inputs, expected = data.sine_example(15, 0.05)
    predicted = trained.predict(inputs.reshape(1, -1, 1))[0]
    files = {p.name: p for p in payloads(trained, {"predictions": export.sine_frame(inputs, expected, predicted)},
                                         {"loss": figures.loss_figure(trained.history)})}
    assert set(files) == {"model", "script", "history", "predictions", "loss"}
    model_file = tmp_path / files["model"].file_name
    model_file.write_bytes(files["model"].make())
    from lstm_core.backend import keras

    model = keras().saving.load_model(model_file, safe_mode=True)
    np.testing.assert_allclose(model.predict(inputs.reshape(1, -1, 1), verbose=0)[0], predicted, atol=1e-6)
    frame = pd.read_csv(io.StringIO(files["predictions"].make()))
    np.testing.assert_allclose(frame["predicted"].dropna(), predicted, atol=1e-6)
    assert pd.read_csv(io.StringIO(files["history"].make()))["epoch_loss"].dropna().tolist() == trained.history
    compile(files["script"].make(), files["script"].file_name, "exec")
    assert "newPlot" in files["loss"].make()
    assert files["model"].file_name.endswith(".keras") and files["script"].file_name.endswith(".py")


def test_the_rectangle_page_offers_its_downloads_after_training(app):
    at = open_page(app, "pages/rectangles.py")
    at.slider(key="units").set_value(3)
    at.select_slider(key="train_size").set_value(100)
    at.button[0].click().run()
    assert not at.exception
    labels = [button.label for button in at.get("download_button")]
    assert len(labels) == 7 and "model (.keras)" in labels and "drawings (CSV)" in labels


COMMON = {"period", "decay", "units", "depth", "train_size", "epochs", "seed"}


@pytest.mark.parametrize("lesson", [lesson for lesson in __import__("ui.lessons").lessons.LESSONS if lesson.url_path],
                         ids=lambda lesson: lesson.url_path)
def test_controls_use_the_same_short_names_on_every_page(app, lesson):
    at = open_page(app, lesson.file)
    keys = {w.key for kind in ("slider", "select_slider", "number_input", "radio", "selectbox", "multiselect")
            for w in at.get(kind) if w.key}
    prefixed = {key for key in keys if any(key.endswith("_" + name) for name in COMMON)}
    assert not prefixed, f"{lesson.file}: use the common names, not {sorted(prefixed)}"


def test_a_link_opens_the_training_size_lab_with_its_ladder(app):
    at = open_page(app, "pages/training_size.py", query={
        "experiment": "sine", "units": "7", "depth": "1", "epochs": "3", "seed": "2", "period": "18",
        "sizes": ["100", "500"]})
    assert at.radio(key="experiment").value == "sine"
    values = {w.key: w.value for w in (*at.slider, *at.number_input)}
    assert {k: values[k] for k in ("units", "depth", "epochs", "seed", "period")} == \
        {"units": 7, "depth": 1, "epochs": 3, "seed": 2, "period": 18}
    assert at.multiselect(key="sizes").value == [100, 500]


@pytest.mark.parametrize("lesson, page", [("sine", "pages/sine.py"), ("rectangles", "pages/rectangles.py")])
def test_presets_respect_the_teachers_limits(app, monkeypatch, lesson, page):
    monkeypatch.setenv("LSTM_EXPLORER_MAX_UNITS", "8")
    monkeypatch.setenv("LSTM_EXPLORER_MAX_TRAIN_SIZE", "1000")
    at = open_page(app, page)
    at.selectbox(key="preset").set_value("book").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.slider(key="units").value == 8 and at.select_slider(key="train_size").value == 1000
    assert "units" in at.warning[-1].value and "train_size" in at.warning[-1].value
