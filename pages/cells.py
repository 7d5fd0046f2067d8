"""
Lesson: SimpleRNN, GRU and LSTM, and their gradients (course notes, book chapter 1).

The three cells are trained with the same units, data and seed on a task
with a long lag (output the marked value seen `lag` steps before the end)
or on the damped sine wave: their loss curves, held-out errors and
parameter counts side by side. Then the vanishing gradient, measured: the
size of the gradient of the loss with respect to the input at each time
step. Last, the exploding gradient: one cell trained with plain SGD at a
learning rate the teacher picks, with or without gradient clipping, step by
step, and the NaN named when it comes. Every text comes from the UI
catalogues (`ui/locales`), and a preset menu prepares the classic cases.
"""

import math

import pandas as pd
import streamlit as st

from lstm_core import concept_figures, presets
from lstm_core.config import max_epochs, max_train_size, max_units
from lstm_core.recurrent import CELLS, GUESS_MAE, CellsConfig, ExplodeConfig
from ui import cache, i18n, params, widgets
from ui.frame import require_app
from ui.i18n import t
from ui.presets import preset_ui

require_app()

DEFAULT = CellsConfig  # the field defaults
TRAIN_SIZES = [256, 512, 1_024, 2_048, 4_096, 8_192]
_SIZES = [size for size in TRAIN_SIZES if size <= max_train_size()] or [max_train_size()]
LEARNING_RATES = [1e-3, 3e-3, 1e-2, 3e-2]
SGD_RATES = [0.01, 0.03, 0.1, 0.3, 0.5, 1.0, 2.0, 5.0]
FORMULAS = {"SimpleRNN": "u·(i + u + 1)", "GRU": "3·u·(i + u + 2)", "LSTM": "4·u·(i + u + 1)"}
URL_PARAMETERS = [
    params.whole_number("length", 10, 100, DEFAULT.length),
    params.whole_number("lag", 0, 99, DEFAULT.lag),
    params.whole_number("units", 1, max_units(), min(DEFAULT.units, max_units())),
    params.choice("train_size", _SIZES, min(DEFAULT.train_size, _SIZES[-1])),
    params.whole_number("epochs", 1, min(30, max_epochs()), min(DEFAULT.epochs, max_epochs())),
    params.whole_number("seed", 0, 10_000, DEFAULT.seed),
    params.choice("learning_rate", LEARNING_RATES, DEFAULT.learning_rate),
    params.choice("explode_learning_rate", SGD_RATES, 2.0),
]


def divergence_text(fit) -> str:
    """The fit's NaN or overflow, in words of the chosen language (empty if the loss stayed finite)."""
    if not fit.diverged:
        return ""
    kind = "nan" if math.isnan(fit.final_loss()) else "inf"
    return t(f"cells.diverged.{kind}", step=fit.diverged_step)


def cells_model_ui():
    with st.sidebar.form("cells_model"):
        st.header(t("cells.model.header"))
        # The names are looked up now: a format_func must not read the language later, outside this run.
        tasks = {task: t(f"cells.task.{task}") for task in ("lag", "sine")}
        task = st.radio(t("cells.task"), list(tasks), key="task", horizontal=True, bind="query-params",
                        format_func=tasks.get, help=t("cells.task.help"))
        length = st.slider(t("cells.length"), 10, 100, DEFAULT.length, step=5, key="length",
                           bind="query-params", help=t("cells.length.help"))
        lag = st.slider(t("cells.lag"), 0, 99, DEFAULT.lag, key="lag", bind="query-params",
                        help=t("cells.lag.help"))
        units = st.slider(t("cells.units"), 1, max_units(), min(DEFAULT.units, max_units()), key="units",
                          bind="query-params", help=t("cells.units.help"))
        train_size = st.select_slider(t("cells.train_size"), _SIZES, min(DEFAULT.train_size, _SIZES[-1]),
                                      key="train_size", bind="query-params", help=t("cells.train_size.help"))
        epochs = st.slider(t("cells.epochs"), 1, min(30, max_epochs()), min(DEFAULT.epochs, max_epochs()),
                           key="epochs", bind="query-params", help=t("cells.epochs.help"))
        seed = st.number_input(t("cells.seed"), 0, 10_000, DEFAULT.seed, key="seed", bind="query-params",
                               help=t("cells.seed.help"))
        learning_rate = st.select_slider(t("cells.learning_rate"), LEARNING_RATES, DEFAULT.learning_rate,
                                         key="learning_rate", bind="query-params",
                                         help=t("cells.learning_rate.help"))
        pressed = st.form_submit_button(t("cells.train"), type="primary", key="cells_train",
                                        help=t("cells.train.help"))
    values = dict(task=task, length=length, lag=lag if task == "lag" else 0, units=units,
                  train_size=train_size, epochs=epochs, seed=int(seed), learning_rate=float(learning_rate))
    return values, pressed


def cells_results_ui(result, config):
    columns = st.columns(4)
    for column, cell in zip(columns, CELLS):
        error = result.errors[cell]
        delta = t("cells.metric.vs_guessing", delta=error - GUESS_MAE) if config.task == "lag" else None
        column.metric(t("cells.metric.mae", cell=cell), f"{error:.4f}", delta, delta_color="inverse")
    columns[3].metric(t("cells.metric.time"), t("cells.seconds", seconds=result.seconds),
                      t("cells.compiled_now") if result.fit.compiled else t("cells.compiled_reused"),
                      delta_color="off")
    if result.fit.diverged:
        st.error(t("cells.failed", message=divergence_text(result.fit)))
    left, right = st.columns([3, 2])
    left.plotly_chart(i18n.figure(concept_figures.curves_figure(
        result.fit.examples, {cell: result.fit.losses[cell] for cell in CELLS},
        title=t("cells.loss.title"), x_title=t("cells.loss.x"), y_title=t("cells.loss.y"), log_y=True)))
    with right:
        st.markdown(t("cells.parameters"))
        rows = [{t("cells.column.cell"): cell, t("cells.column.formula"): FORMULAS[cell],
                 t("cells.column.parameters"): result.parameters[cell]} for cell in CELLS]
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
        st.caption(t("cells.parameters.caption", features=config.features, units=config.units))
    st.subheader(t("cells.vanishing.header"))
    marked = config.length - 1 - config.lag if config.task == "lag" else None
    st.plotly_chart(i18n.figure(concept_figures.gradient_figure(result.gradients, result.initial_gradients,
                                                                marked_step=marked)))
    st.caption(t("cells.vanishing.caption"))


def explode_ui():
    st.subheader(t("cells.explode.header"))
    st.markdown(t("cells.explode.intro"))
    with st.form("explode_model"):
        left, middle, right = st.columns(3)
        cell = left.selectbox(t("cells.explode.cell"), CELLS, key="explode_cell", bind="query-params",
                              help=t("cells.explode.cell.help"))
        learning_rate = middle.select_slider(
            t("cells.explode.learning_rate"), SGD_RATES, 2.0, key="explode_learning_rate", bind="query-params",
            help=t("cells.explode.learning_rate.help"))
        clip = right.toggle(t("cells.explode.clip"), key="explode_clip", bind="query-params",
                            help=t("cells.explode.clip.help"))
        pressed = st.form_submit_button(t("cells.explode.train"), type="primary", key="explode_train",
                                        help=t("cells.explode.train.help"))
    config = widgets.config_or_stop(ExplodeConfig, cell=cell, learning_rate=float(learning_rate),
                                    clipnorm=1.0 if clip else 0.0)
    run = widgets.experiment_or_prompt(cache.explode_run, config, pressed, page="cells_explode",
                                       what=t("cells.explode.what"), spinner=t("cells.explode.spinner"))
    if run is None:
        return
    fit = run.fit
    message = divergence_text(fit)
    if fit.diverged:
        st.error(t("cells.explode.diverged", message=message[:1].upper() + message[1:],
                   learning_rate=f"{config.learning_rate:g}",
                   clipping=t("cells.explode.with_clipping") if config.clipnorm else t("cells.explode.without_clipping")))
    else:
        st.success(t("cells.explode.finite", steps=int(fit.steps[-1]), norm=fit.gradient_norm.max(),
                     loss=fit.final_loss()))
    st.plotly_chart(i18n.figure(concept_figures.explode_figure(
        fit.steps, fit.losses["loss"], fit.gradient_norm, diverged_step=fit.diverged_step, message=message)))


st.title(t("cells.title"))
st.caption(t("cells.caption"))
preset_ui("cells", presets.CELLS)
params.check(URL_PARAMETERS)
values, pressed = cells_model_ui()
config = widgets.config_or_stop(CellsConfig, **values)
comparison = widgets.experiment_or_prompt(
    cache.cell_comparison, config, pressed, page="cells", what=t("cells.what"), spinner=t("cells.spinner"))
if comparison is not None:
    cells_results_ui(comparison, config)
explode_ui()
