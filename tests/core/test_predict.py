"""engine/predict: compiled prediction functions per model shape, shared by every model of that shape."""

import dataclasses

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
    for trained in (first, second, first, wider, second):  # alternating: each must load its own weights
        np.testing.assert_allclose(sine.prediction(trained, inputs), own(trained, inputs), rtol=1e-5, atol=1e-6)
    assert not np.allclose(sine.prediction(first, inputs), sine.prediction(second, inputs))
    experiment = experiments.of(first.config)
    [shared] = predict.idle(experiment, first.config)  # one after the other: one predictor served both seeds
    assert predict.idle(experiment, second.config) == [shared]
    assert predict.idle(experiment, wider.config) not in ([], [shared])
    assert shared._functions[None].experimental_get_tracing_count() == 1


def test_a_caller_gets_a_predictor_of_its_own_while_another_is_borrowed(two_seeds):
    first, second, _ = two_seeds
    experiment, inputs = experiments.of(first.config), data.sine_example(14, 0.04)[0]
    predict.clear()
    with predict.borrowed(experiment, first.config) as busy:
        np.testing.assert_allclose(sine.prediction(second, inputs), own(second, inputs), rtol=1e-5, atol=1e-6)
        assert busy not in predict.idle(experiment, first.config)
    with predict.borrowed(experiment, second.config, second) as holding:  # the idle one holding its weights
        assert holding.loaded is second.token
    assert len(predict.idle(experiment, first.config)) == 2


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
    rows = np.concatenate([first.snapshots.weights, second.snapshots.weights] * 2)
    assert len(rows) > snapshots.ROWS  # two compiled calls, the second padded
    predict.clear()
    one_by_one = Replay(experiment, first.config).frames(None, lambda view: view.predict(inputs), rows=list(rows))
    together = predict.rows(experiment, first.config, rows, inputs)
    assert together.shape == (len(rows), 1, first.config.output)
    np.testing.assert_allclose(together, np.asarray(one_by_one), rtol=1e-5, atol=1e-6)
    assert not np.allclose(together[0], together[len(first.snapshots) - 1])
    np.testing.assert_allclose(together[len(first.snapshots) - 1, 0], own(first, inputs[0, :, 0]), rtol=1e-5,
                               atol=1e-6)  # the last snapshot is the trained model
    [traced_on] = predict.idle(experiment, first.config)
    traced_on.load(first)
    with predict.borrowed(experiment, first.config):  # it is lent: the function needs no predictor
        again = predict.rows(experiment, second.config, rows[:3], inputs)  # another seed, the same shape
    np.testing.assert_allclose(again, together[:3], rtol=1e-6, atol=1e-7)
    [function] = predict._row_functions.values()  # one for the shape, traced once
    assert function.experimental_get_tracing_count() == 1
    np.testing.assert_array_equal(snapshots.flatten(traced_on.model.get_weights()),
                                  snapshots.flatten(first.model.get_weights()))  # its weights were left alone
