"""The cells and forecasting lessons: presets set their widgets, and both pages speak Simplified Chinese.

Tiny trainings (a few hundred sequences, one epoch, a few units) so that the
Chinese texts built from measured numbers (metrics, the step-error sentence,
the NaN message) are rendered and checked, not only the untrained page.
"""

import json
import logging
import re

import numpy as np
import pytest

from lstm_core import fitting, forecasting, presets, training
from ui import i18n
from conftest import open_page

HAN = re.compile(r"[\u4e00-\u9fff]")
WIDGETS = ("slider", "select_slider", "number_input", "radio", "selectbox", "toggle")


pytestmark = pytest.mark.usefixtures("no_jit")


def widget_value(at, key):
    for kind in WIDGETS:
        found = [w for w in getattr(at, kind) if w.key == key]
        if found:
            value = found[0].value
            return tuple(value) if isinstance(value, (list, tuple)) else value
    raise KeyError(key)


def chart_texts(at) -> str:
    """Every title, axis title, trace name and annotation of the page's charts, as one string."""
    texts = []
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        layout = spec["layout"]
        texts.append(layout.get("title", {}).get("text", ""))
        texts += [layout[k].get("title", {}).get("text", "") for k in layout if k.startswith(("xaxis", "yaxis"))]
        texts += [trace.get("name", "") for trace in spec["data"]]
        texts += [a.get("text", "") for a in layout.get("annotations", [])]
    return "\n".join(texts)


def no_missing_text(caplog):
    return not [r for r in caplog.records if r.name == "ui.i18n"]


@pytest.mark.parametrize("page, lesson, lesson_presets", [
    ("pages/cells.py", "cells", presets.CELLS), ("pages/forecasting.py", "forecasting", presets.FORECASTING)])
def test_each_preset_sets_its_widgets_and_says_what_to_look_for(app, page, lesson, lesson_presets):
    at = open_page(app, page)
    for preset in lesson_presets:
        at.selectbox(key="preset").set_value(preset.name).run()
        assert not at.exception, [e.value for e in at.exception]
        assert not at.error, [e.value for e in at.error]  # every preset is a valid configuration
        for key, value in preset.values.items():
            assert widget_value(at, key) == pytest.approx(value), (preset.name, key)
        note = i18n.catalogue("en")[f"preset.{lesson}.{preset.name}.note"]
        assert any(note in info.value for info in at.info), preset.name


def test_presets_differ_where_their_lesson_says_they_do():
    by_name = {preset.name: preset.values for preset in presets.CELLS}
    assert by_name["short_lag"]["lag"] < by_name["vanishing"]["lag"]
    assert not by_name["exploding"]["explode_clip"] and by_name["clipped"]["explode_clip"]
    forecast = {preset.name: preset.values for preset in presets.FORECASTING}
    config = forecasting.ForecastConfig(period_range=forecast["default"]["period_range"],
                                        decay_range=forecast["default"]["decay_range"])
    out = forecast["out_of_range"]
    assert not config.in_training_range(out["period"], out["decay"])
    wider = forecasting.ForecastConfig(period_range=forecast["wider_training"]["period_range"])
    assert wider.in_training_range(out["period"], out["decay"])
    assert forecast["long_horizon"]["horizon"] > forecast["default"]["horizon"]


def test_cells_lesson_in_chinese_trains_and_names_the_explosion_in_chinese(app, caplog):
    with caplog.at_level(logging.WARNING, logger="ui.i18n"):
        at = open_page(app, "pages/cells.py", "zh")
        assert at.title[0].value == i18n.catalogue("zh")["cells.title"]
        assert all(HAN.search(info.value) for info in at.info)  # both "not trained yet" prompts
        at.slider(key="length").set_value(20)
        at.slider(key="lag").set_value(12)
        at.slider(key="units").set_value(4)
        at.select_slider(key="train_size").set_value(256)
        at.slider(key="epochs").set_value(1)
        at.button(key="cells_train").click().run()
        assert not at.exception, [e.value for e in at.exception]
        labels = [m.label for m in at.metric]
        assert "SimpleRNN：留出集 MAE" in labels and "训练时间" in labels
        assert list(at.dataframe[0].value.columns) == ["单元类型", "公式", "参数量"]
        texts = chart_texts(at)
        assert "损失对每一步输入的梯度" in texts and "LSTM（训练后）" in texts
        assert "Gradient of the loss" not in texts
        at.selectbox(key="preset").set_value("exploding").run()  # sets the SGD run only: the comparison stays
        assert any(i18n.catalogue("zh")["preset.cells.exploding.note"] in info.value for info in at.info)
        assert "SimpleRNN：留出集 MAE" in [m.label for m in at.metric]
        at.button(key="explode_train").click().run()
        assert not at.exception, [e.value for e in at.exception]
        error = at.error[0].value
        assert "NaN" in error and "无梯度裁剪" in error and "学习率 2" in error
        assert "the loss" not in error
    assert no_missing_text(caplog)


def test_forecasting_lesson_in_chinese_words_the_measured_numbers(app, caplog):
    with caplog.at_level(logging.WARNING, logger="ui.i18n"):
        at = open_page(app, "pages/forecasting.py", "zh")
        assert at.title[0].value == "多步预测"
        assert "训练范围 10–20" in chart_texts(at)  # the strip under the period slider
        at.slider(key="horizon").set_value(3)
        at.slider(key="units").set_value(4)
        at.select_slider(key="train_size").set_value(256)
        at.slider(key="epochs").set_value(1)
        at.button(key="forecast_train").click().run()
        assert not at.exception, [e.value for e in at.exception]
        values = {m.label: m.value for m in at.metric}
        assert 0 < float(values["递归：留出集 MAE"]) < 1
        sentence = next(c.value for c in at.caption if "留出集上各预测步的误差" in c.value)
        shown = [float(x) for x in re.findall(r"向前一步为 ([0-9.]+)", sentence)]
        assert len(shown) == 3 and all(0 < x < 1 for x in shown)  # one number per strategy, from the models
        texts = chart_texts(at)
        assert "预测误差随周期（衰减 0.050）的变化" in texts and "训练范围" in texts
        assert "递归（单步预测，回馈输入）" in texts and "真实的后续值" in texts
        at.slider(key="period").set_value(35).run()
        assert "超出了训练范围" in at.warning[0].value
    assert no_missing_text(caplog)


def test_step_error_facts_are_the_numbers_of_the_sentence():
    errors = {"recursive": np.array([0.01, 0.05, 0.03]), "vector": np.array([0.02, 0.02, 0.02]),
              "seq2seq": np.array([0.03, 0.025, 0.01])}
    facts = forecasting.step_error_facts(errors)
    recursive, vector, _ = facts["parts"]
    assert (recursive["first"], recursive["last"], recursive["steps"]) == (0.01, 0.03, 3)
    assert (recursive["worst"], recursive["worst_step"]) == (0.05, 2)
    assert vector["worst"] is None  # its largest error is at the first step: no "worst" in between
    assert (facts["best_first"], facts["best_last"]) == ("recursive", "seq2seq")
