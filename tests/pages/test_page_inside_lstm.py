"""AppTest of the inside-the-LSTM lesson: gates computed by hand from a trained (tiny) sine model, checked against
Keras, every gate drawn, one unit stepped through in an animated cell, its forget-gate product set against a
SimpleRNN trained only on request, in English and Chinese and in present mode."""

import re

import pytest

from conftest import open_page
from lstm_core import presets, stepper
from lstm_core.experiments import SineConfig
from lstm_core.figures import cell as cell_figures
from page_helpers import HAN, chart_specs, chart_titles, missing_texts, prompts, trace_names, train_with, trainings
from ui import cache, i18n

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
    assert configs["book"] == sine["fast"] == (SineConfig(),)  # the sine lesson's default model, fast recipe
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


# -- stepping through the cell and the gradient path ------------------------------------------

TINY = dict(units=4, depth=2, train_size=100, epochs=1)  # what train_tiny sets, seed 0


def stepper_spec(at) -> dict:
    """The animated cell chart (the one figure with frames)."""
    (spec,) = [spec for spec in chart_specs(at) if spec.get("frames")]
    return spec


def path_spec(at) -> dict:
    (spec,) = [spec for spec in chart_specs(at) if "Gradient carried" in spec["layout"]["title"]["text"]
               or "梯度" in spec["layout"]["title"]["text"]]
    return spec


def stored(trainer, **changes):
    """The tiny model trained into the store before the page opens (the page finds it there)."""
    config = SineConfig(**{**TINY, **changes})
    trainer.get(config)
    return config


def link(config) -> dict:
    return {key: str(getattr(config, key)) for key in ("units", "depth", "train_size", "epochs", "seed")}


def test_a_stored_model_opens_on_the_stepper_and_the_unit_changes_it(app, trainer):
    config = stored(trainer)
    at = open_page(app, PAGE, query=link(config))
    assert not prompts(at) and trainings() == 0  # found in the store, nothing trained
    spec = stepper_spec(at)
    assert len(spec["frames"]) == config.length
    assert [button["label"] for button in spec["layout"]["updatemenus"][0]["buttons"]] == ["▶ play", "❚❚ pause"]
    assert len(spec["layout"]["sliders"][0]["steps"]) == config.length
    select = at.selectbox(key="inside_step_unit_1_4")
    assert select.options == ["0", "1", "2", "3"] and select.help
    first = select.value
    assert spec["layout"]["title"]["text"] == f"Layer 1, unit {first}: the cell step by step"
    other = (first + 1) % 4
    at = select.set_value(other).run()
    assert not at.exception
    changed = stepper_spec(at)
    assert changed["layout"]["title"]["text"] == f"Layer 1, unit {other}: the cell step by step"
    equations = [found["frames"][10]["layout"]["annotations"][0]["text"] for found in (spec, changed)]
    assert equations[0] != equations[1]
    names = [trace.get("name") for trace in path_spec(at)["data"]]
    assert names == [f"LSTM unit {other}: ∏ f", "LSTM, median of the 4 units",
                     "LSTM, largest unit (spectral norm of ∂c_T/∂c_k)"]  # no SimpleRNN until it is trained
    # Layer 2 reads layer 1's hidden state: the diagram says so rather than showing one number.
    at = at.radio(key="layer").set_value(2).run()
    spec = stepper_spec(at)
    assert spec["layout"]["title"]["text"].startswith("Layer 2, unit ")
    assert "layer 1's h<sub>t</sub>: 4 values" in spec["frames"][3]["layout"]["annotations"][0]["text"]
    assert trainings() == 0


def test_the_simple_rnn_is_trained_only_on_request_then_drawn_beside_the_lstm(app, trainer):
    config = stored(trainer, depth=1)
    at = open_page(app, PAGE, query=link(config))
    button = at.button(key="inside_rnn_train")
    assert button.help and trainings() == 0
    assert any("No SimpleRNN to compare with yet" in info.value for info in at.info)
    at = button.click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert trainings() == 1  # the cells experiment with this model's units, examples, epochs and seed
    assert cache.is_available(stepper.simple_rnn_config(config))
    names = [trace.get("name") for trace in path_spec(at)["data"]]
    assert "SimpleRNN (4 units): ‖∂h_T/∂h_k‖₂" in names
    rnn = [trace for trace in path_spec(at)["data"] if trace["name"].startswith("SimpleRNN")][0]
    assert path_spec(at)["layout"]["yaxis"]["type"] == "log"
    assert rnn["x"] and "the SimpleRNN keeps" in "".join(m.value for m in at.markdown)
    at = at.run()  # the next run finds it in memory: no button any more, and no second training
    assert not [b for b in at.button if b.key == "inside_rnn_train"] and trainings() == 1
    assert "SimpleRNN (4 units): ‖∂h_T/∂h_k‖₂" in [trace.get("name") for trace in path_spec(at)["data"]]


def test_the_lag_task_compares_the_cells_lessons_lstm_and_simple_rnn_where_memory_is_needed(app, trainer,
                                                                                          monkeypatch):
    # The teacher's limits shrink the cells lesson's default lag model to a tiny one (the sine model fits them).
    for name, value in (("TRAIN_SIZE", "200"), ("EPOCHS", "2"), ("UNITS", "4")):
        monkeypatch.setenv(f"LSTM_EXPLORER_MAX_{name}", value)
    config = stored(trainer)
    at = open_page(app, PAGE, query=link(config))
    radio = at.radio(key="inside_path_task")
    assert radio.value == "sine" and radio.help
    at = radio.set_value("lag").run()
    assert not [spec for spec in chart_specs(at) if "lag task" in spec["layout"]["title"]["text"]]  # not trained
    button = at.button(key="inside_rnn_train")
    assert button.label == "Train the lag models" and button.help and trainings() == 0
    at = button.click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert trainings() == 1 and cache.is_available(stepper.lag_config())
    (spec,) = [spec for spec in chart_specs(at) if "lag task" in spec["layout"]["title"]["text"]]
    assert spec["layout"]["title"]["text"] == "Gradient carried from step k to the last step (lag task, 20 steps)"
    names = [trace["name"] for trace in spec["data"]]
    assert names[0].startswith("LSTM unit ") and names[0].endswith("(keeps most): ∏ f")
    assert names[-1] == "SimpleRNN (4 units): ‖∂h_T/∂h_k‖₂"
    assert spec["layout"]["shapes"][0]["x0"] == 20  # the step to remember
    words = "".join(m.value for m in at.markdown)
    assert "20 steps back, unit " in words and "The SimpleRNN keeps" in words
    assert stepper_spec(at)  # the animated cell above is still this page's model


def test_present_mode_shows_the_stepper_without_the_sidebar(app, trainer):
    config = stored(trainer)
    at = open_page(app, PAGE, query={**link(config), "present": "1"})
    styles = [element.proto.body for element in at.get("html")]
    assert any("stSidebar" in body and "display: none" in body for body in styles)
    assert len(stepper_spec(at)["frames"]) == config.length and at.selectbox(key="inside_step_unit_1_4")


def test_the_stepper_and_the_path_in_chinese(app, trainer, caplog):
    config = stored(trainer)
    with missing_texts(caplog) as missing:
        at = open_page(app, PAGE, "zh", query=link(config))
        at = at.radio(key="layer").set_value(2).run()
    assert not at.exception and not missing, missing
    spec = stepper_spec(at)
    assert spec["layout"]["title"]["text"].startswith("第 2 层，单元 ")
    assert [button["label"] for button in spec["layout"]["updatemenus"][0]["buttons"]] == ["▶ 播放", "❚❚ 暂停"]
    assert "第 1 层的 h<sub>t</sub>：4 个值" in spec["frames"][0]["layout"]["annotations"][0]["text"]
    assert path_spec(at)["layout"]["title"]["text"] == "从第 k 步传到最后一步的梯度（第 2 层）"
    assert at.button(key="inside_rnn_train").label == "训练 SimpleRNN"
    at = at.radio(key="inside_path_task").set_value("lag").run()
    assert at.radio(key="inside_path_task").options == ["这个模型读这条波形", "20 步的时滞（单元对比课）"]
    assert at.button(key="inside_rnn_train").label == "训练时滞模型" and not missing


def test_every_figure_text_has_its_english_and_chinese_text():
    english, chinese = i18n.catalogue("en"), i18n.catalogue("zh")
    assert {name: english[f"inside_lstm.stepper.fig.{name}"] for name in cell_figures.TEXTS} == cell_figures.TEXTS
    keys = [key for key in english if key.startswith(("inside_lstm.stepper.", "inside_lstm.path."))]
    assert len(keys) > len(cell_figures.TEXTS) and all(key in chinese for key in keys)
    assert all(HAN.search(chinese[key]) for key in keys if len(english[key].split()) >= 3)
