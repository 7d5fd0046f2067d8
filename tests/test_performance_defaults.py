"""The tuned training recipe stays tuned, and a warm start gives exactly the model a cold start gives.

The speed itself is measured in `benchmarks/` (timings never belong in
tests); these tests guard the settings the benchmarks chose, and the
correctness of reusing one compiled model per architecture: a warm training
equals a cold one, the model handed back is never the pooled one, and two
trainings of one architecture at once never share a pooled model.
"""

import threading

import numpy as np
import pytest

from conftest import tiny_rectangles, tiny_sine
from lstm_core import backend, training
from lstm_core.config import RectangleConfig, SineConfig
from lstm_core.ladder import SIZE_CHOICES


def test_the_default_recipes_are_the_tuned_ones(monkeypatch):
    sine, rectangles = SineConfig(), RectangleConfig()
    assert (sine.batch_size, sine.learning_rate, sine.epochs) == (20, 3e-3, 2)
    assert (rectangles.batch_size, rectangles.learning_rate, rectangles.epochs) == (30, 1e-2, 1)
    assert training.JIT_COMPILE is True
    assert training.STEPS_PER_EXECUTION == {"sine": 100, "rectangles": 250}
    monkeypatch.delenv("LSTM_EXPLORER_THREADS", raising=False)
    assert backend.threads() == 1
    # Only the recipe is tuned: the book's models and data sizes stay the book's.
    assert (sine.units, sine.depth, sine.train_size, sine.length, sine.output) == (20, 2, 10_000, 50, 5)
    assert (rectangles.units, rectangles.train_size) == (10, 25_000)


def test_default_batches_leave_no_odd_last_batch_at_any_offered_size():
    """An odd last batch has another shape, which XLA compiles a second time."""
    for size in (SineConfig().train_size, *SIZE_CHOICES):
        assert size % SineConfig().batch_size == 0, size
    for size in (RectangleConfig().train_size, *SIZE_CHOICES):
        assert 3 * size % RectangleConfig().batch_size == 0, size  # three points per rectangle


def test_the_architecture_ignores_data_seed_epochs_and_learning_rate_only():
    base = tiny_sine()
    for same in (base.replace(seed=5), base.replace(train_size=300), base.replace(epochs=3),
                 base.replace(learning_rate=0.01), base.replace(period_range=(12, 15)),
                 base.replace(decay_range=(0.02, 0.05))):
        assert training.architecture(same) == training.architecture(base)
    for other in (base.replace(units=5), base.replace(depth=1), base.replace(batch_size=16),
                  base.replace(length=30), base.replace(output=3), tiny_rectangles(units=base.units)):
        assert training.architecture(other) != training.architecture(base)


def assert_same_model(a, b):
    for x, y in zip(a.model.get_weights(), b.model.get_weights()):
        np.testing.assert_allclose(x, y, rtol=1e-5, atol=1e-6)
    assert a.history == pytest.approx(b.history, rel=1e-5)
    assert a.metrics == pytest.approx(b.metrics, abs=1e-6)


def test_a_warm_training_gives_the_cold_model_and_skips_the_compile(monkeypatch):
    compiled = []
    real_compile = training.compile_model

    def counting_compile(model, config, **options):
        if options.get("jit_compile") is None:  # the compile of a pooled (training) model
            compiled.append(config)
        real_compile(model, config, **options)

    monkeypatch.setattr(training, "compile_model", counting_compile)
    first = tiny_sine(train_size=200, epochs=2)
    second = first.replace(seed=9, learning_rate=0.01)  # same architecture, other weights and rate

    training.clear_pool()
    first_cold = training.train(first)
    second_warm = training.train(second)
    training.clear_pool()
    second_cold = training.train(second)
    first_warm = training.train(first)

    assert len(compiled) == 2  # one per cleared pool: each warm training reused the compiled model
    assert_same_model(first_warm, first_cold)
    assert_same_model(second_warm, second_cold)
    assert abs(first_warm.metrics["mae"] - second_warm.metrics["mae"]) > 1e-6


def test_the_trained_model_is_never_the_pooled_one():
    config = tiny_rectangles()
    training.clear_pool()
    first = training.train(config)
    weights = [w.copy() for w in first.model.get_weights()]
    drawn = first.predict_points([[0.3, 0.0]])
    second = training.train(config.replace(seed=4))  # trains the pooled model again
    pooled = [model for models in training._pool.values() for model in models]
    assert pooled and all(model is not first.model and model is not second.model for model in pooled)
    for before, after in zip(weights, first.model.get_weights()):
        np.testing.assert_array_equal(before, after)
    np.testing.assert_array_equal(drawn, first.predict_points([[0.3, 0.0]]))


def test_trainings_of_one_architecture_at_once_never_share_a_pooled_model(monkeypatch):
    lock, in_use, clashes = threading.Lock(), set(), []
    real_borrow, real_give_back = training._borrow, training._give_back

    def borrow(config):
        model, warm = real_borrow(config)
        with lock:
            if id(model) in in_use:
                clashes.append(config.seed)
            in_use.add(id(model))
        return model, warm

    def give_back(config, model):
        with lock:
            in_use.discard(id(model))
        real_give_back(config, model)

    monkeypatch.setattr(training, "_borrow", borrow)
    monkeypatch.setattr(training, "_give_back", give_back)
    configs = [tiny_rectangles(seed=seed, train_size=300) for seed in (21, 22, 23)]
    results, errors = {}, []
    start = threading.Barrier(len(configs))

    def run(config):
        try:
            start.wait()
            results[config.seed] = training.train(config)
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    training.clear_pool()
    workers = [threading.Thread(target=run, args=(config,)) for config in configs]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=300)
    assert not errors and not clashes and len(results) == len(configs)
    for config in configs:  # the same models as one at a time, warm
        assert_same_model(results[config.seed], training.train(config))
