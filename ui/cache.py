"""
Every Streamlit cache of LSTM Explorer, in one place.

The policy:
- one `Trainer` per server process (`st.cache_resource`): it owns the model
  store on disk, a bounded in-memory cache of trained models, the training
  slots, and the sharing of identical trainings between students, for every
  experiment of every lesson;
- a page's view of a trained model (`view`: the concept lessons' comparison
  objects, which hold the model) in one bounded `st.cache_resource`;
- small derived arrays (a wave, a model's predictions on it, its drawings)
  in `st.cache_data`, bounded by `max_entries`, keyed by the configuration's
  `key()` and the page's inputs.

Models are never trained in a page's thread: `Trainer.get` trains in a worker
thread of its own, so a rerun (a slider moved mid-training) does not abort
it. The functions below that read a model call `trained(config)` only once
the page has it (memory or store): they never start a training.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from lstm_core import data, experiments, gates
from lstm_core.engine import predict
from lstm_core.engine.config import max_training_seconds
from lstm_core.engine.replay import Replay
from lstm_core.engine.trainer import Trainer
from lstm_core.experiments import bidirectional, encoder_decoder, forecasting, rectangles, sine
from lstm_core.figures import base as figure_base
from ui import warm

predict.JIT_COMPILE = True  # a server predicts on every slider move: compile once, then about a millisecond a call
figure_base.VALIDATE = False  # the same JSON (tests/core/test_figures.py) for a third of a slider move's page run


def _keep_keras_state() -> None:
    """Stop Streamlit from calling `keras.backend.clear_session()` after every page run.

    That call is made for scripts that build a model per run. Here models outlive page runs and trainings
    run in other threads: it swapped out Keras' global state under them (the custom-object scope of a model
    being loaded, the graph scope of a step being traced), emptied TensorFlow's kernel cache (the next
    prediction paid about a millisecond to rebuild it) and ran a full garbage collection, each page run.
    """
    from streamlit.runtime.scriptrunner import script_runner

    if hasattr(script_runner, "_clean_problem_modules"):  # a private hook: without it there is nothing to stop
        script_runner._clean_problem_modules = lambda: None  # matplotlib, its other module, is not used here


_keep_keras_state()

# A configuration is hashed by its key (the same key names its store entry).
CONFIG_HASH = {experiment.config: lambda config: config.key() for experiment in experiments.EXPERIMENTS.values()}


@st.cache_resource(show_spinner=False)
def trainer() -> Trainer:
    """The process-wide trainer (store folder from `LSTM_EXPLORER_STORE`): the warm start's, if the server
    started one (`serve.py`; waiting for it to finish), else a new one."""
    return warm.trainer() or Trainer()


def is_available(config) -> bool:
    return trainer().is_available(config)


def session_id():
    """The id of the Streamlit session running this page (None outside a page run)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    context = get_script_run_ctx(suppress_warning=True)
    return context.session_id if context is not None else None


def trained(config, on_update=None, start=None):
    """The trained model of `config`, trained now if needed (see `Trainer.get`; `start` continues a model).

    A page's training is its session's one queued training (a new one replaces it while it waits) and is
    refused (`cost.TooCostly`) if estimated over the teacher's `LSTM_EXPLORER_MAX_TRAINING_SECONDS`; a model
    already in memory or the store is served whatever it cost.
    """
    return trainer().get(config, on_update=on_update, start=start, session=session_id(),
                         budget=max_training_seconds())


def cached(config):
    """The model of `config` if it is in memory or in the store, else None (never trains)."""
    return trainer().cached(config)


@st.cache_resource(max_entries=16, show_spinner=False, hash_funcs=CONFIG_HASH)
def view(config):
    """What the page reads of the trained model of `config` (`experiments.view`), once per model."""
    return experiments.view(trained(config))


@st.cache_data(max_entries=256, show_spinner=False)
def sine_wave(period: float, decay: float, length: int = 50, output: int = 5):
    """A test wave: `(inputs, expected)`."""
    return data.sine_example(period, decay, length=length, output=output)


@st.cache_data(max_entries=512, show_spinner=False, hash_funcs=CONFIG_HASH)
def sine_prediction(config, period: float, decay: float) -> np.ndarray:
    inputs, _ = sine_wave(period, decay, config.length, config.output)
    return sine.prediction(trained(config), inputs)


@st.cache_data(max_entries=256, show_spinner=False, hash_funcs=CONFIG_HASH)
def rectangle_drawings(config, widths: tuple):
    """`(free drawing (4, 2), completions (k, 4, 2), consistency errors (1 + k,))`."""
    return rectangles.drawings(trained(config), widths)


@st.cache_resource(max_entries=16, show_spinner=False, hash_funcs=CONFIG_HASH)
def replay(config) -> Replay:
    """One model of `config`'s architecture to draw its views at each snapshot (`engine.replay`)."""
    return Replay(experiments.of(config), config, results=trained(config).results)


def replay_frames(config, draw) -> tuple:
    """`(examples seen (K,), [draw(model at snapshot k)])` for the trained model of `config`."""
    model = trained(config)
    return _seen(model), replay(config).frames(model.snapshots, draw)


def _seen(model):
    """The training examples a model had seen at each of its snapshots."""
    return model.snapshots.steps * model.batch_size


@st.cache_data(max_entries=128, show_spinner=False, hash_funcs=CONFIG_HASH)
def sine_replay(config, period: float, decay: float):
    """`(examples seen (K,), predictions (K, output))` of the test wave at each snapshot."""
    inputs, _ = sine_wave(period, decay, config.length, config.output)
    model = trained(config)
    return _seen(model), replay(config).predictions(model.snapshots, sine.batch(inputs))[:, 0]


@st.cache_data(max_entries=128, show_spinner=False, hash_funcs=CONFIG_HASH)
def rectangle_replay(config, widths: tuple):
    """`(rectangles seen (K,), free drawings (K, 4, 2), completions (K, k, 4, 2))` at each snapshot."""
    examples, drawn = replay_frames(config, lambda model: rectangles.drawings(model, widths)[:2])
    return (rectangles.rectangles_seen(config, examples), np.asarray([free for free, _ in drawn]),
            np.asarray([done for _, done in drawn]))


@st.cache_data(max_entries=64, show_spinner=False, hash_funcs=CONFIG_HASH)
def forecast_replay(config, period: float, decay: float):
    """`(examples seen (K,), [{strategy: forecast (H,)}])` of one wave at each snapshot."""
    return replay_frames(config, lambda model: forecasting.forecasts(model, period, decay))


@st.cache_data(max_entries=256, show_spinner=False, hash_funcs=CONFIG_HASH)
def window_example(config, length: int, period: float, decay: float):
    """`(inputs (length,), expected (output,), {"mlp": (output,), "lstm": (output,)})` for one test wave."""
    inputs, expected = data.sine_example(period, decay, length=length, output=config.output)
    predicted = view(config).predict(inputs)
    return inputs, expected, {name: values[0] for name, values in predicted.items()}


@st.cache_data(max_entries=256, show_spinner=False, hash_funcs=CONFIG_HASH)
def forecast_wave(config, period: float, decay: float):
    """`(inputs, truth, {strategy: forecast}, seq2seq fan)` for one test wave."""
    models = view(config)
    inputs, truth, forecasts = models.wave(period, decay)
    return inputs, truth, forecasts, models.fan(period, decay)


@st.cache_data(max_entries=128, show_spinner=False, hash_funcs=CONFIG_HASH)
def forecast_sweep(config, field: str, values: tuple, fixed: float) -> dict:
    """Each strategy's mean error along a period or decay axis (see `Forecasters.sweep`)."""
    return view(config).sweep(field, values, fixed)


@st.cache_data(max_entries=128, show_spinner=False, hash_funcs=CONFIG_HASH)
def gate_traces(config, period: float, decay: float):
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


# -- stepping through the cell and the gradient path (inside the LSTM) ------------------------

@st.cache_data(max_entries=128, show_spinner=False, hash_funcs=CONFIG_HASH)
def cell_steps(config, period: float, decay: float) -> list:
    """`stepper.LayerSteps` of every LSTM layer of the trained model of `config` on one wave, input side first."""
    from lstm_core import stepper

    inputs, _ = sine_wave(period, decay, config.length, config.output)
    return stepper.model_steps(trained(config).model, inputs[:, None])


@st.cache_resource(max_entries=32, show_spinner=False, hash_funcs=CONFIG_HASH)
def cell_figure(config, period: float, decay: float, layer: int, unit: int, texts: dict):
    """The animated cell of one unit (one frame per step: ~0.1 s to build), once per model, wave, layer, unit
    and language (`texts`). A resource, not data: unpickling a figure would validate it again; the page only
    reads it."""
    from lstm_core.figures import cell as cell_figures

    inputs, _ = sine_wave(period, decay, config.length, config.output)
    return cell_figures.cell_figure(cell_steps(config, period, decay)[layer - 1], unit, inputs, texts=texts)


@st.cache_data(max_entries=128, show_spinner=False, hash_funcs=CONFIG_HASH)
def simple_rnn_path(config, period: float, decay: float) -> np.ndarray:
    """‖∂h_T/∂h_k‖₂ for k = 0 ... T of the SimpleRNN of the cells experiment `config` (task "sine") on one wave."""
    from lstm_core import stepper

    inputs, _ = sine_wave(period, decay, config.length)
    return stepper.simple_rnn_path(trained(config).model, inputs[:, None])


@st.cache_data(max_entries=16, show_spinner=False, hash_funcs=CONFIG_HASH)
def lag_paths(config):
    """`(forget gates (steps, units) of the LSTM branch, ‖∂h_T/∂h_k‖₂ (steps,) of the SimpleRNN branch)` of the
    cells experiment `config` (task "lag") on its first held-out sequence."""
    from lstm_core import stepper

    inputs, _ = experiments.cells.holdout(config, 1)
    model = trained(config).model
    return stepper.cells_forget_gates(model, inputs[0]), stepper.simple_rnn_path(model, inputs[0])


# -- the class board (pages/board.py) -----------------------------------------------------------

def board():
    """The class board of this server's model store (`lstm_core.board.BoardFolder`): one per store folder,
    shared by every session, which looks at the store's listing at most every 2 s and reads each entry once."""
    from lstm_core.engine.store import default_root

    return _board(str(default_root()))


@st.cache_resource(max_entries=4, show_spinner=False)
def _board(root: str):
    import gc

    from lstm_core.board import BoardFolder

    # Streamlit collects garbage after every run, and every open board reruns every few seconds: on a server that
    # never loaded Keras (which freezes them too, engine/backend.py) a full collection over the imports (pandas,
    # plotly, ...) was most of a redraw's cost (benchmarks/board.py). Frozen, they are out of the collector's sight.
    gc.freeze()
    return BoardFolder(root)


@st.cache_resource(max_entries=32, show_spinner=False)
def board_view(name: str, version: int, language: str, _draw):
    """A view of the board (its chart or its table, `name`) at one version of the board (`Scan.version`), in one
    language: made once (`_draw()`, not hashed) for every open board, which redraws it every few seconds."""
    return _draw()


@st.cache_resource(max_entries=64, show_spinner=False)
def live_view(key: str, at: int, inputs: tuple, language: str, _draw):
    """A live view of the training of configuration `key` (`widgets.trained_or_prompt`: its main figure at the
    snapshot of step `at`, or its loss curve of `at` points), for a page's `inputs` to it, in one language: drawn
    once (`_draw()`, not hashed) for every student waiting on that training, each showing it about once a second."""
    return _draw()


# -- the gradient through time and the GRU's gates (the cells lesson) ---------------------------

@st.cache_data(max_entries=64, show_spinner=False, hash_funcs=CONFIG_HASH)
def through_time_profile(config):
    """‖∂h_T/∂h_k‖ at the seeded start of the through-time experiment `config` (`through_time.Profile`):
    computed from the initial weights, no training (a fraction of a second once traced, once per process)."""
    from lstm_core.experiments import through_time

    return through_time.initial_profile(config)


@st.cache_data(max_entries=32, show_spinner=False, hash_funcs=CONFIG_HASH)
def cell_gates(config):
    """The gates of the trained GRU and LSTM of the cells experiment `config` on its first held-out sequence
    (`gru_gates.CellGates`)."""
    from lstm_core import gru_gates

    inputs, _ = experiments.cells.holdout(config, 1)
    return gru_gates.cells_gates(trained(config).model, inputs[0])


# -- bidirectional, encoder-decoder, teacher forcing (pages/sequence_models.py) ----------------------

@st.cache_data(max_entries=256, show_spinner=False, hash_funcs=CONFIG_HASH)
def model_wave(config, period: float, decay: float):
    """One test wave as a bidirectional or encoder-decoder model's page reads it (`view(config).wave`)."""
    return view(config).wave(period, decay)


@st.cache_data(max_entries=64, show_spinner=False, hash_funcs=CONFIG_HASH)
def gap_replay(config, period: float, decay: float):
    """`(examples seen (K,), [{model: fill (gap,)}])` of one wave's gap at each snapshot."""
    return replay_frames(config, lambda model: bidirectional.fills(model, period, decay))


@st.cache_data(max_entries=64, show_spinner=False, hash_funcs=CONFIG_HASH)
def sequence_forecast_replay(config, period: float, decay: float):
    """`(examples seen (K,), [{model: forecast (Ty,)}])` of one wave by the encoder-decoder models at each snapshot."""
    return replay_frames(config, lambda model: encoder_decoder.forecasts(model, period, decay))


@st.cache_data(max_entries=16, show_spinner=False, hash_funcs=CONFIG_HASH)
def teacher_forcing_errors(config) -> dict:
    """The forecasting model's recursive branch, free running and teacher forced, by step ahead (held out)."""
    return view(config).teacher_forcing_errors()


@st.cache_data(max_entries=64, show_spinner=False, hash_funcs=CONFIG_HASH)
def teacher_forcing_replay(config, period: float, decay: float):
    """`(examples seen (K,), [{"free_running": (H,), "teacher_forced": (H,)}])` of one wave at each snapshot."""
    return replay_frames(config, lambda model: forecasting.recursive_runs(model, period, decay))


def clear() -> None:
    """Empty every Streamlit cache of the app (tests call this between apps)."""
    st.cache_data.clear()
    st.cache_resource.clear()
