"""tools/cli: `python -m lstm_core` trains any registered experiment through the store, prints JSON, saves a plain
Keras model, manages the store, and refuses a bad flag with one line naming it."""

import json
import subprocess
import sys

import numpy as np
import pytest

from helpers import ROOT
from lstm_core import experiments
from lstm_core.engine.backend import keras
from lstm_core.engine.store import ModelStore
from lstm_core.tools import cli


def run(capsys, *args):
    """`main(args)` in this process: (exit status, stdout, stderr)."""
    status = cli.main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.mark.parametrize("args, flag", [
    (["train", "sine", "--units", "0"], "--units"),
    (["train", "sine", "--depth", "5"], "--depth"),
    (["train", "sine", "--decay-range", "-0.1", "0.1"], "--decay-range"),
    (["train", "sine", "--period-range", "20", "10"], "--period-range"),
    (["train", "sine", "--train-size", "1000000"], "--train-size"),
    (["train", "rectangles", "--units", "999"], "--units"),
    (["train", "sine", "--units", "abc"], "--units"),
    (["train", "cells", "--units", "0"], "--units"),
    (["train", "cells", "--length", "20", "--lag", "20"], "--lag"),
    (["train", "cells", "--task", "copy"], "--task"),
    (["train", "explode", "--cell", "LSTMX"], "--cell"),
    (["train", "explode", "--learning-rate", "500"], "--learning-rate"),
    (["train", "forecast", "--horizon", "0"], "--horizon"),
    (["train", "window", "--window", "3"], "--window"),
    (["train", "circles"], "circles"),
    (["store", "--keep", "-1"], "--keep"),
    (["store", "--prune-older-than", "nan"], "--prune-older-than"),
    (["prewarm", "--dry-run", "--sizes", "100", "50"], "--sizes"),
])
def test_a_bad_flag_exits_2_with_one_line_naming_the_flag(capsys, args, flag):
    status, out, err = run(capsys, *args)
    assert status == cli.EXIT_USAGE == 2
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and flag in lines[0] and "Traceback" not in err
    assert out == ""


def test_range_messages_name_the_allowed_range(capsys):
    assert "1 to 4" in run(capsys, "train", "sine", "--depth", "5")[2]


def test_every_experiment_has_one_flag_per_configuration_field():
    parser = cli.build_parser()
    for name, experiment in experiments.EXPERIMENTS.items():
        args = parser.parse_args(["train", name])
        assert cli.config_from_args(args) == experiment.config()  # every flag defaults to the field's default
    args = parser.parse_args(["train", "forecast", "--period-range", "5", "40", "--train-size", "128"])
    assert cli.config_from_args(args) == experiments.ForecastConfig(period_range=(5, 40), train_size=128)


def test_the_module_runs_as_a_program_and_refuses_a_bad_flag(tmp_path):
    result = subprocess.run([sys.executable, "-m", "lstm_core", "train", "cells", "--units", "0", "--store",
                             str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.strip().startswith("error: --units:") and "Traceback" not in result.stderr


@pytest.mark.usefixtures("no_jit")
def test_a_concept_experiment_trains_through_the_store_and_is_loaded_the_second_time(capsys, tmp_path):
    store = tmp_path / "store"
    args = ["train", "cells", "--units", "4", "--train-size", "100", "--epochs", "1", "--length", "20", "--lag", "5",
            "--store", str(store)]
    status, out, err = run(capsys, *args)
    assert status == 0, err
    result = json.loads(out)
    assert result["experiment"] == "cells" and result["source"] == "trained" and result["store"] == str(store)
    assert set(result["metrics"]) == {"SimpleRNN", "GRU", "LSTM"} and len(result["history"]) == 1
    assert result["config"]["units"] == 4 and result["config"]["lag"] == 5
    assert ModelStore(store).has(result["key"]) and "diverged" not in result
    again = json.loads(run(capsys, *args)[1])
    assert again["source"] == "store" and again["metrics"] == result["metrics"] and again["key"] == result["key"]

    listed = json.loads(run(capsys, "store", "--list", "--store", str(store))[1])
    assert listed["entries"] == 1 and [entry["key"] for entry in listed["list"]] == [result["key"]]
    assert listed["size_bytes"] > 0 and listed["removed"] == []
    cleared = json.loads(run(capsys, "store", "--keep", "0", "--store", str(store))[1])
    assert cleared["removed"] == [result["key"]] and cleared["entries"] == 0


@pytest.mark.usefixtures("no_jit")
@pytest.mark.parametrize("args, shapes", [
    (["sine", "--units", "3", "--depth", "1", "--train-size", "100", "--epochs", "1", "--seed", "2"],
     ((None, 50, 1), (None, 5))),
    (["rectangles", "--units", "3", "--train-size", "100"], ((None, 1, 2), (None, 2))),
])
def test_out_saves_a_plain_keras_model_with_the_books_shapes(capsys, tmp_path, args, shapes):
    out = tmp_path / "model.keras"
    status, printed, err = run(capsys, "train", *args, "--out", str(out), "--store", str(tmp_path / "store"))
    assert status == 0, err
    assert json.loads(printed)["out"] == str(out)
    model = keras().saving.load_model(out, safe_mode=True)
    assert (tuple(model.input_shape), tuple(model.output_shape)) == shapes
    assert model.predict(np.zeros((2, *shapes[0][1:])), verbose=0).shape == (2, shapes[1][1])
    assert run(capsys, "train", *args, "--out", str(tmp_path / "model.h5"))[0] == 2  # only a .keras file


@pytest.mark.usefixtures("no_jit")
def test_a_diverged_explode_training_is_printed_with_its_message(capsys, tmp_path):
    status, out, err = run(capsys, "train", "explode", "--units", "4", "--train-size", "256", "--learning-rate", "50",
                           "--store", str(tmp_path))
    assert status == 0, err
    result = json.loads(out)  # the final loss may be NaN or Infinity, as Python's json writes and reads them
    assert "training stopped there" in result["diverged"] and result["source"] == "trained"


def test_prewarm_dry_run_lists_the_tiny_models_and_trains_nothing(capsys, tmp_path):
    folder = tmp_path / "models"
    status, out, err = run(capsys, "prewarm", "--dry-run", "--tiny", "--store", str(folder))
    assert status == 0
    summary = json.loads(out)
    assert len(summary["to_train"]) == len(experiments.EXPERIMENTS) and summary["trained"] == []
    assert not folder.exists()
    assert f"[{len(experiments.EXPERIMENTS)}/{len(experiments.EXPERIMENTS)}]" in err


def test_a_diverged_run_prints_strict_json(tmp_path, capsys, no_jit):
    code = cli.main(["train", "explode", "--units", "4", "--train-size", "512", "--epochs", "1",
                     "--learning-rate", "50", "--store", str(tmp_path)])
    printed = capsys.readouterr().out
    assert code == 0
    result = json.loads(printed, parse_constant=lambda token: pytest.fail(f"not strict JSON: {token}"))
    assert result["diverged"] and result["metrics"]["final_loss"] is None


@pytest.mark.parametrize("argv, expected", [
    (["--recipe", "book"], (10, 1e-3, 1)),  # chapter 7's recipe: batch 10, Adam's default rate, one epoch
    (["--recipe", "book", "--epochs", "3"], (10, 1e-3, 3)),  # an explicit flag wins over the recipe's epochs
    ([], (20, 3e-3, 2)),
    (["--recipe=fast", "--batch-size", "50"], (50, 3e-3, 2)),
])
def test_a_recipe_sets_the_batch_learning_rate_and_epochs(argv, expected):
    args = cli.build_parser().parse_args(["train", "sine", *argv])
    config = cli.config_from_args(args, ["train", "sine", *argv])
    assert (config.batch_size, config.learning_rate, config.epochs) == expected
    assert experiments.of(config).recipe(config).batch_size == expected[0]


def test_the_book_recipe_refuses_another_batch_size(capsys):
    code, _, error = run(capsys, "train", "sine", "--recipe", "book", "--batch-size", "32")
    assert code == 2 and error.startswith("error: --batch-size:") and "book recipe" in error
