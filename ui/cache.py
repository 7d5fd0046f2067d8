"""
Every Streamlit cache of LSTM Explorer, in one place.

The policy:
- one `Trainer` per server process (`st.cache_resource`): it owns the model
  store on disk, a bounded in-memory cache of trained models, the training
  slots, and the sharing of identical trainings between students;
- small derived arrays (a wave, a model's predictions on it, its drawings)
  in `st.cache_data`, bounded by `max_entries`, keyed by the configuration's
  `key()` and the page's inputs.

Models are never put in a Streamlit cache directly: the Trainer already
keeps them, and training runs in its own thread so that a rerun (a slider
moved mid-training) does not abort it.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from lstm_core import data, evaluate
from lstm_core.config import RectangleConfig, SineConfig
from lstm_core.service import Trainer

CONFIG_HASH = {SineConfig: lambda c: c.key(), RectangleConfig: lambda c: c.key()}


@st.cache_resource(show_spinner=False)
def trainer() -> Trainer:
    """The process-wide trainer (store folder from `LSTM_EXPLORER_STORE`)."""
    return Trainer()


def is_available(config) -> bool:
    return trainer().is_available(config)


def trained(config, on_update=None, start=None):
    """The trained model of `config`, trained now if needed (see `Trainer.get`; `start` continues a model)."""
    return trainer().get(config, on_update=on_update, start=start)


def cached(config):
    """The model of `config` if it is in memory or in the store, else None (never trains)."""
    return trainer().cached(config)


@st.cache_data(max_entries=256, show_spinner=False)
def sine_wave(period: float, decay: float, length: int = 50, output: int = 5):
    """A test wave: `(inputs, expected)`."""
    return data.sine_example(period, decay, length=length, output=output)


@st.cache_data(max_entries=512, show_spinner=False, hash_funcs=CONFIG_HASH)
def sine_prediction(config: SineConfig, period: float, decay: float) -> np.ndarray:
    inputs, _ = sine_wave(period, decay, config.length, config.output)
    return trained(config).predict(inputs.reshape(1, -1, 1))[0]


@st.cache_data(max_entries=256, show_spinner=False, hash_funcs=CONFIG_HASH)
def rectangle_drawings(config: RectangleConfig, widths: tuple):
    """`(free drawing (4, 2), completions (k, 4, 2), consistency errors (1 + k,))`."""
    model = trained(config)
    free = evaluate.draw_rectangle(model.predict_points)
    completed = evaluate.complete_rectangles(model.predict_points, widths)
    errors = evaluate.consistency_errors(np.concatenate([free[None], completed]))
    return free, completed, errors


def clear() -> None:
    """Empty every Streamlit cache of the app (tests call this between apps)."""
    st.cache_data.clear()
    st.cache_resource.clear()
