"""engine/fit (and engine/experiment): one `fit` and one `Trained` for every experiment.

Every registered experiment trains through the same `fit` into the same
`Trained` record (per-output loss curves where a model has several outputs);
a compiled model reused from the pool gives exactly the model a new one gives;
"train more" gives exactly the model trained from scratch; a loss that stops
being finite is refused, unless the experiment shows it (explode).
"""

import dataclasses
import json
import math
import threading

import numpy as np
import pytest

from conftest import tiny_rectangles, tiny_sine
from helpers import assert_same_model, tiny_trainer, train
from lstm_core import experiments
from lstm_core.engine import fit as engine
from lstm_core.engine import seeds
from lstm_core.engine.backend import keras
from lstm_core.engine.config import ConfigError, Keyed
from lstm_core.engine.experiment import DATA_FIELDS, Experiment, Recipe
from lstm_core.engine.fit import Trained, TrainingDiverged, arrays, continuation_state, fit, plain
from lstm_core.experiments import CellsConfig, ExplodeConfig, sine
from lstm_core.tools.prewarm import tiny_configs

jitless = pytest.mark.usefixtures("no_jit")

# Each experiment's named outputs (a model with one unnamed output has only the total "loss").
OUTPUTS = {"sine": set(), "rectangles": set(), "window": {"mlp", "lstm"}, "cells": {"SimpleRNN", "GRU", "LSTM"},
           "explode": {"SimpleRNN"}, "forecast": {"recursive", "vector", "seq2seq"},
           "bidirectional": {"unidirectional", "bidirectional"}, "encoderdecoder": {"encoder_decoder", "per_step"},
           "throughtime": set()}


@pytest.fixture(scope="module")
def every():
    """Each registered experiment's tiny configuration, trained once (through `Trainer.get`, which calls `fit`)."""
    return tiny_trainer()[1]


def test_the_defaults_compile_with_xla():
    assert engine.JIT_COMPILE is True and Recipe().jit_compile is True


def test_every_registered_experiment_is_covered_here():
    assert set(OUTPUTS) == set(experiments.EXPERIMENTS)
    assert {config.experiment for config in tiny_configs()} == set(experiments.EXPERIMENTS)


@pytest.mark.parametrize("name", sorted(OUTPUTS))
def test_every_experiment_trains_through_one_fit_into_one_trained(every, name):
    trained, experiment = every[name], experiments.EXPERIMENTS[name]
    config, recipe = trained.config, experiment.recipe(trained.config)
    assert type(trained) is Trained and trained.source == "trained" and trained.config.experiment == name
    # One loss curve per named output, and their total.
    assert set(trained.losses) == OUTPUTS[name] | {"loss"}
    for values in trained.losses.values():
        assert len(values) == len(trained.steps) >= 1 and np.all(np.isfinite(values))
    if OUTPUTS[name]:
        np.testing.assert_allclose(sum(trained.losses[output] for output in OUTPUTS[name]), trained.losses["loss"],
                                   rtol=1e-5)
    # Steps counted in whole batches, the curve in examples seen, one history value per epoch.
    steps_per_epoch = len(experiment.data(config)[0]) // recipe.batch_size
    assert trained.steps[-1] == config.epochs * steps_per_epoch and np.all(np.diff(trained.steps) > 0)
    assert trained.batch_size == recipe.batch_size
    np.testing.assert_array_equal(trained.examples, trained.steps * recipe.batch_size)
    assert [x for x, _ in trained.curve] == trained.examples.tolist()
    assert len(trained.gradient_norm) == len(trained.steps) and np.all(trained.gradient_norm > 0)
    assert len(trained.history) == config.epochs and all(math.isfinite(v) for v in trained.history)
    # Scores: the headline error is the experiment's metric; results exactly when it analyses.
    assert trained.error_metric == experiment.error_metric and trained.error == trained.metrics[trained.error_metric]
    assert math.isfinite(trained.error) and all(isinstance(v, float) for v in trained.metrics.values())
    assert bool(trained.results) == (experiment.analyse is not None)
    assert not trained.diverged and trained.divergence_message() == "" and trained.seconds > 0
    # The model handed back is a plain Keras model (a standard file), with its optimizer for "train more".
    assert not isinstance(trained.model, engine._recording_model_class()) and trained.model.optimizer.built
    # predict is the model: all outputs, or one by name.
    inputs = experiment.data(config)[0][:3]
    predicted, direct = trained.predict(inputs), trained.model(inputs, training=False)
    if OUTPUTS[name]:
        assert set(predicted) == OUTPUTS[name]
        for output in OUTPUTS[name]:
            np.testing.assert_allclose(predicted[output], np.asarray(direct[output]), atol=1e-6)
            np.testing.assert_allclose(trained.predict(inputs, output), predicted[output], atol=1e-6)
    else:
        np.testing.assert_allclose(predicted, np.asarray(direct), atol=1e-6)


@jitless
def test_fit_reports_every_epoch_and_its_progress_then_scores_on_held_out_waves():
    epochs, progress, sink = [], [], []
    config = tiny_sine(epochs=2, train_size=200)
    trained = train(config, on_epoch=lambda e, n, loss: epochs.append((e, n, loss)),
                    on_progress=lambda fraction, loss: progress.append(fraction), curve_sink=sink)
    assert [(e, n) for e, n, _ in epochs] == [(1, 2), (2, 2)]
    assert [loss for *_, loss in epochs] == trained.history
    assert progress[-1] == pytest.approx(1.0) and progress == sorted(progress)
    assert sink == trained.curve  # what another thread draws while it trains is the final curve
    assert trained.curve[-1][0] == 2 * 200  # every example of both epochs (200 is a whole number of batches)
    assert 0 < trained.metrics["mae"] < 0.5
    assert trained.predict(np.zeros((3, 50, 1))).shape == (3, 5)


@jitless
def test_a_last_partial_batch_is_dropped_and_a_set_smaller_than_a_batch_refused():
    trained = train(tiny_sine(train_size=110, epochs=1))  # batches of 20: 5 whole ones
    assert trained.steps[-1] == 5 and trained.curve[-1][0] == 100
    with pytest.raises(ConfigError) as caught:
        train(tiny_sine(train_size=100, batch_size=128))
    assert caught.value.field == "train_size" and "128" in str(caught.value)


# -- one pool of compiled models --------------------------------------------------------------------
@jitless
@pytest.mark.parametrize("first", [tiny_sine(), ExplodeConfig(units=4, length=20, train_size=64, epochs=2)],
                         ids=["sine-adam", "explode-sgd"])
def test_a_warm_training_gives_exactly_the_cold_model_and_skips_the_compile(first):
    second = first.replace(seed=9, learning_rate=0.02)  # the same architecture, other weights and rate
    engine.clear_pool()
    first_cold, second_warm = train(first), train(second)
    engine.clear_pool()
    second_cold, first_warm = train(second), train(first)
    assert first_cold.compiled and second_cold.compiled
    assert not first_warm.compiled and not second_warm.compiled
    assert_same_model(first_warm, first_cold)  # the same configuration always gives the same model
    assert_same_model(second_warm, second_cold)
    assert first_warm.metrics != second_warm.metrics  # and another seed another model


@dataclasses.dataclass(frozen=True)
class DenseConfig(Keyed):
    """A one-layer Dense model: the engine on its own, without any experiment of the app."""

    seed: int = 1
    reverse: bool = False
    epochs: int = 2
    batch: int = 8  # the one architecture field: the shape of a step

    experiment = "dense-test"

    def slug(self) -> str:
        return f"s{self.seed}"


def _dense_build(config):
    k = keras()
    inputs = k.Input((3,), name="x")
    return inputs, {"out": k.layers.Dense(1, name="out", **seeds.dense(config.seed))(inputs)}


def _dense_data(config):
    rng = np.random.default_rng(0)
    x, y = rng.random((64, 3)).astype(np.float32), rng.random((64, 1)).astype(np.float32)
    return (x[::-1].copy(), {"out": y[::-1].copy()}) if config.reverse else (x, {"out": y})


DENSE = Experiment(
    name="dense-test", config=DenseConfig, build=_dense_build, data=_dense_data,
    recipe=lambda config: Recipe(loss="mse", learning_rate=0.05, batch_size=config.batch, epochs=config.epochs,
                                 steps_per_execution=2),
    score=lambda trained: {"loss": trained.final_loss()}, describe=str, error_metric="loss",
    data_fields=DATA_FIELDS | {"reverse"})


@jitless
def test_adam_moments_and_step_count_are_reset_when_a_compiled_model_is_reused():
    engine.clear_pool()
    first = fit(DENSE, DenseConfig(seed=1))
    fit(DENSE, DenseConfig(seed=2, reverse=True))  # moves the pooled model's weights and Adam state
    again = fit(DENSE, DenseConfig(seed=1))
    assert first.compiled and not again.compiled
    assert_same_model(first, again)
    x = _dense_data(DenseConfig())[0]
    np.testing.assert_array_equal(first.predict(x, "out"), again.predict(x, "out"))
    assert first.steps.tolist() == [2, 4, 6, 8, 10, 12, 14, 16]  # 8 batches an epoch, a report every 2 steps
    assert first.metrics == {"loss": first.final_loss("out")}


@jitless
def test_the_trained_model_is_never_the_pooled_one():
    engine.clear_pool()
    first = fit(DENSE, DenseConfig(seed=1))
    weights = [w.copy() for w in first.model.get_weights()]
    probe = _dense_data(DenseConfig())[0]
    predicted = first.predict(probe)
    second = fit(DENSE, DenseConfig(seed=4, reverse=True))  # trains the pooled model again
    pooled = engine._pool.all()
    assert pooled and all(model is not first.model and model is not second.model for model in pooled)
    for before, after in zip(weights, first.model.get_weights()):
        np.testing.assert_array_equal(before, after)
    np.testing.assert_array_equal(predicted["out"], first.predict(probe)["out"])


@jitless
def test_the_pool_keeps_at_most_pool_size_idle_models(monkeypatch):
    monkeypatch.setattr(engine._pool, "limit", 1)
    engine.clear_pool()
    fit(DENSE, DenseConfig(batch=8))
    assert fit(DENSE, DenseConfig(batch=16)).compiled  # another architecture: its own compiled model
    assert len(engine._pool.all()) == 1  # which pushed the first one out
    assert fit(DENSE, DenseConfig(batch=8)).compiled


@jitless
def test_trainings_of_one_architecture_at_once_never_share_a_pooled_model(monkeypatch):
    lock, in_use, clashes = threading.Lock(), set(), []
    real_borrow, real_give_back = engine._borrow, engine._give_back

    def borrow(experiment, config, recipe):
        model, compiled = real_borrow(experiment, config, recipe)
        with lock:
            if id(model) in in_use:
                clashes.append(config.seed)
            in_use.add(id(model))
        return model, compiled

    def give_back(experiment, config, recipe, model):
        with lock:
            in_use.discard(id(model))
        real_give_back(experiment, config, recipe, model)

    monkeypatch.setattr(engine, "_borrow", borrow)
    monkeypatch.setattr(engine, "_give_back", give_back)
    configs = [tiny_rectangles(seed=seed, train_size=200) for seed in (21, 22)]
    results, errors = {}, []
    start = threading.Barrier(len(configs))

    def run(config):
        try:
            start.wait()
            results[config.seed] = train(config)
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    engine.clear_pool()
    workers = [threading.Thread(target=run, args=(config,)) for config in configs]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=300)
    assert not errors and not clashes and len(results) == len(configs)
    for config in configs:  # the same models as one at a time, warm
        assert_same_model(results[config.seed], train(config))


def _architecture(config):
    experiment = experiments.of(config)
    return experiment.architecture(config, experiment.recipe(config))


def test_the_architecture_ignores_the_data_seed_epochs_and_learning_rate_only():
    base = tiny_sine()
    for same in (base.replace(seed=5), base.replace(train_size=300), base.replace(epochs=3),
                 base.replace(learning_rate=0.01), base.replace(period_range=(12, 15)),
                 base.replace(decay_range=(0.02, 0.05))):
        assert _architecture(same) == _architecture(base)
    for other in (base.replace(units=5), base.replace(depth=1), base.replace(batch_size=16),
                  base.replace(length=30), base.replace(output=3), tiny_rectangles(units=base.units)):
        assert _architecture(other) != _architecture(base)
    cells = CellsConfig(length=20, lag=5)
    assert _architecture(cells.replace(lag=9)) == _architecture(cells)  # the lag is data: same shapes
    assert _architecture(cells.replace(task="sine")) != _architecture(cells)
    explode = ExplodeConfig()
    assert _architecture(explode.replace(learning_rate=0.5)) == _architecture(explode)
    assert _architecture(explode.replace(clipnorm=1.0)) != _architecture(explode)  # clipping is in the step


def test_a_recipe_refuses_unknown_losses_and_optimizers():
    with pytest.raises(ValueError, match="hinge"):
        Recipe(loss="hinge")
    with pytest.raises(ValueError, match="rmsprop"):
        Recipe(optimizer="rmsprop")


# -- train more ---------------------------------------------------------------------------------------
@jitless
@pytest.mark.parametrize("config", [tiny_sine(train_size=200),
                                    ExplodeConfig(units=4, length=20, train_size=64, epochs=1, learning_rate=0.1)],
                         ids=["sine-adam", "explode-sgd"])
def test_training_more_gives_bit_for_bit_the_model_trained_from_scratch(config):
    one = train(config)
    before = [w.copy() for w in one.model.get_weights()]
    continued = train(config.replace(epochs=2), start=one)
    fresh = train(config.replace(epochs=2))
    assert_same_model(continued, fresh)
    assert continued.curve == fresh.curve and continued.history[0] == one.history[0]
    for x, y in zip(before, one.model.get_weights()):  # the start model is not changed
        np.testing.assert_array_equal(x, y)


@jitless
def test_only_the_same_configuration_with_more_epochs_continues():
    one = train(tiny_rectangles(epochs=1))
    assert continuation_state(one, tiny_rectangles(epochs=2)) is not None
    for other in (tiny_rectangles(epochs=2, seed=4), tiny_rectangles(epochs=2, units=5), tiny_rectangles(epochs=1)):
        with pytest.raises(ValueError, match="more epochs"):
            continuation_state(one, other)


# -- divergence -----------------------------------------------------------------------------------------
def _with_nan(data):
    def poisoned(config):
        inputs, targets = data(config)
        inputs = inputs.copy()
        inputs[0] = np.nan
        return inputs, targets

    return poisoned


@jitless
def test_a_loss_that_stops_being_finite_is_refused_unless_the_experiment_shows_it():
    poisoned = dataclasses.replace(sine.EXPERIMENT, data=_with_nan(sine.EXPERIMENT.data))
    with pytest.raises(TrainingDiverged, match="diverged"):
        fit(poisoned, tiny_sine())
    shown = fit(dataclasses.replace(poisoned, allow_divergence=True), tiny_sine())
    assert shown.diverged and shown.diverged_step == shown.steps[-1]
    assert "NaN" in shown.divergence_message()


@jitless
def test_explode_with_a_huge_learning_rate_is_returned_diverged_where_it_stopped():
    config = ExplodeConfig(units=4, train_size=256, epochs=2, learning_rate=50.0)
    trained = train(config)
    steps_per_epoch = 256 // 32
    assert trained.diverged and trained.diverged_step == trained.steps[-1] < 2 * steps_per_epoch  # stopped there
    assert not math.isfinite(trained.final_loss())
    assert len(trained.history) == math.ceil(trained.diverged_step / steps_per_epoch)  # the epochs it began
    message = trained.divergence_message()
    assert f"step {trained.diverged_step}" in message and "training stopped there" in message


def _record(final_loss):
    return Trained(config=None, model=None, steps=np.array([8, 16]), batch_size=4,
                   losses={"loss": np.array([1.0, final_loss])}, gradient_norm=np.array([1.0, 2.0]), history=[1.0],
                   metrics={}, error_metric="mae", diverged_step=16)


def test_the_divergence_message_says_nan_or_overflow_and_where():
    assert "became NaN (not a number) at step 16" in _record(math.nan).divergence_message()
    assert "overflowed to infinity at step 16" in _record(math.inf).divergence_message()
    finite = dataclasses.replace(_record(0.5), diverged_step=None)
    assert finite.divergence_message() == "" and not finite.diverged and finite.final_loss() == 0.5
    assert math.isnan(finite.error)  # no such metric
    assert finite.curve == [[32, 1.0], [64, 0.5]]


def test_results_survive_json_as_arrays():
    results = {"errors": np.array([0.5, np.nan]), "nested": {"a": [np.float32(1.5), np.int64(2)]},
               "count": np.int64(3)}
    text = json.dumps(plain(results))
    back = arrays(json.loads(text))
    np.testing.assert_array_equal(back["errors"], results["errors"])
    np.testing.assert_array_equal(back["nested"]["a"], [1.5, 2.0])
    assert back["count"] == 3 and isinstance(back["nested"]["a"], np.ndarray)
