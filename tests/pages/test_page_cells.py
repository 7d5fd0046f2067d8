"""AppTest of the RNN, GRU and LSTM lesson: three cells compared, their gradients, an exploding SGD run
(tiny trainings), results opened from the store without a Train press, in English and Chinese."""

import json

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from conftest import ROOT, open_page
from lstm_core.engine import fit
from lstm_core.experiments import CellsConfig, ExplodeConfig
from lstm_core.engine.trainer import Trainer
from page_helpers import HAN, chart_texts, chart_titles, charts, deltas, metrics, missing_texts, prompts, trainings
from ui import cache, i18n

PAGE = "pages/cells.py"
CELLS = ("SimpleRNN", "GRU", "LSTM")
TINY = dict(length=20, lag=12, units=4, train_size=256, epochs=1)  # what train_cells sets
TINY_LINK = {key: str(value) for key, value in TINY.items()}

pytestmark = pytest.mark.usefixtures("no_jit")


def train_cells(at):
    at.slider(key="length").set_value(TINY["length"])
    at.slider(key="lag").set_value(TINY["lag"])
    at.slider(key="units").set_value(TINY["units"])
    at.select_slider(key="train_size").set_value(TINY["train_size"])
    at.slider(key="epochs").set_value(TINY["epochs"])
    at.button(key="cells_train").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def parameters(at) -> dict:
    table = at.dataframe[0].value
    return dict(zip(table.iloc[:, 0], table.iloc[:, 2]))


def test_it_compares_three_cells_and_their_gradients(app):
    fit.clear_pool()  # no compiled model of this architecture left by an earlier test: it compiles now
    at = open_page(app, PAGE)
    assert len(prompts(at)) == 2 and not charts(at)  # both experiments wait for Train
    train_cells(at)
    assert not at.error and len(prompts(at)) == 1  # the SGD run still waits for its own Train
    values = metrics(at)
    for cell in CELLS:
        assert 0 < float(values[f"{cell}: held-out MAE"]) < 1
    assert "trained now (compiled now)" in deltas(at)
    assert parameters(at) == {"SimpleRNN": 4 * (2 + 4 + 1), "GRU": 3 * 4 * (2 + 4 + 2), "LSTM": 4 * 4 * (2 + 4 + 1)}
    assert "Gradient of the loss with respect to each input step" in chart_titles(at)
    assert trainings() == 1  # the three cells are one model, trained once
    # Replay: one frame per snapshot; its last frame is the trained cells' held-out errors and gradient profiles.
    replay = next(spec for spec in map(json.loads, (chart.proto.spec for chart in charts(at))) if spec.get("frames"))
    model = cache.cached(CellsConfig(**TINY))
    assert len(replay["frames"]) == len(model.snapshots) >= 5
    bars = replay["frames"][-1]["data"][-1]["y"]
    np.testing.assert_allclose(bars, [float(values[f"{cell}: held-out MAE"]) for cell in CELLS], atol=5e-5)
    np.testing.assert_allclose(replay["frames"][-1]["data"][2]["y"], model.results["gradients"]["LSTM"], rtol=1e-6)
    np.testing.assert_allclose(replay["frames"][0]["data"][2]["y"], model.results["initial_gradients"]["LSTM"],
                               rtol=1e-6)


def test_a_lag_longer_than_the_sequence_is_refused_with_its_range(app):
    at = open_page(app, PAGE)
    at.slider(key="length").set_value(20)
    at.slider(key="lag").set_value(25)
    at.button(key="cells_train").click().run()
    assert not at.exception
    assert "lag must be from 0 to 19" in at.error[0].value
    assert trainings() == 0


def test_exploding_gradients_are_named_and_clipping_keeps_the_loss_finite(app):
    at = open_page(app, PAGE)
    at.select_slider(key="explode_learning_rate").set_value(5.0)
    at.button(key="explode_train").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "NaN" in at.error[0].value and "without clipping" in at.error[0].value
    assert len(charts(at)) == 1  # the run up to the NaN is still drawn
    at.toggle(key="explode_clip").set_value(True)
    at.button(key="explode_train").click().run()
    assert not at.error
    assert "stayed finite" in at.success[0].value
    assert trainings() == 2


def test_stored_results_open_without_a_train_press_and_a_restart_trains_nothing(app, store):
    """A concept lesson opens on results a teacher prepared (prewarm, another server), like the book lessons."""
    Trainer(store).get(CellsConfig(**TINY))
    Trainer(store).get(ExplodeConfig())  # the SGD run's default settings
    at = open_page(app, PAGE, query=TINY_LINK)
    assert not prompts(at)  # no Train press: both results are shown
    values = metrics(at)
    assert all(0 < float(values[f"{cell}: held-out MAE"]) < 1 for cell in CELLS)
    assert "from the model store" in deltas(at)
    assert "Gradient of the loss with respect to each input step" in chart_titles(at)
    # The SGD run at learning rate 2 without clipping diverges: its NaN is the lesson, told in words and drawn.
    assert [error.value for error in at.error if "learning rate 2, without clipping" in error.value]
    assert len(at.error) == 1 and len(charts(at)) == 4  # loss curves, gradients, their replay, the SGD run
    assert trainings() == 0

    cache.clear()  # a restart: a new Trainer on the same store, nothing in memory
    again = open_page(AppTest.from_file(str(ROOT / "app.py"), default_timeout=180), PAGE, query=TINY_LINK)
    assert not prompts(again) and "from the model store" in deltas(again)
    assert metrics(again) == values
    assert cache.trainer().trainings == 0


def test_in_chinese_it_trains_and_names_the_explosion_in_chinese(app, caplog):
    zh = i18n.catalogue("zh")
    with missing_texts(caplog) as missing:
        at = open_page(app, PAGE, "zh")
        assert at.title[0].value == zh["cells.title"]
        assert len(at.info) == 2 and all(HAN.search(info.value) for info in at.info)  # both prompts
        train_cells(at)
        labels = [m.label for m in at.metric]
        assert "SimpleRNN：留出集 MAE" in labels and "训练时间" in labels
        assert list(at.dataframe[0].value.columns) == ["单元类型", "公式", "参数量"]
        texts = chart_texts(at)
        assert "损失对每一步输入的梯度" in texts and "LSTM（训练后）" in texts
        assert "Gradient of the loss" not in texts
        at.selectbox(key="preset").set_value("exploding").run()  # sets the SGD run only: the comparison stays
        assert any(zh["preset.cells.exploding.note"] in info.value for info in at.info)
        assert "SimpleRNN：留出集 MAE" in [m.label for m in at.metric]
        at.button(key="explode_train").click().run()
        assert not at.exception, [e.value for e in at.exception]
        error = at.error[0].value
        assert "NaN" in error and "无梯度裁剪" in error and "学习率 2" in error
        assert "the loss" not in error
    assert not missing, missing
