"""engine/snapshots and engine/replay: the weights kept along a training, and views redrawn from them."""

import dataclasses

import numpy as np
import pytest

from conftest import tiny_rectangles, tiny_sine
from helpers import train
from lstm_core import data, experiments, ladder
from lstm_core.engine import snapshots
from lstm_core.engine.fit import fit, plain_model
from lstm_core.engine.replay import Replay
from lstm_core.experiments import ExplodeConfig, rectangles, sine


def test_the_schedule_is_log_spaced_unique_and_ends_at_the_last_step():
    steps = snapshots.schedule(20_000)
    assert steps[0] == 1 and steps[-1] == 20_000 and snapshots.COUNT - 3 <= len(steps) <= snapshots.COUNT
    assert np.all(np.diff(steps) > 0)
    assert np.all(np.diff(np.log(steps[5:])) < 0.4)  # spaced by a ratio, not evenly: the start is dense
    assert steps[snapshots.COUNT // 2] < 20_000 / 10
    assert list(snapshots.schedule(5)) == [1, 2, 3, 4, 5] and len(snapshots.schedule(0)) == 0


@pytest.fixture(scope="module")
def sine_model():
    return train(tiny_sine(train_size=200, epochs=2, seed=5))


def test_the_first_snapshot_is_the_untrained_model_and_the_last_the_trained_one(sine_model):
    config, kept = sine_model.config, sine_model.snapshots
    assert kept.steps[0] == 0 and kept.steps[-1] == sine_model.steps[-1]
    assert len(kept) == len(snapshots.schedule(int(sine_model.steps[-1]))) + 1
    inputs, _ = data.sine_example(14, 0.04)
    replay = Replay(experiments.of(config), config)
    first, last = replay.frames(kept, lambda model: sine.prediction(model, inputs), indices=[0, len(kept) - 1])
    untrained = plain_model(experiments.of(config), config)
    np.testing.assert_array_equal(last, sine.prediction(sine_model, inputs))  # exactly, not approximately
    np.testing.assert_allclose(first, untrained(inputs.reshape(1, -1, 1).astype(np.float32)).numpy()[0],
                               rtol=1e-5, atol=1e-7)  # XLA against Keras op by op: the weights are checked exactly below
    for kept_weights, model_weights in zip(kept.unflatten(0), untrained.get_weights(), strict=True):
        np.testing.assert_array_equal(kept_weights, model_weights)
    middle = replay.frames(kept, lambda model: sine.prediction(model, inputs), indices=[len(kept) // 2])[0]
    assert not np.array_equal(middle, first) and not np.array_equal(middle, last)


def test_a_snapshot_in_the_middle_is_the_weights_after_that_many_steps():
    config = tiny_sine(train_size=200, epochs=1, seed=6)
    whole = train(config)
    batch = experiments.of(config).recipe(config).batch_size
    k = len(whole.snapshots) // 2
    step = int(whole.snapshots.steps[k])
    assert 0 < step < whole.steps[-1]
    # The same data cut to `step` batches gives the model after exactly `step` steps.
    experiment = experiments.of(config)
    inputs, targets = experiment.data(config)
    cut = dataclasses.replace(experiment, data=lambda _: (inputs[:step * batch], targets[:step * batch]))
    shorter = fit(cut, config)
    for kept_weights, model_weights in zip(whole.snapshots.unflatten(k), shorter.model.get_weights(), strict=True):
        np.testing.assert_allclose(kept_weights, model_weights, rtol=1e-5, atol=1e-6)


def test_snapshots_arrive_in_the_sink_while_training():
    sink = []
    trained = train(tiny_rectangles(train_size=300, seed=2), snapshot_sink=sink)
    assert [step for step, *_ in sink] == list(trained.snapshots.steps[1:])
    step, row, total, batch = sink[-1]
    assert total == trained.steps[-1] and batch == trained.batch_size
    np.testing.assert_array_equal(row, trained.snapshots.weights[-1])


def test_training_more_keeps_the_earlier_snapshots_and_adds_later_ones():
    config = tiny_rectangles(train_size=150, seed=4)
    once = train(config)
    twice = train(config.replace(epochs=2), start=once)
    n = len(once.snapshots)
    np.testing.assert_array_equal(twice.snapshots.steps[:n], once.snapshots.steps)
    np.testing.assert_array_equal(twice.snapshots.weights[:n], once.snapshots.weights)
    assert twice.snapshots.steps[-1] == twice.steps[-1] > once.steps[-1]
    for kept_weights, model_weights in zip(twice.snapshots.unflatten(len(twice.snapshots) - 1),
                                           twice.model.get_weights(), strict=True):
        np.testing.assert_array_equal(kept_weights, model_weights)


@pytest.mark.usefixtures("no_jit")
def test_a_diverged_training_ends_its_snapshots_where_it_stopped():
    trained = train(ExplodeConfig(units=4, learning_rate=50.0, train_size=256, epochs=2))
    assert trained.diverged
    assert trained.snapshots.steps[-1] == trained.steps[-1] < 2 * 256 // 32
    assert np.all(np.diff(trained.snapshots.steps) > 0)


def test_snapshots_survive_their_arrays():
    kept = train(tiny_rectangles(seed=7)).snapshots
    again = snapshots.Snapshots.from_arrays(kept.to_arrays())
    np.testing.assert_array_equal(again.steps, kept.steps)
    np.testing.assert_array_equal(again.weights, kept.weights)
    assert again.shapes == kept.shapes
    broken = {**kept.to_arrays(), "steps": kept.steps[::-1]}
    with pytest.raises(ValueError):
        snapshots.Snapshots.from_arrays(broken)


def test_the_lab_replays_every_size_at_the_same_examples_seen():
    small, large = np.array([0, 30, 60, 90]), np.array([0, 30, 60, 120, 240, 480])
    moments, indices = ladder.replay_moments([small, large])
    assert list(moments) == list(large)
    assert list(indices[:, 1]) == list(range(len(large)))
    assert list(indices[:, 0]) == [0, 1, 2, 3, 3, 3]  # the smaller one stays trained once it has seen everything
    assert all(small[i] <= m for i, m in zip(indices[:, 0], moments))


def test_rectangle_drawings_replay_from_the_store_entry(trainer):
    config = tiny_rectangles(seed=8)
    trained = trainer.get(config)
    trainer.forget()
    stored = trainer.cached(config)
    assert stored.source == "store"
    replay = Replay(experiments.of(config), config)
    drawn = replay.frames(stored.snapshots, lambda model: rectangles.drawings(model, (0.5,))[0])
    np.testing.assert_array_equal(drawn[-1], rectangles.drawings(trained, (0.5,))[0])
    assert trainer.store.snapshots_path(config.key()).stat().st_size >= stored.snapshots.weights.nbytes
