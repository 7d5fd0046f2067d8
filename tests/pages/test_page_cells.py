"""AppTest of the RNN, GRU and LSTM lesson: three cells compared, their gradients and gates, the gradient through
time with and without clipping, a diverging SGD run (tiny trainings), results opened from the store without a Train
press, links and presets of the through-time section, in English and Chinese."""

import json
import re

import numpy as np
import pytest
from streamlit.proto.Metric_pb2 import Metric
from streamlit.testing.v1 import AppTest

from conftest import ROOT, open_page
from lstm_core import presets
from lstm_core.engine import fit
from lstm_core.experiments import CellsConfig, ExplodeConfig, ThroughTimeConfig, through_time
from lstm_core.engine.trainer import Trainer
from page_helpers import HAN, chart_specs, chart_texts, chart_titles, charts, deltas, metrics, missing_texts, \
    prompts, trainings
from ui import cache, i18n, widgets

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


PROFILE_TITLE = "at the start of training"  # in the gradient-through-time chart's title
CLIPPING_TITLE = "without and with clipping"


def through_time_config(**changes) -> ThroughTimeConfig:
    """The through-time run the page trains for these controls (its other fields the defaults, within limits)."""
    from lstm_core.engine.config import max_epochs, max_train_size

    values = dict(train_size=min(ThroughTimeConfig.train_size, max_train_size()),
                  epochs=min(ThroughTimeConfig.epochs, max_epochs()))
    return ThroughTimeConfig(**{**values, **changes})


def test_it_compares_three_cells_and_their_gradients(app):
    fit.clear_pool()  # no compiled model of this architecture left by an earlier test: it compiles now
    at = open_page(app, PAGE)
    assert len(prompts(at)) == 3  # the cells, the through-time runs and the SGD run wait for Train
    assert [title for title in chart_titles(at) if title] == [
        title for title in chart_titles(at) if PROFILE_TITLE in title]  # only the untrained gradient is drawn
    train_cells(at)
    assert not at.error and len(prompts(at)) == 2  # the other sections still wait for their own Train
    values = metrics(at)
    for cell in CELLS:
        assert 0 < float(values[f"{cell}: held-out MAE"]) < 1
    assert "trained now (compiled now)" in deltas(at)
    # A cell a hair below guessing has learned nothing: its delta is grey, never a green success.
    held_out = [m for m in at.metric if m.label.endswith("held-out MAE")]
    assert held_out and all(m.proto.color == Metric.MetricColor.GRAY for m in held_out)
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
    # The vanishing-gradient chart: before and after training side by side, each line named where it starts.
    gradient = next(spec for spec in chart_specs(at) if spec["layout"].get("title", {}).get("text", "").startswith(
        "Gradient of the loss"))
    labels = [a["text"] for a in gradient["layout"]["annotations"] if a["text"].startswith("<b>")]
    assert sorted(labels) == sorted(f"<b>{cell}</b>" for cell in CELLS for _ in range(2))
    assert all(trace["line"]["width"] >= 4 for trace in gradient["data"])
    # The GRU's gates beside the LSTM's, computed by hand and as close to Keras as the caption says.
    gates = next(spec for spec in chart_specs(at) if any(
        a.get("text") == "GRU update gate z" for a in spec["layout"].get("annotations", [])))
    titles = {a["text"] for a in gates["layout"]["annotations"]}
    assert {"GRU update gate z", "GRU reset gate r", "LSTM forget gate f", "LSTM input gate i"} <= titles
    caption = next(c.value for c in at.caption if "differ from Keras' own by at most" in c.value)
    assert float(re.search(r"at most ([0-9.e+-]+)", caption).group(1).rstrip(".")) < 1e-5


def test_a_lag_longer_than_the_sequence_is_kept_inside_it(app):
    """The lag slider's range follows the sequence length (`CellsConfig.DEPENDENT_RANGES`), so a lag the length
    leaves no room for becomes the longest it allows; the configuration itself refuses it (tests/core)."""
    at = open_page(app, PAGE)
    for key, value in {**TINY, "lag": 25}.items():  # the tiny model, with a lag longer than its 20 steps
        (at.select_slider if key == "train_size" else at.slider)(key=key).set_value(value)
    at.button(key="cells_train").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert (at.slider(key="lag").value, at.slider(key="lag").max) == (19, 19)
    assert not at.error and cache.cached(CellsConfig(**{**TINY, "lag": 19})) is not None


def test_sgd_divergence_is_named_and_clipping_keeps_the_loss_finite(app):
    at = open_page(app, PAGE)
    at.select_slider(key="explode_learning_rate").set_value(5.0)
    at.button(key="explode_train").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "NaN" in at.error[0].value and "without clipping" in at.error[0].value
    assert len(charts(at)) == 2  # the run up to the NaN is still drawn (beside the untrained gradient through time)
    assert "SGD divergence: a learning rate too large" in [header.value for header in at.subheader]
    at.toggle(key="explode_clip").set_value(True)
    at.button(key="explode_train").click().run()
    assert not at.error
    assert "stayed finite" in at.success[0].value
    assert trainings() == 2


def test_stored_results_open_without_a_train_press_and_a_restart_trains_nothing(app, store):
    """A concept lesson opens on results a teacher prepared (prewarm, another server), like the book lessons."""
    Trainer(store).get(CellsConfig(**TINY))
    Trainer(store).get(ExplodeConfig())  # the SGD run's default settings
    for config in (ThroughTimeConfig(), ThroughTimeConfig().clipped()):  # the through-time section's default pair
        Trainer(store).get(config)
    at = open_page(app, PAGE, query=TINY_LINK)
    assert not prompts(at)  # no Train press: every result is shown
    values = metrics(at)
    assert all(0 < float(values[f"{cell}: held-out MAE"]) < 1 for cell in CELLS)
    assert "from the model store" in deltas(at)
    assert "Gradient of the loss with respect to each input step" in chart_titles(at)
    # The SGD run at learning rate 2 without clipping diverges: its NaN is the lesson, told in words and drawn.
    assert [error.value for error in at.error if "learning rate 2, without clipping" in error.value]
    # loss curves, gradients, gates, their replay, the gradient through time and its two runs, the SGD run
    assert len(at.error) == 1 and len(charts(at)) == 7
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
        assert len(at.info) == 3 and all(HAN.search(info.value) for info in at.info)  # the three prompts
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


# -- the gradient through time ---------------------------------------------------------------------

def values(data) -> np.ndarray:
    """A trace's numbers as Plotly's JSON holds them: a list, or a typed array (`{"dtype", "bdata"}`)."""
    if isinstance(data, dict):
        import base64

        return np.frombuffer(base64.b64decode(data["bdata"]), dtype=data["dtype"])
    return np.asarray(data, dtype=float)


def profile_sentence(at) -> str:
    return next(md.value for md in at.markdown if "From the last step back to the first" in md.value)


def test_the_gradient_through_time_is_drawn_without_training_and_told_from_its_numbers(app):
    at = open_page(app, PAGE)
    assert trainings() == 0 and prompts(at)
    config = through_time_config()
    profile = cache.through_time_profile(config)
    assert any(f"scale 2, T = {config.length}" in title for title in chart_titles(at))
    sentence = profile_sentence(at)
    assert "**grows**" in sentence and f"**{profile.first:.3g}**" in sentence
    assert f"×{profile.per_step:.3f}" in sentence
    spec = next(spec for spec in chart_specs(at) if PROFILE_TITLE in spec["layout"]["title"]["text"])
    shown = next(trace for trace in spec["data"] if trace["name"].startswith("median"))
    np.testing.assert_allclose(values(shown["y"]), profile.median)
    at.select_slider(key="through_scale").set_value(0.6)
    at.button(key="through_draw").click().run()  # a form: the chart follows its Draw button, not every move
    assert not at.exception and trainings() == 0
    assert "**shrinks**" in profile_sentence(at)
    assert f"**{cache.through_time_profile(through_time_config(scale=0.6)).first:.3g}**" in profile_sentence(at)


@pytest.fixture
def small_limits(monkeypatch):
    """A teacher's limits that make the through-time runs tiny (they follow them as the controls do)."""
    monkeypatch.setenv("LSTM_EXPLORER_MAX_TRAIN_SIZE", "256")
    monkeypatch.setenv("LSTM_EXPLORER_MAX_EPOCHS", "2")


@pytest.mark.usefixtures("small_limits")
def test_train_runs_without_and_with_clipping_and_every_sentence_is_the_runs_own_numbers(app):
    at = open_page(app, PAGE)
    at.slider(key="through_length").set_value(12)
    at.button(key="through_train").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error and trainings() == 2  # the run without clipping and the one with it
    config = through_time_config(length=12)
    assert (config.train_size, config.epochs) == (256, 2)
    assert any(CLIPPING_TITLE in title for title in chart_titles(at))
    texts = "\n".join(md.value for md in at.markdown)
    for run_config, label in ((config, "without clipping"), (config.clipped(), "clipnorm = 1")):
        result = through_time.run(cache.cached(run_config))
        if result.diverged:
            assert f"**{label}**: the loss overflowed at step {result.diverged_step}" in texts
        else:
            assert (f"**{label}**: the loss stayed finite for all {result.steps} steps, from {result.first_loss:.3g}"
                    f" at the first step to {result.final_loss:.3g} at the last ({result.peak_loss:.3g} at most)"
                    ) in texts
        assert f"{result.largest_norm:.3g}" in texts
    assert "no weight array moved more than learning rate × clipnorm = 0.1" in texts
    shown = metrics(at)
    assert {"without clipping: held-out MAE", "clipnorm = 1: held-out MAE"} <= set(shown)
    clipped = through_time.run(cache.cached(config.clipped()))
    assert shown["clipnorm = 1: held-out MAE"] == f"{clipped.error:.4f}"
    through = [m for m in at.metric if m.label.startswith(("without clipping", "clipnorm"))]
    assert all(m.proto.color == Metric.MetricColor.GRAY for m in through)

    again = open_page(AppTest.from_file(str(ROOT / "app.py"), default_timeout=180), PAGE,
                      query={"through_length": "12"})
    assert any(CLIPPING_TITLE in title for title in chart_titles(again)) and trainings() == 2  # from memory


def test_a_link_opens_the_section_on_its_settings_and_a_bad_value_is_named_with_its_range(app):
    at = open_page(app, PAGE, query={"through_scale": "0.8", "through_length": "20"})
    assert not at.warning
    assert (at.select_slider(key="through_scale").value, at.slider(key="through_length").value) == (0.8, 20)
    assert any("scale 0.8, T = 20" in title for title in chart_titles(at))
    assert f"**{cache.through_time_profile(through_time_config(scale=0.8, length=20)).first:.3g}**" in \
        profile_sentence(at)

    bad = open_page(AppTest.from_file(str(ROOT / "app.py"), default_timeout=180), PAGE,
                    query={"through_scale": "9", "through_length": "500"})
    notice = bad.warning[0].value
    assert "`through_scale`" in notice and "0.5, 0.6" in notice and ", 2" in notice
    assert "`through_length`" in notice and "100" in notice and "10" in notice
    assert (bad.select_slider(key="through_scale").value, bad.slider(key="through_length").value) == (2.0, 100)
    assert not bad.exception and trainings() == 0


@pytest.mark.parametrize("name", ["through_time_exploding", "through_time_vanishing"])
def test_a_through_time_preset_sets_only_its_section_and_says_what_it_sets(app, name):
    preset = next(preset for preset in presets.CELLS if preset.name == name)
    first, clipped = preset.configs
    assert clipped == first.clipped()  # the section trains each setting without and with clipping
    at = open_page(app, PAGE)
    before = at.slider(key="units").value
    at.selectbox(key="preset").set_value(name).run()
    assert not at.exception and trainings() == 0
    assert (at.select_slider(key="through_scale").value, at.slider(key="through_length").value) == (
        first.scale, first.length)
    assert at.slider(key="units").value == before  # the cells' sidebar is not the preset's
    note = i18n.catalogue("en")[f"preset.cells.{name}.note"]
    assert f"scale {first.scale:g}" in note and f"length {first.length}" in note
    assert f"scale {first.scale:g}, T = {first.length}" in " ".join(chart_titles(at))


def test_a_difference_from_guessing_reads_as_it_is_shown_with_no_arrow_when_it_shows_as_zero():
    for key in ("cells.metric.vs_guessing", "through_time.metric.vs_guessing"):
        assert widgets.versus_guessing(key, -0.00003) == {"delta": "+0.000 vs guessing", "delta_arrow": "off"}
        assert widgets.versus_guessing(key, -0.2004) == {"delta": "-0.200 vs guessing", "delta_arrow": "auto"}
        assert widgets.versus_guessing(key, 0.0127) == {"delta": "+0.013 vs guessing", "delta_arrow": "auto"}
