"""AppTest of the inside-the-LSTM lesson: gates computed by hand from a trained (tiny) sine model, checked against
Keras, every gate drawn, in English and Chinese."""

import re

import pytest

from conftest import open_page
from lstm_core import presets
from lstm_core.experiments import SineConfig
from page_helpers import chart_titles, missing_texts, prompts, trace_names, train_with, trainings

PAGE = "pages/inside_lstm.py"
GATES = ("input gate i", "forget gate f", "output gate o", "candidate g", "cell state c", "hidden state h")

pytestmark = pytest.mark.usefixtures("no_jit")


def train_tiny(at, units=4):
    return train_with(at, "inside_train", units=units, depth=2, train_size=100, epochs=1)


def test_the_hand_computed_states_match_keras_and_every_gate_is_drawn(app):
    at = open_page(app, PAGE)
    assert len(prompts(at)) == 1 and trainings() == 0
    train_tiny(at)
    assert not prompts(at) and trainings() == 1
    difference = float(re.search(r"at most ([0-9.e+-]+)\.", at.success[0].value).group(1))
    assert difference < 1e-5
    titles = chart_titles(at)
    for gate in GATES:
        assert f"layer 1: {gate}" in titles, gate
    at.radio(key="layer").set_value(2).run()
    assert "layer 2: forget gate f" in chart_titles(at)
    assert at.multiselect[0].value  # a phase or decay unit is preselected
    assert trainings() == 1


def test_the_presets_read_the_sine_lessons_models():
    """Inside the LSTM trains nothing of its own: its presets are the sine lesson's configurations."""
    configs = {preset.name: preset.configs for preset in presets.INSIDE_LSTM}
    sine = {preset.name: preset.configs for preset in presets.SINE}
    assert configs["book"] == sine["book"] == (SineConfig(),)
    assert configs["out_of_range"] == configs["book"]  # same model, another wave
    assert (configs["small"][0].units, configs["small"][0].depth) == (4, 1)
    assert configs["small"][0] in presets.configs() and presets.configs().count(SineConfig()) == 1


def test_in_chinese_with_a_trained_model(app, caplog):
    at = open_page(app, PAGE, "zh")
    assert at.title[0].value == "LSTM 单元内部"
    with missing_texts(caplog) as missing:
        train_tiny(at, units=3)
        at.radio(key="layer").set_value(2).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not missing, missing
    assert "隐藏状态与 Keras 自己的结果相差不超过" in at.success[0].value
    titles = chart_titles(at)
    assert "第 2 层：遗忘门 f" in titles and "第 2 层：所选单元的细胞状态与波形对照" in titles
    names = trace_names(at)
    assert "输入波形" in names and any(name and name.startswith("单元 ") for name in names)
    assert at.radio(key="layer").options == ["第 1 层（输入端）", "第 2 层"]
