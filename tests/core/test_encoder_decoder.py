"""experiments/encoder_decoder: Tx steps in and Ty out (Ty > Tx too), the same waves and per-step model as the
forecasting lesson's, training against a trivial forecast, the layer table, and the comparison sentence checked
against the scores for three seeds."""

import re

import numpy as np
import pytest

from helpers import jit_off, train
from lstm_core import experiments
from lstm_core.engine.config import ConfigError
from lstm_core.engine.fit import plain_model
from lstm_core.experiments import EncoderDecoderConfig, ForecastConfig, encoder_decoder, forecasting
from lstm_core.experiments.encoder_decoder import INPUT_STEPS, MODELS, OUTPUT_STEPS

SEEDS = (0, 1, 2)


def small(**changes):
    values = dict(input_steps=20, output_steps=5, units=8, train_size=512, epochs=3, seed=0)
    values.update(changes)
    return EncoderDecoderConfig(**values)


@pytest.fixture(scope="module")
def runs():
    """The small configuration trained for three seeds, as the page reads them (`experiments.view`)."""
    with jit_off():
        return {seed: experiments.view(train(small(seed=seed))) for seed in SEEDS}


def persistence_error(config) -> float:
    """The held-out error of a forecast with no model: the last input value, repeated Ty times."""
    test = encoder_decoder.holdout(config)
    last = test[:, config.input_steps - 1:config.input_steps]
    return float(np.abs(test[:, config.input_steps:] - last).mean())


def test_the_waves_and_the_per_step_targets_are_the_forecasting_lessons():
    config = small(input_steps=12, output_steps=30, seed=4)
    twin = ForecastConfig(length=12, horizon=30, units=8, train_size=512, epochs=3, seed=4)
    inputs, targets = encoder_decoder.training_data(config)
    twin_inputs, twin_targets = forecasting.training_data(twin)
    np.testing.assert_array_equal(inputs, twin_inputs)
    np.testing.assert_array_equal(targets["per_step"], twin_targets["seq2seq"])
    assert targets["encoder_decoder"].shape == (512, 30, 1)  # Ty > Tx: 30 values out of 12 in
    np.testing.assert_array_equal(targets["encoder_decoder"][:, :, 0], twin_targets["vector"])


def test_config_ranges_name_the_field():
    for field, (low, high) in (("input_steps", INPUT_STEPS), ("output_steps", OUTPUT_STEPS)):
        for value in (low - 1, high + 1):
            with pytest.raises(ConfigError) as error:
                EncoderDecoderConfig(**{field: value})
            assert error.value.field == field and f"{low} to {high}" in str(error.value)
        EncoderDecoderConfig(**{field: low})
        EncoderDecoderConfig(**{field: high})
    with pytest.raises(ConfigError) as error:
        EncoderDecoderConfig(period_range=(20, 10))
    assert error.value.field == "period_range"
    assert EncoderDecoderConfig(input_steps=20, output_steps=15).key() != \
        EncoderDecoderConfig(input_steps=15, output_steps=20).key()


def test_the_model_is_an_encoder_a_repeated_state_and_a_decoder_of_ty_steps():
    config = small(input_steps=10, output_steps=25, units=6)
    model = plain_model(encoder_decoder.EXPERIMENT, config)
    assert model.input.shape[1:] == (10, 1)
    assert tuple(model.get_layer("encoder").output.shape) == (None, 6)  # its final state only
    assert type(model.get_layer("repeat")).__name__ == "RepeatVector"
    assert tuple(model.get_layer("decoder").output.shape) == (None, 25, 6)
    assert type(model.get_layer("encoder_decoder")).__name__ == "TimeDistributed"
    assert tuple(model.get_layer("per_step").output.shape) == (None, 10, 25)
    for name in MODELS:
        rows = encoder_decoder.layer_rows(config, name)
        assert [(row["output_shape"], row["parameters"]) for row in rows] == \
               [(tuple(model.get_layer(row["layer"]).output.shape), model.get_layer(row["layer"]).count_params())
                for row in rows]
    # The encoder-decoder's parameters do not depend on Tx or Ty; the per-step Dense grows with Ty.
    total = {name: sum(row["parameters"] for row in encoder_decoder.layer_rows(config, name)) for name in MODELS}
    longer = small(input_steps=40, output_steps=3, units=6)
    assert sum(row["parameters"] for row in encoder_decoder.layer_rows(longer, "encoder_decoder")) == \
        total["encoder_decoder"]
    assert sum(row["parameters"] for row in encoder_decoder.layer_rows(longer, "per_step")) < total["per_step"]


@pytest.mark.parametrize("seed", SEEDS)
def test_both_models_train_and_beat_repeating_the_last_value(runs, seed):
    model = runs[seed]
    config = model.config
    assert {name: errors.shape for name, errors in model.step_errors.items()} == \
        {name: (config.output_steps,) for name in MODELS}
    assert model.errors == pytest.approx(model.fit.metrics)
    trivial = persistence_error(config)
    for name in MODELS:
        assert model.errors[name] < trivial, (name, model.errors, trivial)
    inputs, truth, forecasts = model.wave(15, 0.05)
    assert inputs.shape == (config.input_steps,) and truth.shape == (config.output_steps,)
    assert {name: f.shape for name, f in forecasts.items()} == {name: (config.output_steps,) for name in MODELS}
    outputs = model.fit.predict(inputs[None, :, None])
    np.testing.assert_allclose(forecasts["per_step"], outputs["per_step"][0, -1])  # its last step's Ty values
    np.testing.assert_allclose(forecasts["encoder_decoder"], outputs["encoder_decoder"][0, :, 0])


@pytest.mark.parametrize("seed", SEEDS)
def test_the_comparison_sentence_is_the_scores(runs, seed):
    step_errors = runs[seed].step_errors
    errors = runs[seed].errors
    facts = encoder_decoder.comparison_facts(step_errors)
    assert facts["better"] == min(MODELS, key=errors.get)
    sentence = encoder_decoder.comparison_summary(step_errors)
    shown = [float(x) for x in re.findall(r"\d+\.\d+", sentence)]
    better, worse = facts["better"], facts["worse"]
    assert shown == [round(errors[better], 3), round(errors[worse], 3), round(errors[worse] / errors[better], 1),
                     round(float(step_errors["encoder_decoder"][-1]), 3), round(float(step_errors["per_step"][-1]), 3)]
    assert f"the {encoder_decoder.NAMES[better]} is off by" in sentence
