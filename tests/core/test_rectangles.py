"""experiments/rectangles: the generative LSTM of chapter 11 in its two framings (the book's one-step calls, and a
sequence model that carries its state from corner to corner), their shapes, data, scores and drawings, and what a
model store written before the framings existed becomes."""

import hashlib
import json
import re
import shutil
import subprocess
import sys

import numpy as np
import pytest

from conftest import tiny_rectangles
from helpers import catalogues, train
from lstm_core import evaluate
from lstm_core.engine.config import ConfigError
from lstm_core.engine.fit import plain_model
from lstm_core.engine.replay import Replay
from lstm_core.engine.trainer import Trainer
from lstm_core.experiments import RectangleConfig, formulas, keras_script, layers, rectangles
from lstm_core.ladder import SIZE_CHOICES


def test_defaults_are_the_books_model_and_data_with_the_tuned_recipe():
    config = RectangleConfig()
    assert (config.units, config.train_size, config.framing) == (10, 25_000, "book")
    assert (config.batch_size, config.learning_rate, config.epochs) == (30, 1e-2, 1)
    recipe = rectangles.recipe(config)
    assert (recipe.loss, recipe.optimizer) == ("mae", "adam")
    assert recipe.steps_per_execution == rectangles.STEPS_PER_EXECUTION == 250 and recipe.jit_compile


def test_default_batches_leave_no_odd_last_batch_at_any_offered_size():
    for size in (RectangleConfig().train_size, *SIZE_CHOICES):
        assert 3 * size % RectangleConfig().batch_size == 0, size  # three points per rectangle
        assert size % rectangles.recipe(RectangleConfig(framing="sequence")).batch_size == 0, size


def test_book_model_counts_542_parameters_in_both_framings():
    model = plain_model(rectangles.EXPERIMENT, RectangleConfig())
    assert [row["parameters"] for row in formulas.layer_table(model)] == [520, 22]
    assert model.count_params() == rectangles.BOOK_PARAMETERS == 542
    assert tuple(model.input_shape) == (None, 1, 2) and tuple(model.output_shape) == (None, 2)
    sequence = plain_model(rectangles.EXPERIMENT, RectangleConfig(framing="sequence"))
    assert sequence.count_params() == 542
    assert tuple(sequence.input_shape) == (None, None, 2) and tuple(sequence.output_shape) == (None, None, 2)


@pytest.mark.parametrize("units", [1, 5, 33])
@pytest.mark.parametrize("framing", ["book", "sequence"])
def test_the_formula_table_matches_keras_for_other_widths(units, framing):
    config = RectangleConfig(units=units, framing=framing)
    built = formulas.layer_table(plain_model(rectangles.EXPERIMENT, config))
    assert [row["parameters"] for row in built] == [row["parameters"] for row in layers(config)]
    assert [tuple(row["output_shape"]) for row in built] == [tuple(row["output_shape"]) for row in layers(config)]


def test_both_framings_start_from_the_same_weights_and_see_the_same_rectangles_in_the_same_batches():
    book, sequence = tiny_rectangles(train_size=150), tiny_rectangles(train_size=150, framing="sequence")
    for a, b in zip(plain_model(rectangles.EXPERIMENT, book).get_weights(),
                    plain_model(rectangles.EXPERIMENT, sequence).get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    pairs, next_corners = rectangles.training_data(book)
    corners, targets = rectangles.training_data(sequence)
    assert pairs.shape == (450, 1, 2) and corners.shape == targets.shape == (150, 3, 2)
    np.testing.assert_array_equal(pairs.reshape(150, 3, 2), corners)
    np.testing.assert_array_equal(next_corners.reshape(150, 3, 2), targets)
    np.testing.assert_array_equal(corners[:, 0], 0.0)  # every rectangle starts at the origin
    assert rectangles.recipe(book).batch_size == 3 * rectangles.recipe(sequence).batch_size  # 10 rectangles a step
    assert rectangles.batch_rectangles(book) == rectangles.batch_rectangles(sequence) == 10
    np.testing.assert_array_equal(rectangles.rectangles_seen(book, [30, 300]), [10, 100])
    np.testing.assert_array_equal(rectangles.rectangles_seen(sequence, [10, 100]), [10, 100])


def test_a_framing_out_of_its_choices_or_a_sequence_batch_of_partial_rectangles_is_refused():
    with pytest.raises(ConfigError) as bad:
        RectangleConfig(framing="stateful")
    assert bad.value.field == "framing" and "book, sequence" in str(bad.value)
    with pytest.raises(ConfigError) as partial:
        RectangleConfig(framing="sequence", batch_size=32)
    assert partial.value.field == "batch_size" and "multiple of 3" in str(partial.value)
    assert RectangleConfig(batch_size=32).batch_size == 32  # the book framing batches corner pairs freely


def test_the_framing_is_part_of_the_key_and_an_entry_stored_before_it_is_never_read(store, no_jit):
    """An existing store: rectangle entries written before the framing (and the new scores) existed are keyed
    without it, so they are missing for the new configurations and trained again, never shown with old scores."""
    config = tiny_rectangles()
    assert config.key() != config.replace(framing="sequence").key()
    assert config.slug() + "-sequence" == config.replace(framing="sequence").slug()
    old_fields = {k: v for k, v in config.to_dict().items() if k != "framing"}
    payload = json.dumps({"experiment": "rectangles", **old_fields}, sort_keys=True)
    old_key = f"rectangles-{config.slug()}-{hashlib.sha256(payload.encode()).hexdigest()[:10]}"
    trainer = Trainer(store)
    trainer.get(config)
    for suffix in (".keras", ".npz", ".json"):  # the same files under the old key, with the old scores
        shutil.move(store.root / f"{config.key()}{suffix}", store.root / f"{old_key}{suffix}")
    meta = json.loads((store.root / f"{old_key}.json").read_text())
    meta.update(key=old_key, metrics={"consistency": 0.115})
    (store.root / f"{old_key}.json").write_text(json.dumps(meta))
    fresh = Trainer(store)
    assert store.has(old_key) and not fresh.is_available(config) and fresh.cached(config) is None


def test_scores_read_the_stored_metrics_or_compute_them_for_an_entry_without_them(no_jit):
    trained = train(tiny_rectangles(units=3))
    scores = rectangles.scores(trained)
    assert set(trained.metrics) == {"consistency", "consistency_free", "consistency_completions"}
    assert scores == {"free": trained.metrics["consistency_free"],
                      "completions": trained.metrics["consistency_completions"],
                      "consistency": trained.metrics["consistency"]}
    free, completed, _ = rectangles.drawings(trained)
    assert scores == evaluate.rectangle_scores(np.concatenate([free[None], completed]))
    trained.metrics = {"consistency": 0.115}  # as an entry scored by the old mean would have it
    assert rectangles.scores(trained) == scores


@pytest.mark.usefixtures("no_jit")
@pytest.mark.parametrize("framing", ["book", "sequence"])
def test_training_draws_better_rectangles_than_the_untrained_model(framing):
    config = tiny_rectangles(units=8, train_size=2_000, framing=framing)
    trained = train(config)
    before = Replay(rectangles.EXPERIMENT, config).draw_at(  # snapshot 0: the seeded initial weights
        trained.snapshots.weights[0], lambda model: rectangles.score(model)["consistency"])
    assert trained.metrics["consistency"] < before / 2

    free, completed, errors = rectangles.drawings(trained, (0.2, 0.6))
    assert free.shape == (4, 2) and completed.shape == (2, 4, 2) and errors.shape == (3,)
    np.testing.assert_array_equal(free[0], [0, 0])
    np.testing.assert_allclose(completed[:, 1], [[0.2, 0], [0.6, 0]], atol=1e-6)  # the given first corners
    np.testing.assert_allclose(errors, evaluate.consistency_errors(np.concatenate([free[None], completed])))
    if framing == "book":
        step = rectangles.next_points(trained)
        np.testing.assert_allclose(step(free[:3]), free[1:], atol=1e-6)  # each corner is drawn from the one before
        assert step([[0.0, 0.0]]).shape == (1, 2)


def test_the_sequence_framings_step_by_step_state_is_the_one_keras_carries(no_jit):
    """Drawing one corner at a time, handing (h, c) on, gives what Keras computes over the whole sequence."""
    trained = train(tiny_rectangles(units=5, train_size=300, framing="sequence", seed=4))
    corners = np.random.default_rng(0).random((7, 3, 2)).astype(np.float32)
    keras_outputs = trained.predict(corners)  # (7, 3, 2): the next corner after each prefix
    step, state, stepped = rectangles.stepper(trained), None, []
    for t in range(3):
        predicted, state = step(corners[:, t], state)
        stepped.append(predicted)
    np.testing.assert_allclose(np.stack(stepped, axis=1), keras_outputs, atol=1e-5)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_sequence_framing_carries_state_so_corner_1_changes_corner_3_and_the_book_framing_does_not(seed, no_jit):
    """Corner 3 is drawn from corner 2 held fixed, after two different first corners."""
    results = {}
    for framing in ("book", "sequence"):
        step = rectangles.stepper(train(tiny_rectangles(units=6, train_size=500, framing=framing, seed=seed)))
        held = np.array([0.5, 0.4])
        given = np.array([[[0, 0], [0.2, 0], held], [[0, 0], [0.8, 0], held]])  # corner 1 changes, corner 2 holds
        third = evaluate.generate(step, given, 1)[:, 3]
        results[framing] = float(np.abs(third[0] - third[1]).max())
    assert results["book"] < 1e-6  # only the point is passed on: corner 1 is forgotten
    assert results["sequence"] > 1e-2, results  # the state remembers it


@pytest.mark.parametrize("framing", ["book", "sequence"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_one_unit_model_predicts_every_corner_on_one_straight_line(seed, framing, no_jit):
    """What the one-cell preset's note says, for any weights and either framing: Dense(2) of one number h is
    b + h·w, a line."""
    trained = train(tiny_rectangles(units=1, seed=seed, framing=framing))
    rng = np.random.default_rng(seed)
    step, points, state, predicted = rectangles.stepper(trained), rng.random((200, 2)), None, []
    for _ in range(3):  # from any corners, with any state the corners before left
        out, state = step(points, state)
        predicted.append(np.asarray(out).reshape(-1, 2))
        points = rng.random((200, 2))
    centred = np.concatenate(predicted) - np.concatenate(predicted).mean(axis=0)
    singular = np.linalg.svd(centred, compute_uv=False)
    assert singular[1] <= 1e-5 * max(singular[0], 1e-12)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_two_unit_model_predicts_inside_a_parallelogram_not_on_a_line(seed, no_jit):
    """What the training-size lab's small-model note says: with 2 units the outputs b + W·h, |h| < 1, fill a
    parallelogram."""
    trained = train(tiny_rectangles(units=2, seed=seed))
    weights, offset = trained.model.get_layer("dense").get_weights()
    predicted = rectangles.next_points(trained)(np.random.default_rng(seed).random((200, 2)))
    hidden = np.linalg.solve(weights.T.astype(np.float64), (predicted - offset).T.astype(np.float64)).T
    assert np.abs(hidden).max() < 1.0 + 1e-4
    assert np.linalg.svd(predicted - predicted.mean(axis=0), compute_uv=False)[1] > 1e-6  # not on one line


def test_the_comparison_sentence_names_the_better_framing_by_the_headline_in_both_languages():
    found = {"book": {"free": 0.7, "completions": 0.05, "consistency": 0.7},
             "sequence": {"free": 0.04, "completions": 0.0502, "consistency": 0.0502}}
    parts = rectangles.comparison(found)
    assert [key for key, _ in parts] == ["better", "free.better", "completions.same"]
    assert parts[0][1] == {"winner": "sequence", "loser": "book", "a": "0.0502", "b": "0.7"}
    for language in ("en", "zh"):
        strings = catalogues()[language]
        sentence = rectangles.comparison_sentence(found, lambda key, **fields: strings[key].format(**fields))
        assert all(number in sentence for number in ("0.0502", "0.7", "0.04", "0.05")), sentence
        assert strings["rectangles.framing.name.sequence"] in sentence and "{" not in sentence
    worse = {"book": found["sequence"], "sequence": found["book"]}
    assert rectangles.comparison(worse)[0][1]["winner"] == "book"
    english = catalogues()["en"]
    same = rectangles.comparison_sentence({"book": found["book"], "sequence": {**found["book"], "consistency": 0.69}},
                                          lambda key, **fields: english[key].format(**fields))
    assert same.startswith("Both framings scored about the same")


def test_the_sequence_script_draws_what_the_app_draws(tmp_path, no_jit):
    config = tiny_rectangles(units=3, train_size=205, seed=6, framing="sequence")  # the script drops a partial batch
    source = keras_script(config)
    assert "return_sequences=True" in source and "initial_state=[h_in, c_in]" in source
    (tmp_path / "rectangle_lstm.py").write_text(source)
    process = subprocess.Popen([sys.executable, "rectangle_lstm.py"], cwd=tmp_path, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        trained = train(config)
        out, err = process.communicate(timeout=300)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, err[-2000:]
    drawn = np.array(eval(re.search(r"drawn rectangle: (.*)", out).group(1), {"__builtins__": {}}))
    np.testing.assert_allclose(drawn, rectangles.drawings(trained)[0], atol=2e-3)
