"""tools/export: downloads load back: the model in Keras, the CSVs in pandas, the figure's HTML offline."""

import io

import numpy as np
import pandas as pd
import pytest

from conftest import tiny_rectangles, tiny_sine
from helpers import train
from lstm_core import data, figures
from lstm_core.engine.backend import keras
from lstm_core.experiments import keras_script
from lstm_core.tools import export


@pytest.mark.usefixtures("no_jit")
def test_the_model_loads_in_plain_keras_and_the_loss_csv_round_trips(tmp_path):
    trained = train(tiny_rectangles(units=3, epochs=2))
    path = tmp_path / "downloaded.keras"
    path.write_bytes(export.model_bytes(trained.model))
    model = keras().saving.load_model(path, safe_mode=True)
    probe = np.array([[[0.0, 0.0]], [[0.5, 0.0]]], dtype=np.float32)
    np.testing.assert_allclose(model.predict(probe, verbose=0), trained.predict(probe), atol=1e-6)

    history = pd.read_csv(io.StringIO(export.csv_text(export.history_frame(trained))))
    assert list(history["epoch_loss"].dropna()) == pytest.approx(trained.history)
    assert list(history["epoch"].dropna()) == [1, 2]
    np.testing.assert_allclose(history[["examples_seen", "loss"]].dropna().to_numpy(), trained.curve)


def test_sine_csv_round_trips_with_one_row_per_step():
    inputs, expected = data.sine_example(15, 0.05)
    predicted = expected + 0.01
    frame = pd.read_csv(io.StringIO(export.csv_text(export.sine_frame(inputs, expected, predicted))))
    assert len(frame) == 55 and list(frame["part"].unique()) == ["input", "output"]
    np.testing.assert_allclose(frame["predicted"].dropna(), predicted, atol=1e-6)
    np.testing.assert_allclose(frame["expected"].dropna(), expected, atol=1e-6)
    np.testing.assert_allclose(frame["input"].dropna(), inputs, atol=1e-6)
    assert frame["step"].tolist() == list(range(55))


def test_drawings_csv_has_four_corners_per_drawing():
    drawings = np.random.default_rng(0).random((3, 4, 2))
    frame = pd.read_csv(io.StringIO(export.csv_text(export.drawings_frame(drawings, ["a", "b", "c"]))))
    assert len(frame) == 12 and list(frame.groupby("drawing").size()) == [4, 4, 4]
    np.testing.assert_allclose(frame[["x", "y"]].to_numpy(), drawings.reshape(-1, 2))


def test_figure_html_embeds_plotly_and_needs_no_network():
    html = export.figure_html(figures.loss_figure([0.3, 0.2, 0.1]))
    assert "<html" in html and "newPlot" in html
    assert len(html) > 1_000_000  # plotly.js itself is inside
    assert '<script src="http' not in html and "<script src='http" not in html  # nothing fetched at load


def test_the_script_and_file_names_come_from_the_configuration():
    config = tiny_sine(units=7)
    assert export.script_text(config) == keras_script(config)
    stem = export.file_stem(config)
    assert config.key().startswith(stem + "-") and stem.startswith("sine-u7-") and len(stem) < len(config.key())
