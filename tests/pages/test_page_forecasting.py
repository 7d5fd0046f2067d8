"""AppTest of the forecasting lesson: three strategies trained (tiny), their errors in words and charts, a wave
outside the training range, in English and Chinese."""

import json
import re

import numpy as np
import pytest

from conftest import open_page
from lstm_core.experiments import ForecastConfig, forecasting
from page_helpers import chart_texts, chart_titles, charts, metrics, missing_texts, prompts, train_with, trainings
from ui import cache

PAGE = "pages/forecasting.py"
STRATEGIES = ("recursive", "vector", "seq2seq")

pytestmark = pytest.mark.usefixtures("no_jit")


def train_tiny(at):
    return train_with(at, "forecast_train", horizon=3, units=4, train_size=256, epochs=1)


def test_it_trains_three_strategies_and_warns_out_of_the_training_range(app):
    at = open_page(app, PAGE)
    assert len(prompts(at)) == 1
    assert len(charts(at)) == 2  # the training-range strips under the test-wave sliders
    train_tiny(at)
    assert not prompts(at) and not at.error and not at.warning
    values = metrics(at)
    for strategy in STRATEGIES:
        assert 0 < float(values[f"{strategy}: held-out MAE"]) < 1
    titles = chart_titles(at)
    assert "Error at each step ahead (300 held-out waves)" in titles
    assert any(title.startswith("Error of the forecast as the period") for title in titles)
    assert trainings() == 1  # three strategies, one model
    # Replay: the forecasts of the test wave at each snapshot; the last frame is the trained models' forecast.
    replay = next(spec for spec in map(json.loads, (chart.proto.spec for chart in charts(at))) if spec.get("frames"))
    model = cache.cached(ForecastConfig(horizon=3, units=4, train_size=256, epochs=1))
    assert len(replay["frames"]) == len(model.snapshots) >= 5
    period, decay = at.slider(key="period").value, at.slider(key="decay").value
    final = forecasting.forecasts(model, period, decay)
    for trace, strategy in zip(replay["frames"][-1]["data"], STRATEGIES):
        np.testing.assert_allclose(trace["y"], final[strategy], rtol=1e-5, atol=1e-6)
    at.slider(key="period").set_value(35).run()
    assert "outside the training range" in at.warning[0].value
    assert trainings() == 1


def test_in_chinese_the_measured_numbers_are_worded_in_chinese(app, caplog):
    with missing_texts(caplog) as missing:
        at = open_page(app, PAGE, "zh")
        assert at.title[0].value == "多步预测"
        assert "训练范围 10–20" in chart_texts(at)  # the strip under the period slider
        train_tiny(at)
        values = metrics(at)
        assert 0 < float(values["递归：留出集 MAE"]) < 1
        sentence = next(c.value for c in at.caption if "留出集上各预测步的误差" in c.value)
        shown = [float(x) for x in re.findall(r"向前一步为 ([0-9.]+)", sentence)]
        assert len(shown) == 3 and all(0 < x < 1 for x in shown)  # one number per strategy, from the models
        texts = chart_texts(at)
        assert "预测误差随周期（衰减 0.050）的变化" in texts and "训练范围" in texts
        assert "递归（单步预测，回馈输入）" in texts and "真实的后续值" in texts
        at.slider(key="period").set_value(35).run()
        assert "超出了训练范围" in at.warning[0].value
    assert not missing, missing


def test_step_error_facts_are_the_numbers_of_the_sentence():
    errors = {"recursive": np.array([0.01, 0.05, 0.03]), "vector": np.array([0.02, 0.02, 0.02]),
              "seq2seq": np.array([0.03, 0.025, 0.01])}
    facts = forecasting.step_error_facts(errors)
    recursive, vector, _ = facts["parts"]
    assert (recursive["first"], recursive["last"], recursive["steps"]) == (0.01, 0.03, 3)
    assert (recursive["worst"], recursive["worst_step"]) == (0.05, 2)
    assert vector["worst"] is None  # its largest error is at the first step: no "worst" in between
    assert (facts["best_first"], facts["best_last"]) == ("recursive", "seq2seq")
