"""
Lesson: SimpleRNN, GRU and LSTM, and their gradients (course notes, book chapter 1).

The three cells are trained with the same units, data and seed on a task
with a long lag (output the marked value seen `lag` steps before the end)
or on the damped sine wave: their loss curves, held-out errors and
parameter counts side by side. Then the vanishing gradient, measured: the
size of the gradient of the loss with respect to the input at each time
step. Last, the exploding gradient: one cell trained with plain SGD at a
learning rate the teacher picks, with or without gradient clipping, step by
step, and the NaN named when it comes.
"""

import pandas as pd
import streamlit as st

from lstm_core import concept_figures
from lstm_core.config import max_epochs, max_train_size, max_units
from lstm_core.recurrent import CELLS, GUESS_MAE, CellsConfig, ExplodeConfig
from ui import cache, params, widgets
from ui.frame import require_app

require_app()

DEFAULT = CellsConfig  # the field defaults
TRAIN_SIZES = [256, 512, 1_024, 2_048, 4_096, 8_192]
_SIZES = [size for size in TRAIN_SIZES if size <= max_train_size()] or [max_train_size()]
LEARNING_RATES = [1e-3, 3e-3, 1e-2, 3e-2]
SGD_RATES = [0.01, 0.03, 0.1, 0.3, 0.5, 1.0, 2.0, 5.0]
FORMULAS = {"SimpleRNN": "u·(i + u + 1)", "GRU": "3·u·(i + u + 2)", "LSTM": "4·u·(i + u + 1)"}
URL_PARAMETERS = [
    params.whole_number("cells_length", 10, 100, DEFAULT.length),
    params.whole_number("cells_lag", 0, 99, DEFAULT.lag),
    params.whole_number("cells_units", 1, max_units(), min(DEFAULT.units, max_units())),
    params.choice("cells_train_size", _SIZES, min(DEFAULT.train_size, _SIZES[-1])),
    params.whole_number("cells_epochs", 1, min(30, max_epochs()), min(DEFAULT.epochs, max_epochs())),
    params.whole_number("cells_seed", 0, 10_000, DEFAULT.seed),
    params.choice("cells_learning_rate", LEARNING_RATES, DEFAULT.learning_rate),
    params.choice("explode_learning_rate", SGD_RATES, 2.0),
]


def cells_model_ui():
    with st.sidebar.form("cells_model"):
        st.header("Three cells")
        task = st.radio("task", ["lag", "sine"], key="cells_task", horizontal=True, bind="query-params",
                        format_func={"lag": "long lag", "sine": "damped sine"}.get,
                        help="Long lag: output the marked value seen `lag` steps before the end of a random "
                             "sequence (guessing scores 0.25). Damped sine: the book's wave, 50 steps in, 5 out.")
        length = st.slider("sequence length", 10, 100, DEFAULT.length, step=5, key="cells_length",
                           bind="query-params",
                           help="Steps in each sequence (both tasks). Longer sequences take longer to train.")
        lag = st.slider("lag", 0, 99, DEFAULT.lag, key="cells_lag", bind="query-params",
                        help="Long-lag task only: how many steps before the end the value to remember is marked. "
                             "Watch the SimpleRNN fail first as it grows (at 20 it usually fails, the gated cells "
                             "usually learn). Must be less than the sequence length.")
        units = st.slider("units", 1, max_units(), min(DEFAULT.units, max_units()), key="cells_units",
                          bind="query-params", help="The same number of units for all three cells.")
        train_size = st.select_slider("training sequences", _SIZES, min(DEFAULT.train_size, _SIZES[-1]),
                                      key="cells_train_size", bind="query-params",
                                      help="The same sequences, in the same order, for all three cells.")
        epochs = st.slider("epochs", 1, min(30, max_epochs()), min(DEFAULT.epochs, max_epochs()),
                           key="cells_epochs", bind="query-params",
                           help="Passes over the training sequences. The gated cells often learn the lag task "
                                "suddenly, after a few epochs: watch for the drop in their loss curves.")
        seed = st.number_input("seed", 0, 10_000, DEFAULT.seed, key="cells_seed", bind="query-params",
                               help="Same seed, same data and initial weights. Other seeds can change which "
                                    "cells learn a long lag: try a few.")
        learning_rate = st.select_slider("learning rate (Adam)", LEARNING_RATES, DEFAULT.learning_rate,
                                         key="cells_learning_rate", bind="query-params",
                                         help="Step size of the Adam optimizer, the same for the three cells.")
        pressed = st.form_submit_button("Train", type="primary", key="cells_train",
                                        help="Train the three cells side by side (a few seconds; a new length or "
                                             "units value first compiles the model, 10-20 s).")
    values = dict(task=task, length=length, lag=lag if task == "lag" else 0, units=units,
                  train_size=train_size, epochs=epochs, seed=int(seed), learning_rate=float(learning_rate))
    return values, pressed


def cells_results_ui(result, config):
    columns = st.columns(4)
    for column, cell in zip(columns, CELLS):
        error = result.errors[cell]
        delta = f"{error - GUESS_MAE:+.3f} vs guessing" if config.task == "lag" else None
        column.metric(f"{cell}: held-out MAE", f"{error:.4f}", delta, delta_color="inverse")
    columns[3].metric("training time", f"{result.seconds:.1f} s",
                      "compiled now" if result.fit.compiled else "compiled model reused", delta_color="off")
    if result.fit.diverged:
        st.error(f"Training failed: {result.fit.divergence_message()}. Try a smaller learning rate.")
    left, right = st.columns([3, 2])
    left.plotly_chart(concept_figures.curves_figure(
        result.fit.examples, {cell: result.fit.losses[cell] for cell in CELLS},
        title="Training loss (mean squared error)", x_title="training sequences seen", y_title="loss",
        log_y=True))
    with right:
        st.markdown("**Parameters** (i inputs, u units; Keras' GRU keeps two bias vectors)")
        rows = [{"cell": cell, "formula": FORMULAS[cell], "parameters": result.parameters[cell]} for cell in CELLS]
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
        st.caption(f"Here i = {config.features}, u = {config.units}. The LSTM has four weight blocks (three gates "
                   "and the candidate), the GRU three, the SimpleRNN one.")
    st.subheader("Vanishing gradients")
    marked = config.length - 1 - config.lag if config.task == "lag" else None
    st.plotly_chart(concept_figures.gradient_figure(result.gradients, result.initial_gradients, marked_step=marked))
    st.caption(
        "Each curve is the size of the gradient of the loss with respect to the input at each step, averaged "
        "over 256 held-out sequences, on a log scale. Backpropagation through time multiplies it at every step "
        "back: a SimpleRNN that failed has a curve that collapses toward the early steps (it cannot learn what "
        "it cannot feel). Dotted: before training, when the gated cells' curves fall too; a gated cell that "
        "learned the task keeps its curve up to the marked step.")


def explode_ui():
    st.subheader("Exploding gradients")
    st.markdown("Plain SGD, mean squared error, the damped sine wave. With a learning rate too large, each step "
                "overshoots, the weights and the gradient grow step after step until the loss overflows. "
                "Gradient clipping (`clipnorm`) rescales a gradient that is too large before the step.")
    with st.form("explode_model"):
        left, middle, right = st.columns(3)
        cell = left.selectbox("cell", CELLS, key="explode_cell", bind="query-params",
                              help="The cell trained with SGD (16 units, 1,024 waves, 2 epochs).")
        learning_rate = middle.select_slider(
            "learning rate (SGD)", SGD_RATES, 2.0, key="explode_learning_rate", bind="query-params",
            help="Step size of plain gradient descent. Around 1 and above the loss usually blows up to NaN "
                 "within a few dozen steps; below 0.5 it usually stays finite.")
        clip = right.toggle("clip the gradient (clipnorm = 1)", key="explode_clip", bind="query-params",
                            help="Rescale each weight's gradient to a norm of at most 1 before the step. Watch the "
                                 "loss stay finite even at a large learning rate (the gradient norm drawn is "
                                 "measured before clipping).")
        pressed = st.form_submit_button("Train with SGD", type="primary", key="explode_train",
                                        help="Train the chosen cell step by step (about a second once compiled).")
    config = widgets.config_or_stop(ExplodeConfig, cell=cell, learning_rate=float(learning_rate),
                                    clipnorm=1.0 if clip else 0.0)
    run = widgets.experiment_or_prompt(cache.explode_run, config, pressed, page="cells_explode",
                                       what="The SGD run is", spinner="Training with SGD, step by step…")
    if run is None:
        return
    fit = run.fit
    if fit.diverged:
        st.error(f"{run.message[0].upper()}{run.message[1:]} (learning rate {config.learning_rate:g}, "
                 f"{'with' if config.clipnorm else 'without'} clipping). The chart ends where it happened.")
    else:
        st.success(f"The loss stayed finite for all {int(fit.steps[-1])} steps; the largest gradient norm was "
                   f"{fit.gradient_norm.max():.3g}, the final loss {fit.final_loss():.3g}.")
    st.plotly_chart(concept_figures.explode_figure(fit.steps, fit.losses["loss"], fit.gradient_norm,
                                                   diverged_step=fit.diverged_step, message=run.message))


st.title("RNN, GRU and LSTM: long lags and gradients")
st.caption("Course notes: vanishing and exploding gradients, gradient clipping, GRU vs LSTM. Book chapter 1: "
           "LSTMs were designed to overcome the vanishing gradient.")
params.check(URL_PARAMETERS)
values, pressed = cells_model_ui()
config = widgets.config_or_stop(CellsConfig, **values)
comparison = widgets.experiment_or_prompt(
    cache.cell_comparison, config, pressed, page="cells", what="The three cells are",
    spinner="Training SimpleRNN, GRU and LSTM side by side…")
if comparison is not None:
    cells_results_ui(comparison, config)
explode_ui()
