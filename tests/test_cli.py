"""The command line: trains through the store, prints JSON, saves a plain Keras model, rejects bad flags."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent


def run(args, store_dir, timeout=300):
    env = {**os.environ, "LSTM_EXPLORER_STORE": str(store_dir)}
    return subprocess.run([sys.executable, "-m", "lstm_core", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize("args, flag", [
    (["train", "sine", "--units", "0"], "--units"),
    (["train", "sine", "--depth", "5"], "--depth"),
    (["train", "sine", "--decay-range", "-0.1", "0.1"], "--decay-range"),
    (["train", "sine", "--period-range", "20", "10"], "--period-range"),
    (["train", "sine", "--train-size", "1000000"], "--train-size"),
    (["train", "rectangles", "--units", "999"], "--units"),
    (["train", "sine", "--units", "abc"], "--units"),
    (["train", "circles"], "circles"),
])
def test_bad_flags_exit_2_with_one_line_naming_the_flag(args, flag, tmp_path):
    result = run(args, tmp_path)
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and flag in lines[0] and "Traceback" not in result.stderr
    assert result.stdout == ""


def test_range_messages_name_the_allowed_range(tmp_path):
    result = run(["train", "sine", "--depth", "5"], tmp_path)
    assert "1 to 4" in result.stderr


def test_train_prints_json_saves_a_plain_keras_model_and_reuses_the_store(tmp_path):
    out = tmp_path / "model.keras"
    args = ["train", "sine", "--units", "3", "--depth", "1", "--train-size", "100", "--epochs", "1",
            "--seed", "2", "--out", str(out)]
    first = run(args, tmp_path / "store")
    assert first.returncode == 0, first.stderr
    result = json.loads(first.stdout)
    assert result["source"] == "trained" and result["config"]["units"] == 3
    assert 0 < result["metrics"]["mae"] < 1 and len(result["history"]) == 1
    assert (tmp_path / "store" / f"{result['key']}.keras").is_file()

    from lstm_core.backend import keras

    model = keras().saving.load_model(out, safe_mode=True)
    assert tuple(model.input_shape) == (None, 50, 1) and tuple(model.output_shape) == (None, 5)
    assert model.predict(np.zeros((2, 50, 1)), verbose=0).shape == (2, 5)

    second = run(args[:-2], tmp_path / "store")
    again = json.loads(second.stdout)
    assert again["source"] == "store" and again["metrics"] == result["metrics"]


def test_rectangles_out_has_the_book_shapes(tmp_path):
    out = tmp_path / "rect.keras"
    result = run(["train", "rectangles", "--units", "3", "--train-size", "100", "--out", str(out)], tmp_path / "s")
    assert result.returncode == 0, result.stderr
    assert "consistency" in json.loads(result.stdout)["metrics"]
    from lstm_core.backend import keras

    model = keras().saving.load_model(out, safe_mode=True)
    assert tuple(model.input_shape) == (None, 1, 2) and tuple(model.output_shape) == (None, 2)
