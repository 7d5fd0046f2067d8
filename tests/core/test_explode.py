"""experiments/explode: plain SGD with too large a learning rate overflows, and clipping keeps it finite."""

import numpy as np
import pytest

from helpers import train
from lstm_core import experiments
from lstm_core.engine.config import ConfigError
from lstm_core.engine.store import KEY_PATTERN
from lstm_core.experiments import ExplodeConfig, explode


@pytest.mark.usefixtures("no_jit")
def test_sgd_with_a_large_learning_rate_diverges_and_clipping_keeps_it_finite():
    settings = dict(units=8, train_size=512, epochs=2, learning_rate=5.0, seed=0)
    wild = train(ExplodeConfig(**settings))
    assert wild.diverged and "NaN" in wild.divergence_message()
    assert wild.steps[-1] == wild.diverged_step < 32  # stopped where it happened
    assert experiments.view(wild) is wild  # the lesson shows the record itself
    clipped = train(ExplodeConfig(clipnorm=1.0, **settings))
    assert not clipped.diverged and clipped.divergence_message() == ""
    assert clipped.steps.tolist() == list(range(1, 33)) and np.all(np.isfinite(clipped.losses["loss"]))
    # The norm is measured before clipping: it exceeds the clip value, yet every step stayed finite.
    assert clipped.gradient_norm.max() > 1.0
    assert clipped.metrics == {"final_loss": clipped.final_loss(),
                               "largest_gradient_norm": pytest.approx(clipped.gradient_norm.max())}


def test_the_recipe_is_plain_sgd_on_the_squared_error_with_the_configurations_clipping():
    recipe = explode.recipe(ExplodeConfig(learning_rate=0.5, clipnorm=2.0))
    assert (recipe.optimizer, recipe.loss, recipe.learning_rate, recipe.clipnorm) == ("sgd", "mse", 0.5, 2.0)
    assert recipe.steps_per_execution == 1  # a point at every step: the step where it overflows is named


def test_explode_config_validates_and_keys_without_dots():
    with pytest.raises(ConfigError) as error:
        ExplodeConfig(cell="LSTMX")
    assert error.value.field == "cell"
    with pytest.raises(ConfigError) as error:
        ExplodeConfig(learning_rate=101.0)  # up to 100: large rates are the lesson
    assert error.value.field == "learning_rate"
    with pytest.raises(ConfigError) as error:
        ExplodeConfig(clipnorm=-1.0)
    assert error.value.field == "clipnorm"
    for config in (ExplodeConfig(learning_rate=0.25, clipnorm=1.5), ExplodeConfig(learning_rate=2.5e-05, cell="GRU")):
        assert KEY_PATTERN.fullmatch(config.key()), config.key()
    assert ExplodeConfig(clipnorm=1.0).key() != ExplodeConfig(clipnorm=0.0).key()


def test_the_largest_gradient_norm_ignores_a_nan_and_an_all_nan_record_scores_nan():
    class Record:
        gradient_norm = np.array([1.0, 7.0, np.nan])

        @staticmethod
        def final_loss():
            return float("nan")

    assert explode.score(Record())["largest_gradient_norm"] == 7.0
    Record.gradient_norm = np.array([np.nan])
    assert np.isnan(explode.score(Record())["largest_gradient_norm"])
