"""
Downloads for teachers and students: the trained model, its numbers as CSV,
its figures as HTML and the Keras script that reproduces it.

Every file stands on its own and works offline: the model is a standard
`.keras` file, the CSVs open in pandas or a spreadsheet, and a figure's HTML
embeds plotly.js itself (no CDN: a classroom may have no internet).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from ..experiments import keras_script


def model_bytes(model) -> bytes:
    """The model as the bytes of a standard `.keras` file."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.keras"
        model.save(path)
        return path.read_bytes()


def history_frame(trained) -> pd.DataFrame:
    """Training loss: one row per logged point (examples seen), with the epoch losses beside."""
    curve = pd.DataFrame(trained.curve, columns=["examples_seen", "loss"]) if trained.curve else pd.DataFrame(
        {"examples_seen": [], "loss": []})
    epochs = pd.DataFrame({"epoch": np.arange(1, len(trained.history) + 1), "epoch_loss": trained.history})
    return pd.concat([epochs, curve], axis=1)


def sine_frame(inputs, expected, predicted) -> pd.DataFrame:
    """One row per time step: the input, then the expected and predicted outputs."""
    inputs, expected, predicted = (np.asarray(a, dtype=float).ravel() for a in (inputs, expected, predicted))
    steps = len(inputs) + len(expected)
    frame = pd.DataFrame({"step": np.arange(steps), "part": ["input"] * len(inputs) + ["output"] * len(expected)})
    frame["input"] = np.concatenate([inputs, np.full(len(expected), np.nan)])
    frame["expected"] = np.concatenate([np.full(len(inputs), np.nan), expected])
    frame["predicted"] = np.concatenate([np.full(len(inputs), np.nan), predicted])
    return frame


def drawings_frame(drawings, labels) -> pd.DataFrame:
    """One row per point of each drawing: which drawing, which corner, x, y."""
    drawings = np.asarray(drawings, dtype=float).reshape(-1, 4, 2)
    rows = [{"drawing": label, "corner": corner, "x": x, "y": y}
            for label, drawing in zip(labels, drawings) for corner, (x, y) in enumerate(drawing)]
    return pd.DataFrame(rows)


def csv_text(frame: pd.DataFrame) -> str:
    return frame.to_csv(index=False)


def figure_html(figure) -> str:
    """A self-contained HTML page of a Plotly figure, plotly.js embedded (works offline)."""
    return figure.to_html(include_plotlyjs=True, full_html=True)


def script_text(config) -> str:
    return keras_script(config)


def file_stem(config) -> str:
    """A readable file name stem for a configuration's downloads."""
    return config.key().rsplit("-", 1)[0]
