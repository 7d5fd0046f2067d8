"""Sequence problems and inside the LSTM: the preset menus set the widgets, and both pages work in Chinese.

The presets are checked against the page's own widgets (every value a preset
names must end up in the widget of that key); the Chinese runs train tiny
models so that the result sections (metrics, charts, tables) are rendered
too, and no text may fall back to English for want of a translation.
"""

import json
import logging

import pytest

from lstm_core import fitting, presets, training
from lstm_core.config import SineConfig
from ui import i18n
from conftest import open_page

WIDGET_KINDS = ("radio", "slider", "select_slider", "toggle", "number_input")


pytestmark = pytest.mark.usefixtures("no_jit")


def widget_values(at) -> dict:
    return {widget.key: widget.value for kind in WIDGET_KINDS for widget in at.get(kind) if widget.key}


def chart_layouts(at):
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def chart_titles(at):
    return [layout["layout"].get("title", {}).get("text", "") for layout in chart_layouts(at)]


def trace_names(at):
    return {trace.get("name") for layout in chart_layouts(at) for trace in layout["data"]}


def no_missing_text(caplog):
    return not [record for record in caplog.records if record.name == "ui.i18n"]


@pytest.mark.parametrize("page, lesson, menu", [
    ("pages/sequence_problems.py", "sequence_problems", presets.SEQUENCE_PROBLEMS),
    ("pages/inside_lstm.py", "inside_lstm", presets.INSIDE_LSTM),
])
def test_each_preset_sets_its_widgets_and_says_what_to_look_for(app, page, lesson, menu):
    at = open_page(app, page)
    for preset in menu:
        at.selectbox(key="preset").set_value(preset.name).run()
        assert not at.exception, [e.value for e in at.exception]
        values = widget_values(at)
        assert {key: values.get(key) for key in preset.values} == preset.values, preset.name
        assert any(i18n.catalogue("en")[f"preset.{lesson}.{preset.name}.note"] in info.value for info in at.info)
    assert not at.error


def test_problem_presets_draw_their_diagrams(app):
    at = open_page(app, "pages/sequence_problems.py")
    at.selectbox(key="preset").set_value("rectangles").run()
    titles = chart_titles(at)
    assert titles[0] == "sequence generation: one-to-many"
    assert titles[1] == "one-to-many, unrolled over 3 time steps"  # the first corner in, three corners out
    assert "output fed back as input" in trace_names(at)
    at.selectbox(key="preset").set_value("seq2seq").run()
    assert chart_titles(at)[1] == "many-to-many (unequal lengths), unrolled over 8 time steps"  # 5 in, then 3 out
    assert not at.exception


def test_inside_lstm_presets_train_sine_models_shared_with_the_sine_lesson():
    configs = {preset.name: presets.config_of("inside_lstm", preset) for preset in presets.INSIDE_LSTM}
    assert configs["book"] == presets.config_of("sine", presets.SINE[0]) == SineConfig()
    assert configs["out_of_range"] == configs["book"]  # same model, another wave
    assert (configs["small"].units, configs["small"].depth) == (4, 1)
    assert configs["small"] in presets.configs() and presets.configs().count(SineConfig()) == 1


def test_sequence_problems_in_chinese_with_a_trained_window(app, caplog):
    at = open_page(app, "pages/sequence_problems.py", "zh")
    assert at.title[0].value == "序列问题"
    assert at.radio(key="problem").value == "sequence prediction"  # the options (and the link) stay English
    assert "序列预测" in at.radio(key="problem").proto.captions
    assert chart_titles(at)[0] == "序列预测：多对一"
    with caplog.at_level(logging.WARNING, logger="ui.i18n"):
        # The window_longer preset's window and test length, with a tiny model. (The preset menu itself is
        # driven in English: AppTest formats options outside the script run, where the language is unknown.)
        at.slider(key="window").set_value(20)
        at.slider(key="test_length").set_value(60)
        at.slider(key="units").set_value(4)
        at.select_slider(key="train_size").set_value(256)
        at.slider(key="epochs").set_value(1)
        at.button(key="window_train").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error
    assert no_missing_text(caplog), [record.getMessage() for record in caplog.records]
    labels = {metric.label for metric in at.metric}
    assert {"MLP 在其窗口长度（20）上的误差", "LSTM 在长度 20 上的误差", "训练时间"} <= labels
    titles = chart_titles(at)
    assert "测试序列变短或变长时的留出集误差" in titles
    assert any("MLP 只能看到 60 个值中的最后 20 个" in title for title in titles)
    assert "真实的后续值" in trace_names(at)  # a fixed figure text, translated through the catalogue


def test_inside_lstm_in_chinese_with_a_trained_model(app, caplog):
    at = open_page(app, "pages/inside_lstm.py", "zh")
    assert at.title[0].value == "LSTM 单元内部"
    at.slider(key="units").set_value(3)
    at.slider(key="depth").set_value(2)
    at.select_slider(key="train_size").set_value(100)
    at.slider(key="epochs").set_value(1)
    with caplog.at_level(logging.WARNING, logger="ui.i18n"):
        at.button(key="inside_train").click().run()
        assert not at.exception, [e.value for e in at.exception]
        at.radio(key="layer").set_value(2).run()
    assert not at.exception, [e.value for e in at.exception]
    assert no_missing_text(caplog), [record.getMessage() for record in caplog.records]
    assert "隐藏状态与 Keras 自己的结果相差不超过" in at.success[0].value
    titles = chart_titles(at)
    assert "第 2 层：遗忘门 f" in titles and "第 2 层：所选单元的细胞状态与波形对照" in titles
    names = trace_names(at)
    assert "输入波形" in names and any(name and name.startswith("单元 ") for name in names)
    assert at.radio(key="layer").options == ["第 1 层（输入端）", "第 2 层"]
