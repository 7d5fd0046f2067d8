"""AppTest of the sequence-models lesson: three sections open on prompts and train only when pressed, each trains
a tiny model, every comparison sentence is the numbers shown beside it (three seeds), presets and links set the
controls with the configurations' own ranges, and a bad link value is named with its range. With the pure
checks of the teacher-forcing reading of the forecasting model (the third section)."""

import json
import re

import numpy as np
import pytest

from conftest import open_page
from lstm_core import experiments, presets
from lstm_core.engine.config import ConfigError
from lstm_core.experiments import BidirectionalConfig, EncoderDecoderConfig, ForecastConfig, bidirectional, \
    encoder_decoder, forecasting
from lstm_core.tools import prewarm
from page_helpers import charts, metrics, missing_texts, prompts, set_widgets, train_with, trainings, widget_values
from ui import cache, i18n

PAGE = "pages/sequence_models.py"
TINY = dict(units=4, train_size=256, epochs=1)
SECTIONS = {  # Train button → the section's own tiny settings
    "bidirectional_train": dict(gap=3),
    "encoder_decoder_train": dict(input_steps=10, output_steps=4),
    "teacher_forcing_train": dict(horizon=3),
}
NUMBER = r"\d+\.\d+"

pytestmark = pytest.mark.usefixtures("no_jit")


def train_section(at, button: str, **shared):
    """Set the shared sidebar controls and the section's own, and press its Train button."""
    set_widgets(at, **{**TINY, **shared})
    return train_with(at, button, **SECTIONS[button])


def sentence(at, start: str) -> str:
    found = [block.value for block in at.markdown if block.value.startswith(start)]
    assert len(found) == 1, [block.value[:60] for block in at.markdown]
    return found[0]


def numbers(text: str) -> list[float]:
    return [float(x) for x in re.findall(NUMBER, text)]


def shown(at, model: str) -> float:
    return float(metrics(at)[f"{i18n.catalogue('en')['sequence_models.model.' + model]}: held-out MAE"])


def test_it_opens_on_three_prompts_and_trains_nothing(app):
    at = open_page(app, PAGE)
    assert len(prompts(at)) == 3 and not charts(at) and not at.error and not at.warning
    assert trainings() == 0
    values = widget_values(at)
    assert {key: values[key] for key in ("gap", "input_steps", "output_steps", "horizon")} == {
        "gap": BidirectionalConfig.gap, "input_steps": EncoderDecoderConfig.input_steps,
        "output_steps": EncoderDecoderConfig.output_steps, "horizon": ForecastConfig.horizon}


def test_the_sections_share_one_set_of_model_defaults_and_prewarm_trains_them():
    for field in ("units", "train_size", "epochs", "seed", "learning_rate", "batch_size", "period_range",
                  "decay_range"):
        assert getattr(BidirectionalConfig, field) == getattr(EncoderDecoderConfig, field) == \
            getattr(ForecastConfig, field), field
    warmed = {config.key() for config in prewarm.default_configs()}
    shown_by_default = [BidirectionalConfig(), EncoderDecoderConfig(), ForecastConfig()]
    assert all(config.key() in warmed for config in shown_by_default)
    assert all(config.key() in warmed for preset in presets.SEQUENCE_MODELS for config in preset.configs)


def test_the_sliders_links_and_configurations_share_their_ranges(app):
    at = open_page(app, PAGE)
    ranges = {"gap": (bidirectional.SMALLEST_GAP, bidirectional.LARGEST_GAP, BidirectionalConfig),
              "input_steps": (*encoder_decoder.INPUT_STEPS, EncoderDecoderConfig),
              "output_steps": (*encoder_decoder.OUTPUT_STEPS, EncoderDecoderConfig)}
    for key, (low, high, config_type) in ranges.items():
        slider = at.slider(key=key)
        assert (slider.min, slider.max) == (low, high), key
        config_type(**{key: low})
        config_type(**{key: high})
        for value in (low - 1, high + 1):
            with pytest.raises(ConfigError) as error:
                config_type(**{key: value})
            assert error.value.field == key and f"{low} to {high}" in str(error.value)
    horizon = at.slider(key="horizon")  # the forecasting lesson's horizon slider, inside ForecastConfig's range
    assert (horizon.min, horizon.max) == (1, 20)
    ForecastConfig(horizon=20)


def test_a_preset_then_tiny_sizes_train_the_gap_filling_section(app):
    at = open_page(app, PAGE)
    at.selectbox(key="preset").set_value("one_missing").run()
    assert at.slider(key="gap").value == 1 and trainings() == 0
    english = i18n.catalogue("en")
    assert any(info.value.startswith(f"**{english['preset.sequence_models.one_missing']}**") for info in at.info)
    set_widgets(at, **TINY)
    train_with(at, "bidirectional_train")
    assert trainings() == 1 and len(prompts(at)) == 2 and not at.error
    config = BidirectionalConfig(gap=1, **TINY)
    model = cache.cached(config)
    assert model is not None
    for name in ("unidirectional", "bidirectional", "interpolation"):
        assert f"{shown(at, name):.4f}" == f"{model.metrics[name]:.4f}"
    # The replay: the gap's fills at each snapshot; its last frame is the trained models' fill.
    replay = next(spec for spec in map(json.loads, (chart.proto.spec for chart in charts(at))) if spec.get("frames"))
    assert len(replay["frames"]) == len(model.snapshots) >= 5
    period, decay = at.slider(key="period").value, at.slider(key="decay").value
    final = bidirectional.fills(model, period, decay)
    for trace, name in zip(replay["frames"][-1]["data"], bidirectional.MODELS):
        np.testing.assert_allclose(trace["y"][1:-1], final[name], rtol=1e-5, atol=1e-6)  # between the neighbours
    # Under it, each fill's error on this wave: the numbers of the fills drawn.
    wave, fills = experiments.view(model).wave(period, decay)
    truth = bidirectional.missing(config, wave)[0]
    caption = next(c.value for c in at.caption if "On this wave" in c.value)
    assert numbers(caption.split("On this wave")[1]) == [
        round(float(np.abs(fills[name] - truth).mean()), 3) for name in ("unidirectional", "bidirectional",
                                                                          "interpolation")]


def test_every_comparison_sentence_is_the_numbers_shown_beside_it_for_three_seeds(app):
    at = open_page(app, PAGE)
    for count, seed in enumerate((0, 1, 2), start=1):
        for button in SECTIONS:
            train_section(at, button, seed=seed)
        assert trainings() == 3 * count and not prompts(at) and not at.error
        check_sentences(at, seed)


def check_sentences(at, seed: int) -> None:
    """Each section's sentence: its numbers are the trained models' (rounded as shown), and so are the metrics."""

    gap = experiments.view(cache.cached(BidirectionalConfig(seed=seed, **TINY, **SECTIONS["bidirectional_train"])))
    errors = gap.errors
    facts = bidirectional.comparison_facts(errors)
    text = sentence(at, "On the 300 held-out waves")
    better, worse = facts["better"], facts["worse"]
    assert numbers(text) == [round(errors[better], 3), round(errors[worse], 3), round(facts["ratio"], 1),
                             round(errors["interpolation"], 3)]
    names = {model: i18n.catalogue("en")[f"sequence_models.model.{model}"] for model in bidirectional.MODELS}
    assert text.index(names[better]) < text.index(names[worse])  # the better one is named first
    assert all(abs(shown(at, model) - errors[model]) < 6e-5 for model in (*bidirectional.MODELS, "interpolation"))
    assert shown(at, better) <= shown(at, worse)

    config = EncoderDecoderConfig(seed=seed, **TINY, **SECTIONS["encoder_decoder_train"])
    forecasts = experiments.view(cache.cached(config))
    facts = encoder_decoder.comparison_facts(forecasts.step_errors)
    text = sentence(at, f"Over the {config.output_steps} steps ahead")
    better, worse = facts["better"], facts["worse"]
    assert numbers(text) == [round(facts["errors"][better], 3), round(facts["errors"][worse], 3),
                             round(facts["ratio"], 1), round(facts["last"]["encoder_decoder"], 3),
                             round(facts["last"]["per_step"], 3)]
    assert all(abs(shown(at, model) - facts["errors"][model]) < 6e-5 for model in encoder_decoder.MODELS)
    assert shown(at, better) <= shown(at, worse)

    config = ForecastConfig(seed=seed, **TINY, **SECTIONS["teacher_forcing_train"])
    runs = experiments.view(cache.cached(config)).teacher_forcing_errors()
    facts = forecasting.teacher_forcing_facts(runs)
    text = sentence(at, "One step ahead both read the true input")
    expected = [round(facts["first"], 3)]
    if facts["widest"] is not None:
        assert f"at step {facts['widest']}:" in text
        expected += [round(facts["free_widest"], 3), round(facts["forced_widest"], 3), round(facts["ratio"], 1)]
    expected += [round(facts["free_mean"], 3), round(facts["forced_mean"], 3)]
    assert numbers(text) == expected
    assert abs(shown(at, "free_running") - facts["free_mean"]) < 6e-5
    assert abs(shown(at, "teacher_forced") - facts["forced_mean"]) < 6e-5


def test_the_teacher_forcing_sentence_is_worded_in_chinese_from_the_same_numbers(app, caplog):
    with missing_texts(caplog) as missing:
        at = open_page(app, PAGE, "zh")
        train_section(at, "teacher_forcing_train")
        runs = experiments.view(cache.cached(ForecastConfig(**TINY, horizon=3))).teacher_forcing_errors()
        facts = forecasting.teacher_forcing_facts(runs)
        text = sentence(at, "向前一步时两者都读真实的输入")
        assert numbers(text)[0] == round(facts["first"], 3) and numbers(text)[-1] == round(facts["forced_mean"], 3)
        assert float(metrics(at)["教师强制：留出集 MAE"]) == pytest.approx(facts["forced_mean"], abs=6e-5)
    assert not missing, missing


def test_a_link_opens_the_page_with_its_settings(app):
    query = {"period": "18", "decay": "0.08", "units": "8", "train_size": "512", "epochs": "3", "seed": "7",
             "gap": "3", "input_steps": "12", "output_steps": "25", "horizon": "5"}
    at = open_page(app, PAGE, query=query)
    assert not at.warning and len(prompts(at)) == 3 and trainings() == 0
    values = widget_values(at)
    assert {key: values[key] for key in query} == {
        "period": 18, "decay": pytest.approx(0.08), "units": 8, "train_size": 512, "epochs": 3, "seed": 7, "gap": 3,
        "input_steps": 12, "output_steps": 25, "horizon": 5}


def test_bad_link_values_are_named_with_their_allowed_range(app):
    at = open_page(app, PAGE, query={"gap": "99", "input_steps": "5", "output_steps": "many", "horizon": "-3"})
    assert len(at.warning) == 1 and not at.error
    notice = at.warning[0].value
    for name, why, low, high in (("gap", "is above 10", 1, 10), ("input_steps", "is below 10", 10, 60),
                                 ("output_steps", "is not a number", 1, 30), ("horizon", "is below 1", 1, 20)):
        assert f"- `{name}` {why}: it must be a whole number from {low} to {high};" in notice, (name, notice)
    values = widget_values(at)
    assert (values["gap"], values["input_steps"], values["output_steps"], values["horizon"]) == (
        10, 10, EncoderDecoderConfig.output_steps, 1)
    assert len(prompts(at)) == 3 and trainings() == 0


# -- the teacher-forcing reading of the forecasting model (pure) ---------------------------------

def test_teacher_forced_predictions_read_the_true_values_before_each_step():
    """At step k ahead the teacher-forced input is the true wave's `length` values before it: the one-step
    model's prediction on exactly that window; one step ahead it is the free-running forecast's first value."""
    config = ForecastConfig(horizon=4, units=3, train_size=64, epochs=1, length=12)
    from lstm_core.engine.fit import Trained, plain_model

    model = plain_model(forecasting.EXPERIMENT, config)
    fit = Trained(config=config, model=model, steps=np.zeros(0), batch_size=1, losses={"loss": np.zeros(0)},
                  gradient_norm=np.zeros(0), history=[], metrics={}, error_metric="seq2seq")
    forecasters = forecasting.Forecasters(config=config, fit=fit, step_errors={}, seq2seq_by_time=np.zeros(0))
    series = forecasting.waves(config, 3, np.random.default_rng(1))
    forced = forecasters.teacher_forced(series)
    assert forced.shape == (3, 4)
    for k in range(4):
        np.testing.assert_allclose(forced[:, k], fit.predict(series[:, k:k + 12, None], "recursive")[:, 0], atol=1e-6)
    free = forecasters.forecast(series[:, :12])["recursive"]
    np.testing.assert_allclose(forced[:, 0], free[:, 0], atol=1e-6)
    assert np.abs(forced[:, 1:] - free[:, 1:]).max() > 0  # after the first step, free running reads its own guesses


def test_teacher_forcing_facts_are_the_numbers_of_the_sentence():
    errors = {"free_running": np.array([0.01, 0.05, 0.03]), "teacher_forced": np.array([0.01, 0.012, 0.011])}
    facts = forecasting.teacher_forcing_facts(errors)
    assert (facts["first"], facts["widest"], facts["free_widest"], facts["forced_widest"]) == (0.01, 2, 0.05, 0.012)
    assert facts["ratio"] == pytest.approx(0.05 / 0.012)
    assert numbers(forecasting.teacher_forcing_summary(errors)) == [0.01, 0.05, 0.012, 4.2, 0.03, 0.011]
    never = forecasting.teacher_forcing_facts({"free_running": np.array([0.02, 0.01]),
                                               "teacher_forced": np.array([0.02, 0.02])})
    assert never["widest"] is None
    assert "never above" in forecasting.teacher_forcing_summary({"free_running": np.array([0.02, 0.01]),
                                                                "teacher_forced": np.array([0.02, 0.02])})
