"""experiments/scripts: the equivalent Keras script runs as it is and trains the app's model (on a short training,
its MAE within 2e-4 of the app's)."""

import re
import subprocess
import sys

import numpy as np
import pytest

from conftest import tiny_rectangles, tiny_sine
from helpers import jit_off, train
from lstm_core import evaluate
from lstm_core.experiments import keras_script, rectangles

SINE = tiny_sine(units=3, depth=2, train_size=200, epochs=2, seed=5)
RECTANGLES = tiny_rectangles(units=3, train_size=205, seed=6)  # 615 pairs: the script drops a last partial batch too


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """`(outputs, app)`: both scripts run as they are by one fresh Python (Keras imported once for both), while
    this process trains the same two configurations."""
    folder = tmp_path_factory.mktemp("scripts")
    paths = []
    for name, config in (("sine_lstm", SINE), ("rectangle_lstm", RECTANGLES)):
        source = keras_script(config)
        assert "import streamlit" not in source and "lstm_core" not in source
        paths.append(folder / f"{name}.py")
        paths[-1].write_text(source)
    runner = ("import runpy, sys\nfor path in sys.argv[1:]:\n"
              "    runpy.run_path(path, run_name='__main__')\n    print('=== end of script', flush=True)\n")
    process = subprocess.Popen([sys.executable, "-c", runner, *map(str, paths)], cwd=folder, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        with jit_off():
            app = {"sine": train(SINE), "rectangles": train(RECTANGLES)}
        out, err = process.communicate(timeout=300)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, err[-2000:]
    return out.split("=== end of script")[:2], app


def test_the_sine_script_reproduces_the_apps_mae(runs):
    outputs, app = runs
    script_mae = float(re.search(r"MAE: ([0-9.]+)", outputs[0]).group(1))
    assert script_mae == pytest.approx(app["sine"].metrics["mae"], abs=2e-4)


def test_the_rectangle_script_draws_what_the_app_draws(runs):
    outputs, app = runs
    literal = re.search(r"drawn rectangle: (.*)", outputs[1]).group(1)
    drawn = np.array(eval(literal, {"__builtins__": {}}))  # a list of lists of floats that the script printed
    np.testing.assert_allclose(drawn, evaluate.draw_rectangle(rectangles.next_points(app["rectangles"])), atol=2e-3)


@pytest.mark.parametrize("depth", [1, 2, 4])
def test_the_sine_script_follows_the_sliders(depth):
    config = tiny_sine(units=7, depth=depth, train_size=300, epochs=3, seed=8)
    source = keras_script(config)
    compile(source, "script.py", "exec")
    assert source.count("layers.LSTM(7,") == depth
    assert source.count("return_sequences=True") == depth - 1
    assert "generate_examples(300, np.random.default_rng(8))" in source and "epochs=3" in source
    assert "X[:" not in source  # 300 waves are whole batches of 20: nothing to drop


def test_the_scripts_print_the_seeds_the_app_uses():
    from lstm_core.engine.seeds import dense_seed, recurrent_seeds

    source = keras_script(tiny_sine(seed=8, depth=2))
    for index in range(2):
        kernel, recurrent = recurrent_seeds(8, index)
        assert f"GlorotUniform(seed={kernel}), recurrent_initializer=Orthogonal(seed={recurrent})" in source
    assert f"GlorotUniform(seed={dense_seed(8)})" in source
    assert "X, y = X[:600], y[:600]" in keras_script(tiny_rectangles(train_size=205))
