"""AppTest of the home page and the two book lessons: widgets, tiny trainings, charts and tables."""

import subprocess
import sys
from pathlib import Path

import pytest

from ui.lessons import LESSONS

ROOT = Path(__file__).resolve().parent.parent


def charts(at):
    return at.get("plotly_chart")


def table_parameters(at):
    frame = at.dataframe[-1].value
    return dict(zip(frame["layer"], frame["parameters"]))


def test_home_page_renders_and_links_the_lessons(app):
    at = app.run()
    assert not at.exception
    assert at.title[0].value == "LSTM Explorer"
    links = [link.proto.page for link in at.get("page_link")]
    assert {"sine", "rectangles"} <= set(links)


def test_home_page_does_not_import_tensorflow():
    code = (
        "import sys\n"
        "from streamlit.testing.v1 import AppTest\n"
        "at = AppTest.from_file('app.py', default_timeout=60).run()\n"
        "assert not at.exception, at.exception\n"
        "print('tensorflow' in sys.modules, 'keras' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == ["False", "False"]


@pytest.mark.parametrize("lesson", [lesson for lesson in LESSONS if lesson.url_path], ids=lambda l: l.url_path)
def test_every_lesson_opens_without_an_exception(app, lesson):
    at = app.run()
    at.switch_page(lesson.file).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title


def test_sine_lesson_before_training_shows_the_wave_the_book_table_and_the_code(app):
    at = app.run()
    at.switch_page("pages/sine.py").run()
    assert not at.exception
    assert "not trained yet" in at.info[0].value
    assert len(charts(at)) == 1  # the test wave alone
    assert table_parameters(at) == {"lstm_1": 1760, "lstm_2": 3280, "dense": 105, "total": 5145}
    code = at.code[0].value
    assert "layers.LSTM(20, return_sequences=True," in code and code.count("layers.LSTM(20,") == 2
    compile(code, "sine_script.py", "exec")


def test_sine_lesson_trains_a_tiny_config_then_serves_it_from_the_cache(app):
    at = app.run()
    at.switch_page("pages/sine.py").run()
    at.slider(key="period").set_value(12)
    at.slider(key="decay").set_value(0.03)
    at.slider(key="units").set_value(3)
    at.slider(key="depth").set_value(3)
    at.select_slider(key="train_size").set_value(100)
    at.slider(key="epochs").set_value(2)
    at.number_input(key="seed").set_value(4)
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error
    metrics = {m.label: m.value for m in at.metric}
    mae = float(metrics["held-out MAE (1,000 fresh waves)"])
    assert 0 < mae < 1
    assert metrics["parameters"] == str(4 * 3 * (1 + 3 + 1) + 2 * 4 * 3 * (3 + 3 + 1) + 3 * 5 + 5)
    assert len(charts(at)) == 2  # prediction and loss
    assert table_parameters(at)["total"] == int(metrics["parameters"])
    assert at.code[0].value.count("layers.LSTM(3, return_sequences=True,") == 2

    from ui import cache

    assert cache.trainer().trainings == 1
    at.slider(key="period").set_value(18).run()  # the test wave moves: no retraining
    assert not at.exception and cache.trainer().trainings == 1
    assert len(charts(at)) == 2
    figure = charts(at)[0].proto.spec
    assert "period 18" in figure


def test_limits_set_by_the_teacher_bound_the_sliders(app, monkeypatch):
    monkeypatch.setenv("LSTM_EXPLORER_MAX_UNITS", "8")
    monkeypatch.setenv("LSTM_EXPLORER_MAX_TRAIN_SIZE", "1000")
    at = app.run()
    at.switch_page("pages/sine.py").run()
    assert not at.exception and not at.error
    assert at.slider(key="units").max == 8 and at.slider(key="units").value == 8
    assert at.select_slider(key="train_size").options[-1] == "1000"
    assert at.select_slider(key="train_size").value == 1000


def test_rectangle_lesson_shows_the_book_table_then_trains_and_draws(app):
    at = app.run()
    at.switch_page("pages/rectangles.py").run()
    assert not at.exception
    assert table_parameters(at) == {"lstm_1": 520, "dense": 22, "total": 542}
    at.slider(key="units").set_value(4)
    at.select_slider(key="train_size").set_value(100)
    at.number_input(key="seed").set_value(2)
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    metrics = {m.label: m.value for m in at.metric}
    assert float(metrics["consistency error (0 = perfect rectangles)"]) >= 0
    assert metrics["parameters"] == str(4 * 4 * (2 + 4 + 1) + 4 * 2 + 2)
    assert len(charts(at)) == 3  # free drawing, completions, loss
    drawings = at.dataframe[0].value
    assert list(drawings["start"]) == ["[0, 0]", "[0.2, 0]", "[0.4, 0]", "[0.6, 0]", "[0.8, 0]"]


def test_a_model_in_the_store_is_not_trained_again(app):
    from conftest import tiny_rectangles
    from lstm_core.service import Trainer

    Trainer().get(tiny_rectangles(units=5, train_size=100, seed=0))  # e.g. trained from the command line
    at = app.run()
    at.switch_page("pages/rectangles.py").run()
    at.slider(key="units").set_value(5)
    at.select_slider(key="train_size").set_value(100)
    at.number_input(key="seed").set_value(0)
    at.button[0].click().run()
    from ui import cache

    assert not at.exception and cache.trainer().trainings == 0 and len(charts(at)) == 3
    assert "from the model store" in [m.proto.delta for m in at.metric]
    at.run()  # and a rerun needs no Train press: the configuration is available
    assert not at.info and len(charts(at)) == 3
