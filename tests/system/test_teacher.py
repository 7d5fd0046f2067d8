"""Teacher features across the app: presets under a server's limits, prepared configurations with stable keys,
downloads that load, and the same short control names on every page.

(Each lesson's presets are checked in tests/pages/test_page_presets.py, its links in test_page_links.py.)
"""

import io
import json
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from conftest import ROOT, open_page, tiny_sine
from lstm_core import data, experiments, figures, presets
from lstm_core.experiments import SineConfig
from lstm_core.tools import export
from ui.downloads import payloads
from ui.lessons import LESSONS

COMMON = {"period", "decay", "units", "depth", "train_size", "epochs", "seed"}
LIMITS = {"LSTM_EXPLORER_MAX_UNITS": "8", "LSTM_EXPLORER_MAX_TRAIN_SIZE": "1000", "LSTM_EXPLORER_MAX_EPOCHS": "5"}


@pytest.mark.parametrize("page", ["pages/sine.py", "pages/rectangles.py"])
def test_presets_respect_the_teachers_limits(app, monkeypatch, page):
    monkeypatch.setenv("LSTM_EXPLORER_MAX_UNITS", "8")
    monkeypatch.setenv("LSTM_EXPLORER_MAX_TRAIN_SIZE", "1000")
    at = open_page(app, page)
    at.selectbox(key="preset").set_value("book").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.slider(key="units").value == 8 and at.select_slider(key="train_size").value == 1000
    assert "units" in at.warning[-1].value and "train_size" in at.warning[-1].value


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.url_path or "home")
def test_every_lesson_opens_without_an_error_under_a_teachers_limits(app, monkeypatch, lesson):
    """Limits below the book's settings lower the controls' defaults, and the settings that are not controls."""
    for name, value in LIMITS.items():
        monkeypatch.setenv(name, value)
    at = open_page(app, lesson.file)
    assert not at.error, [e.value for e in at.error]
    assert at.title


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.url_path or "home")
def test_a_limit_that_leaves_one_value_shows_it_fixed_and_every_lesson_opens(app, monkeypatch, lesson):
    """One epoch and one unit allowed: a slider needs two values, so the control shows the one there is."""
    monkeypatch.setenv("LSTM_EXPLORER_MAX_EPOCHS", "1")
    monkeypatch.setenv("LSTM_EXPLORER_MAX_UNITS", "1")
    at = open_page(app, lesson.file)
    assert not at.error, [e.value for e in at.error]
    fixed = {w.key: w.value for w in at.number_input if w.disabled}
    assert all(fixed.get(key, 1) == 1 for key in ("epochs", "units"))
    assert not [w.key for w in at.slider if w.key in ("epochs", "units")]


def test_a_server_started_under_a_teachers_limits_opens_every_lesson(tmp_path):
    """The same in a fresh process, whose modules are all imported under the limits, as on a real server."""
    code = (
        "from streamlit.testing.v1 import AppTest\n"
        "from ui.lessons import LESSONS\n"
        "failed = []\n"
        "for lesson in LESSONS:\n"
        "    at = AppTest.from_file('app.py', default_timeout=120)\n"
        "    at.switch_page(lesson.file).run()\n"
        "    if at.exception or at.error:\n"
        "        failed.append(lesson.url_path)\n"
        "print(failed)\n"
    )
    env = {**os.environ, **LIMITS, "LSTM_EXPLORER_STORE": str(tmp_path), "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split("\n")[-2] == "[]"


def test_preset_configurations_are_valid_distinct_and_keyed_as_the_lessons_defaults():
    configs = presets.configs()
    assert len(configs) == len({config.key() for config in configs})  # each once, so prewarm trains it once
    for config in configs:
        experiments.of(config)  # a registered experiment's configuration
        stored = {"experiment": config.experiment, **json.loads(json.dumps(config.to_dict()))}
        assert experiments.config_from_dict(stored) == config  # survives the store's round trip
    # A lesson's first preset is its default: a model a student trained by default opens the preset, and back.
    assert presets.SINE[0].configs[0].key() == SineConfig().key()
    for lesson, menu in presets.PRESETS.items():
        if menu[0].configs and lesson != "training_size":  # (the lab's first preset is a whole ladder)
            first = menu[0].configs[0]
            assert first == experiments.of(first).config() and first in presets.defaults(), lesson


def test_configuration_keys_are_the_same_in_another_process():
    """The store is found again after a restart only if a key does not depend on the process (hash seed...)."""
    configs = presets.configs()
    code = ("from lstm_core import presets\n"
            "print('\\n'.join(config.key() for config in presets.configs()))\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == [config.key() for config in configs]


@pytest.mark.usefixtures("no_jit")
def test_downloads_of_a_trained_model_all_load(trainer, tmp_path):
    trained = trainer.get(tiny_sine(units=3, depth=1))
    inputs, expected = data.sine_example(15, 0.05)
    predicted = trained.predict(inputs.reshape(1, -1, 1))[0]
    files = {p.name: p for p in payloads(trained, {"predictions": lambda: export.sine_frame(inputs, expected, predicted)},
                                         {"loss": lambda: figures.loss_figure(trained.history)})}
    assert set(files) == {"model", "script", "history", "predictions", "loss"}
    model_file = tmp_path / files["model"].file_name
    model_file.write_bytes(files["model"].make())
    from lstm_core.engine.backend import keras

    model = keras().saving.load_model(model_file, safe_mode=True)
    np.testing.assert_allclose(model.predict(inputs.reshape(1, -1, 1), verbose=0)[0], predicted, atol=1e-6)
    frame = pd.read_csv(io.StringIO(files["predictions"].make()))
    np.testing.assert_allclose(frame["predicted"].dropna(), predicted, atol=1e-6)
    history = pd.read_csv(io.StringIO(files["history"].make()))
    assert history["epoch_loss"].dropna().tolist() == pytest.approx(trained.history)
    assert len(history["loss"].dropna()) == len(trained.curve)
    compile(files["script"].make(), files["script"].file_name, "exec")
    assert "newPlot" in files["loss"].make()
    assert files["model"].file_name.endswith(".keras") and files["script"].file_name.endswith(".py")


@pytest.mark.parametrize("lesson", [lesson for lesson in LESSONS if lesson.url_path], ids=lambda l: l.url_path)
def test_controls_use_the_same_short_names_on_every_page(app, lesson):
    at = open_page(app, lesson.file)
    keys = {w.key for kind in ("slider", "select_slider", "number_input", "radio", "selectbox", "multiselect")
            for w in at.get(kind) if w.key}
    assert keys, lesson.file
    prefixed = {key for key in keys if any(key.endswith("_" + name) for name in COMMON)}
    assert not prefixed, f"{lesson.file}: use the common names, not {sorted(prefixed)}"
