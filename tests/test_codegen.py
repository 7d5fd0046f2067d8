"""The equivalent Keras script runs as it is and reproduces the app's model."""

import re
import subprocess
import sys

import numpy as np
import pytest

from conftest import tiny_rectangles, tiny_sine
from lstm_core import codegen, evaluate, training


def run_script(source: str, tmp_path) -> str:
    path = tmp_path / "script.py"
    path.write_text(source)
    result = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def test_sine_script_reproduces_the_app_mae(tmp_path):
    config = tiny_sine(units=3, depth=2, train_size=200, epochs=2, seed=5)
    source = codegen.keras_script(config)
    assert "import streamlit" not in source and "lstm_core" not in source
    output = run_script(source, tmp_path)
    script_mae = float(re.search(r"MAE: ([0-9.]+)", output).group(1))
    app_mae = training.train(config).metrics["mae"]
    assert script_mae == pytest.approx(app_mae, abs=2e-4)


def test_rectangle_script_draws_what_the_app_draws(tmp_path):
    config = tiny_rectangles(units=3, train_size=200, seed=6)
    output = run_script(codegen.keras_script(config), tmp_path)
    drawn = np.array(eval(re.search(r"drawn rectangle: (.*)", output).group(1)))  # a list literal we printed
    app = evaluate.draw_rectangle(training.train(config).predict_points)
    np.testing.assert_allclose(drawn, app, atol=2e-3)


@pytest.mark.parametrize("depth", [1, 2, 4])
def test_sine_script_follows_the_sliders(depth):
    config = tiny_sine(units=7, depth=depth, train_size=300, epochs=3, seed=8)
    source = codegen.keras_script(config)
    compile(source, "script.py", "exec")
    assert source.count("layers.LSTM(7,") == depth
    assert source.count("return_sequences=True") == depth - 1
    assert "generate_examples(300, np.random.default_rng(8))" in source and "epochs=3" in source
