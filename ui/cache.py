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
from lstm_core import forecasting, gates, problems, recurrent
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


# -- concept lessons: sequence problems, cells and gradients, forecasting, inside the LSTM --------
# Their small experiments (an MLP beside an LSTM, three cells side by side, three forecasting
# strategies, an SGD run) train in a few seconds in memory through `lstm_core.fitting`, which keeps
# compiled models for reuse; they are not stored on disk. Each result, models included, is kept
# here with `st.cache_resource`, bounded and keyed by the configuration's `key()`; Streamlit's
# per-key lock makes two students asking for the same one share a single training. Training runs
# in the script thread, so the pages put its controls in an `st.form`.
CONCEPT_HASH = {
    problems.WindowConfig: lambda c: c.key(), recurrent.CellsConfig: lambda c: c.key(),
    recurrent.ExplodeConfig: lambda c: c.key(), forecasting.ForecastConfig: lambda c: c.key(),
    SineConfig: lambda c: c.key(),
}


@st.cache_resource(max_entries=6, show_spinner=False, hash_funcs=CONCEPT_HASH)
def window_comparison(config: problems.WindowConfig) -> problems.WindowComparison:
    return problems.compare_window(config)


@st.cache_resource(max_entries=8, show_spinner=False, hash_funcs=CONCEPT_HASH)
def cell_comparison(config: recurrent.CellsConfig) -> recurrent.CellComparison:
    return recurrent.compare_cells(config)


@st.cache_resource(max_entries=16, show_spinner=False, hash_funcs=CONCEPT_HASH)
def explode_run(config: recurrent.ExplodeConfig) -> recurrent.ExplodeRun:
    return recurrent.explode(config)


@st.cache_resource(max_entries=6, show_spinner=False, hash_funcs=CONCEPT_HASH)
def forecasters(config: forecasting.ForecastConfig) -> forecasting.Forecasters:
    return forecasting.train_forecasters(config)


@st.cache_data(max_entries=256, show_spinner=False, hash_funcs=CONCEPT_HASH)
def window_example(config: problems.WindowConfig, length: int, period: float, decay: float):
    """`(inputs (length,), expected (output,), {"mlp": (output,), "lstm": (output,)})` for one test wave."""
    inputs, expected = data.sine_example(period, decay, length=length, output=config.output)
    predicted = window_comparison(config).predict(inputs)
    return inputs, expected, {name: values[0] for name, values in predicted.items()}


@st.cache_data(max_entries=256, show_spinner=False, hash_funcs=CONCEPT_HASH)
def forecast_wave(config: forecasting.ForecastConfig, period: float, decay: float):
    """`(inputs, truth, {strategy: forecast}, seq2seq fan)` for one test wave."""
    models = forecasters(config)
    inputs, truth, forecasts = models.wave(period, decay)
    return inputs, truth, forecasts, models.fan(period, decay)


@st.cache_data(max_entries=128, show_spinner=False, hash_funcs=CONCEPT_HASH)
def forecast_sweep(config: forecasting.ForecastConfig, field: str, values: tuple, fixed: float) -> dict:
    """Each strategy's mean error along a period or decay axis (see `Forecasters.sweep`)."""
    return forecasters(config).sweep(field, values, fixed)


@st.cache_data(max_entries=128, show_spinner=False, hash_funcs=CONCEPT_HASH)
def gate_traces(config: SineConfig, period: float, decay: float):
    """Gates and states of every LSTM layer of the trained model for one wave, computed from its weights.

    Returns `(traces, difference)`: one `gates.LayerTrace` per layer (arrays of
    shape (steps, units)) and the largest difference between the hidden states
    computed by hand and Keras' own.
    """
    model = trained(config).model
    inputs, _ = sine_wave(period, decay, config.length, config.output)
    traces = gates.trace_model(model, inputs[:, None])
    keras_states = gates.keras_hidden_states(model, inputs[:, None])
    difference = max(float(np.abs(trace.hidden - states[0]).max()) for trace, states in zip(traces, keras_states))
    return traces, difference


def clear() -> None:
    """Empty every Streamlit cache of the app (tests call this between apps)."""
    st.cache_data.clear()
    st.cache_resource.clear()
