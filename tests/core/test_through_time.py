"""experiments/through_time: the gradient through time of a SimpleRNN grows or shrinks exponentially with the
recurrent scale (autodiff, checked against the product of Jacobians), and clipnorm bounds each update."""

import math

import numpy as np
import pytest

from helpers import train
from lstm_core import experiments, stepper
from lstm_core.engine.config import ConfigError
from lstm_core.engine.fit import plain_model
from lstm_core.engine.store import KEY_PATTERN
from lstm_core.experiments import ThroughTimeConfig, through_time

SEEDS = (0, 1, 2)


@pytest.mark.parametrize("seed", SEEDS)
def test_the_gradient_through_time_grows_above_scale_one_and_vanishes_below(seed):
    profiles = {scale: through_time.initial_profile(ThroughTimeConfig(scale=scale, seed=seed))
                for scale in (0.5, 0.8, 1.5, 2.0)}
    for scale, profile in profiles.items():
        assert profile.norms.shape == (through_time.PROFILE_EXAMPLES, 30)
        np.testing.assert_allclose(profile.median[-1], 1.0)  # ∂h_T/∂h_T is the identity
        assert profile.grows == (scale > 1), (scale, profile.first)
        assert (profile.per_step > 1) == (scale > 1)
        # Never above scale^(T−k): tanh's slope is at most 1.
        assert np.all(profile.norms <= profile.bound * (1 + 1e-9))
    assert profiles[0.5].first < 1e-6 and profiles[2.0].first > 10
    firsts = [profiles[scale].first for scale in sorted(profiles)]
    assert firsts == sorted(firsts)  # a larger scale, a larger gradient at the farthest step


def test_autodiff_matches_the_product_of_jacobians_on_keras_own_states():
    config = ThroughTimeConfig(scale=1.7, length=25, units=6, seed=4)
    model = plain_model(through_time.EXPERIMENT, config)
    layer = model.get_layer(through_time.LAYER)
    inputs, _ = through_time.holdout(config, 3)
    kernel, recurrent_kernel, bias = layer.get_weights()
    found = through_time.hidden_jacobian_norms(layer, inputs)
    assert found.shape == (3, 25)
    for example, norms in zip(inputs, found):
        states = stepper.simple_rnn_states(kernel, recurrent_kernel, bias, example)
        np.testing.assert_allclose(norms, stepper.simple_rnn_jacobian_norms(recurrent_kernel, states), rtol=1e-8)
    # The states the product is taken at are Keras' own (float32 against float64 over 25 steps).
    from lstm_core.gru_gates import keras_hidden_states

    np.testing.assert_allclose(keras_hidden_states(layer, inputs)[0],
                               stepper.simple_rnn_states(kernel, recurrent_kernel, bias, inputs[0]), atol=1e-4)


def test_the_recurrent_weights_start_as_scale_times_an_orthogonal_matrix():
    for scale in (0.5, 1.3, 2.0):
        config = ThroughTimeConfig(scale=scale, units=8)
        recurrent_kernel = plain_model(through_time.EXPERIMENT, config).get_layer(through_time.LAYER).get_weights()[1]
        np.testing.assert_allclose(np.linalg.svd(recurrent_kernel, compute_uv=False), scale, rtol=1e-5)
    same = [plain_model(through_time.EXPERIMENT, ThroughTimeConfig(scale=scale)).get_weights()[1]
            for scale in (1.0, 2.0)]
    np.testing.assert_allclose(same[1], 2 * same[0], rtol=1e-5)  # the same seeded Q, scaled


def test_the_task_asks_for_the_value_marked_at_the_first_step():
    config = ThroughTimeConfig(length=12)
    inputs, targets = through_time.holdout(config, 20)
    assert inputs.shape == (20, 12, 2) and config.lag == 11
    assert np.all(inputs[:, 0, 1] == 1) and np.all(inputs[:, 1:, 1] == 0)
    np.testing.assert_array_equal(targets[:, 0], inputs[:, 0, 0])


@pytest.mark.usefixtures("no_jit")
def test_clipnorm_bounds_every_update_and_the_norm_is_measured_before_clipping():
    one_step = dict(scale=2.0, length=20, units=8, train_size=64, batch_size=64, epochs=1, learning_rate=0.1, seed=1)
    start = plain_model(through_time.EXPERIMENT, ThroughTimeConfig(**one_step)).get_weights()
    moves = {}
    for clipnorm in (0.0, 0.5):
        trained = train(ThroughTimeConfig(clipnorm=clipnorm, **one_step))
        assert trained.steps.tolist() == [1]
        moves[clipnorm] = [float(np.linalg.norm(after - before))
                           for after, before in zip(trained.model.get_weights(), start)]
        assert trained.gradient_norm[0] > 0.5  # the gradient itself was larger than the clip value
    bound = 0.1 * 0.5  # learning rate × clipnorm, for each weight array
    assert max(moves[0.5]) <= bound * (1 + 1e-4)
    assert max(moves[0.0]) > bound  # without clipping, at least one array moved farther


@pytest.mark.usefixtures("no_jit")
@pytest.mark.parametrize("seed", SEEDS)
def test_at_scale_two_the_loss_blows_up_without_clipping_and_stays_bounded_with_it(seed):
    settings = dict(scale=2.0, length=20, train_size=512, epochs=2, learning_rate=0.1, seed=seed)
    wild, clipped = (through_time.run(train(ThroughTimeConfig(clipnorm=clipnorm, **settings)))
                     for clipnorm in (0.0, 1.0))
    assert wild.diverged or wild.peak_loss > 1_000 * wild.first_loss
    assert not clipped.diverged and clipped.peak_loss < 2 * clipped.first_loss
    assert clipped.largest_norm > 1.0 and clipped.largest_update == pytest.approx(0.1)
    assert math.isinf(wild.largest_update)


def test_a_run_summary_reads_the_record_and_a_diverged_run_has_no_error():
    class Record:
        config = ThroughTimeConfig(clipnorm=1.0)
        steps = np.array([1, 2, 3])
        losses = {"loss": np.array([0.5, 4.0, np.inf])}
        gradient_norm = np.array([2.0, 30.0, np.nan])
        diverged_step = 3
        metrics = {"error": math.nan}

        @staticmethod
        def final_loss():
            return math.inf

    summary = through_time.run(Record())
    assert (summary.steps, summary.diverged_step, summary.first_loss, summary.peak_loss) == (3, 3, 0.5, 4.0)
    assert summary.largest_norm == 30.0 and summary.diverged and not summary.beats_guessing
    assert summary.largest_update == pytest.approx(0.1)


def test_config_validates_scale_length_and_clipnorm_naming_each_and_keys_without_dots():
    for field, value, allowed in (("scale", 2.5, "[0.5, 2]"), ("scale", 0.1, "[0.5, 2]"),
                                  ("length", 101, "10 to 100"), ("clipnorm", -1.0, "[0, 100]")):
        with pytest.raises(ConfigError) as error:
            ThroughTimeConfig(**{field: value})
        assert error.value.field == field and allowed in str(error.value), str(error.value)
    for config in (ThroughTimeConfig(), ThroughTimeConfig(scale=0.75, clipnorm=1.5, learning_rate=0.05).clipped()):
        assert KEY_PATTERN.fullmatch(config.key()), config.key()
        assert experiments.config_from_dict({"experiment": "throughtime", **config.to_dict()}) == config
    assert ThroughTimeConfig().clipped().key() != ThroughTimeConfig().key()
    assert ThroughTimeConfig().clipped().clipnorm == through_time.CLIPNORM


def test_prewarm_trains_the_default_run_and_its_clipped_twin_and_every_presets_pair():
    from lstm_core import presets
    from lstm_core.tools import prewarm

    keys = [config.key() for config in prewarm.default_configs()]
    for config in (ThroughTimeConfig(), ThroughTimeConfig().clipped()):
        assert keys.count(config.key()) == 1
    for preset in presets.CELLS:
        if preset.configs[0].experiment == "throughtime":
            assert all(config.key() in keys for config in preset.configs)
