"""engine/predict: compiled prediction functions per model shape, shared by every model of that shape."""

import dataclasses
import threading

import numpy as np
import pytest

from conftest import tiny_sine
from helpers import train
from lstm_core import data, experiments
from lstm_core.engine import predict, snapshots
from lstm_core.engine.replay import Replay
from lstm_core.experiments import sine


@pytest.fixture(scope="module")
def two_seeds():
    """Two models of one shape (other seeds and training sizes), and one of another shape."""
    return (train(tiny_sine(seed=1, train_size=100)), train(tiny_sine(seed=2, train_size=200)),
            train(tiny_sine(seed=1, units=5)))


def own(trained, inputs):
    """The model's own answer, through Keras directly."""
    return trained.model(inputs.reshape(1, -1, 1).astype(np.float32), training=False).numpy()[0]


def test_models_of_one_shape_share_one_traced_function_and_each_gets_its_own_answer(two_seeds):
    first, second, wider = two_seeds
    predict.clear()
    inputs, _ = data.sine_example(14, 0.04)
    for trained in (first, second, first, wider, second):  # alternating: each must get its own weights
        np.testing.assert_allclose(sine.prediction(trained, inputs), own(trained, inputs), rtol=1e-5, atol=1e-6)
    assert not np.allclose(sine.prediction(first, inputs), sine.prediction(second, inputs))
    experiment = experiments.of(first.config)
    assert predict.traced(experiment, first.config) == 1  # both seeds, one trace
    assert predict.traced(experiment, wider.config) == 1  # another shape, its own
    assert predict.idle(experiment, first.config) == []  # a prediction borrows no predictor


def test_threads_predict_at_once_with_one_function_each_their_own_model(two_seeds):
    first, second, _ = two_seeds
    inputs = data.sine_example(14, 0.04)[0]
    expected = {id(first): own(first, inputs), id(second): own(second, inputs)}
    wrong = []

    def predicting(trained):
        for _ in range(20):
            if not np.allclose(sine.prediction(trained, inputs), expected[id(trained)], rtol=1e-5, atol=1e-6):
                wrong.append(trained.config.seed)

    threads = [threading.Thread(target=predicting, args=(trained,)) for trained in (first, second) * 2]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert wrong == []


def test_a_copy_with_other_weights_is_not_served_the_weights_of_the_one_before(two_seeds):
    first, second, _ = two_seeds
    inputs, _ = data.sine_example(14, 0.04)
    before = sine.prediction(first, inputs)
    copy = dataclasses.replace(first, model=second.model)  # a `replace`d copy may hold another model
    np.testing.assert_allclose(sine.prediction(copy, inputs), own(second, inputs), rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(sine.prediction(first, inputs), before)


def test_a_replay_between_two_predictions_leaves_the_trained_weights_in_force(two_seeds):
    first, _, _ = two_seeds
    inputs, _ = data.sine_example(14, 0.04)
    trained_answer = sine.prediction(first, inputs)
    replay = Replay(experiments.of(first.config), first.config)
    untrained = replay.draw_at(first.snapshots.weights[0], lambda model: sine.prediction(model, inputs))
    assert not np.allclose(untrained, trained_answer)
    np.testing.assert_array_equal(sine.prediction(first, inputs), trained_answer)





def test_the_outputs_for_many_rows_come_in_one_call_of_one_function_per_shape(two_seeds):
    first, second, _ = two_seeds
    experiment, inputs = experiments.of(first.config), sine.batch(data.sine_example(14, 0.04)[0])
    weights = np.concatenate([first.snapshots.weights, second.snapshots.weights] * 2)
    assert len(weights) > snapshots.ROWS  # two compiled calls, the second padded
    predict.clear()
    one_by_one = Replay(experiment, first.config).frames(None, lambda view: view.predict(inputs),
                                                         rows=list(weights))
    together = predict.rows(experiment, first.config, weights, inputs)
    assert together.shape == (len(weights), 1, first.config.output)
    np.testing.assert_allclose(together, np.asarray(one_by_one), rtol=1e-5, atol=1e-6)
    assert not np.allclose(together[0], together[len(first.snapshots) - 1])
    np.testing.assert_allclose(together[len(first.snapshots) - 1, 0], own(first, inputs[0, :, 0]), rtol=1e-5,
                               atol=1e-6)  # the last snapshot is the trained model
    again = predict.rows(experiment, second.config, weights[:3], inputs)  # another seed, the same shape
    np.testing.assert_allclose(again, together[:3], rtol=1e-6, atol=1e-7)
    assert predict.traced(experiment, first.config, body=predict.outputs) == 1


def squares_and_sums(call, inputs):
    """A `mapped` body with two results."""
    import tensorflow as tf

    outputs = call(inputs)
    return outputs ** 2, tf.reduce_sum(outputs, axis=-1)


@pytest.mark.parametrize("jit", [False, True])
def test_a_body_of_two_results_over_any_number_of_rows_is_one_trace_and_each_rows_own(two_seeds, jit, monkeypatch):
    from lstm_core.engine import fit

    monkeypatch.setattr(fit, "JIT_COMPILE", True)
    first, second, _ = two_seeds
    experiment, inputs = experiments.of(first.config), sine.batch(data.sine_example(14, 0.04)[0])
    predict.clear()
    expected = predict.rows(experiment, first.config, first.snapshots.weights, inputs)
    for weights in (first.snapshots.weights, first.snapshots.weights[:2], second.snapshots.weights):
        squares, sums = predict.mapped(experiment, first.config, weights, squares_and_sums, inputs, results=2, jit=jit)
        assert squares.shape == (len(weights), 1, first.config.output) and sums.shape == (len(weights), 1)
        own = predict.rows(experiment, first.config, weights, inputs)
        np.testing.assert_allclose(squares, own ** 2, rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(sums, own.sum(axis=-1), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(predict.mapped(experiment, first.config, first.snapshots.weights, squares_and_sums,
                                              inputs, results=2, jit=jit)[0], expected ** 2, rtol=1e-5, atol=1e-7)
    assert predict.traced(experiment, first.config, body=squares_and_sums) == 1

