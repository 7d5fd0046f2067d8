"""
Lesson: SimpleRNN, GRU and LSTM, and their gradients (course notes, book chapter 1).

The three cells are trained with the same units, data and seed on a task
with a long lag (output the marked value seen `lag` steps before the end)
or on the damped sine wave: their loss curves, held-out errors and
parameter counts side by side. Then the vanishing gradient, measured: the
size of the gradient of the loss with respect to the input at each time
step, and the gates of the trained GRU beside the LSTM's. Then the gradient
through time itself: a SimpleRNN whose recurrent weights start at a scale the
teacher picks, its ‖∂h_T/∂h_k‖ at the start (no training), and two trainings
on a task that needs the whole sequence, without and with gradient clipping.
Last, SGD divergence: one cell trained with plain SGD at a learning rate too
large, with or without clipping, step by step, and the NaN named when it
comes. Every text comes from the UI catalogues (`ui/locales`), and a preset
menu prepares the classic cases.
"""

import math

import pandas as pd
import streamlit as st

from lstm_core import presets
from lstm_core.engine.config import max_epochs, max_train_size, max_units
from lstm_core.experiments import CellsConfig, ExplodeConfig, ThroughTimeConfig
from lstm_core.experiments import cells, through_time
from lstm_core.experiments.cells import GUESS_MAE, TASKS
from lstm_core.experiments.formulas import CELLS
from lstm_core.figures import concepts as concept_figures
from lstm_core.figures import replay as replay_figures
from lstm_core.figures import through_time as through_time_figures
from ui import cache, controls, i18n, params, replay, widgets
from ui.frame import require_app
from ui.i18n import t
from ui.controls import Control
from ui.presets import preset_ui, values as config_values  # not `values`: the page's `values` below hides it

require_app()

TRAIN_SIZES = (256, 512, 1_024, 2_048, 4_096, 8_192)
LEARNING_RATES = (1e-3, 3e-3, 1e-2, 3e-2)
SGD_RATES = (0.01, 0.03, 0.1, 0.3, 0.5, 1.0, 2.0, 5.0)
FORMULAS = {"SimpleRNN": "u·(i + u + 1)", "GRU": "3·u·(i + u + 2)", "LSTM": "4·u·(i + u + 1)"}
CELLS_FIELDS = ("task", "length", "lag", "units", "train_size", "epochs", "seed", "learning_rate")
EXPLODE_KEYS = {"explode_cell": "cell", "explode_learning_rate": "learning_rate"}  # control key → ExplodeConfig field
# → ThroughTimeConfig; its seed stays the default's, whose run shows the explosion (the page's `seed` is the cells')
THROUGH_KEYS = {"through_scale": "scale", "through_length": "length"}
GATES = {"GRU": {"GRU update gate z": "update_gate", "GRU reset gate r": "reset_gate"},  # row by row: z beside f
         "LSTM": {"LSTM forget gate f": "forget_gate", "LSTM input gate i": "input_gate",
                  "LSTM output gate o": "output_gate"}}


def page_controls() -> dict:
    """The page's controls, by key (widgets, link parameters and presets all read these)."""
    return {
        "task": controls.choice("task", TASKS, CellsConfig.task, kind="radio"),
        "length": controls.slider("length", 10, 100, CellsConfig.length, step=5),
        "lag": controls.slider("lag", 0, 99, CellsConfig.lag),
        **controls.training(CellsConfig, TRAIN_SIZES, most_epochs=30),
        "learning_rate": controls.choice("learning_rate", LEARNING_RATES, CellsConfig.learning_rate),
        "explode_cell": controls.choice("explode_cell", CELLS, ExplodeConfig.cell, kind="select"),
        "explode_learning_rate": controls.choice("explode_learning_rate", SGD_RATES, ExplodeConfig.learning_rate),
        "explode_clip": Control("explode_clip", "toggle", ExplodeConfig.clipnorm > 0),
        "through_scale": controls.choice("through_scale", through_time.SCALE_CHOICES, ThroughTimeConfig.scale),
        "through_length": controls.slider("through_length", *through_time.LENGTH_RANGE, ThroughTimeConfig.length),
    }


def preset_values(preset, declared: dict) -> dict:
    """A preset's control values: a cells configuration's fields, an SGD run's explode_* controls or a gradient
    through time's through_* controls."""
    config = preset.configs[0]
    if config.experiment == "explode":
        return {**{key: getattr(config, field) for key, field in EXPLODE_KEYS.items()},
                "explode_clip": config.clipnorm > 0}
    if config.experiment == "throughtime":
        return {key: getattr(config, field) for key, field in THROUGH_KEYS.items()}
    return config_values(preset, declared)


def divergence_text(fit) -> str:
    """The fit's NaN or overflow, in words of the chosen language (empty if the loss stayed finite)."""
    if not fit.diverged:
        return ""
    kind = "nan" if math.isnan(fit.final_loss()) else "inf"
    return t(f"cells.diverged.{kind}", step=fit.diverged_step)


def cells_model_ui(declared: dict):
    with st.sidebar.form("cells_model"):
        st.header(t("cells.model.header"))
        # The names are looked up now: a format_func must not read the language later, outside this run.
        tasks = {task: t(f"cells.task.{task}") for task in TASKS}
        values = {key: declared[key].widget(t(f"cells.{key}"), t(f"cells.{key}.help"),
                                            **({"format_func": tasks.get, "horizontal": True} if key == "task" else {}))
                  for key in CELLS_FIELDS}
        pressed = st.form_submit_button(t("cells.train"), type="primary", key="cells_train",
                                        help=t("cells.train.help"))
    if values["task"] != "lag":
        values["lag"] = 0
    return values, pressed


def cells_results_ui(trained, config):
    result = cache.view(config)
    columns = st.columns(4)
    for column, cell in zip(columns, CELLS):
        error = result.errors[cell]
        delta = widgets.versus_guessing("cells.metric.vs_guessing", error - GUESS_MAE) if config.task == "lag" else {}
        # Grey, not green: a cell 0.005 below guessing has learned nothing, and a colour would call it a success.
        column.metric(t("cells.metric.mae", cell=cell), f"{error:.4f}", **delta, delta_color="off")
    columns[3].metric(t("cells.metric.time"), t("cells.seconds", seconds=trained.seconds),
                      widgets.source_text(trained), delta_color="off")
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
    st.caption(t("cells.vanishing.caption", examples=cells.GRADIENT_EXAMPLES))
    gates_ui(config, marked)
    st.page_link("pages/inside_lstm.py", label=t("inside_lstm.path.from_cells"), icon=":material/biotech:")
    replay_ui(result, config, marked)


def gates_ui(config, marked):
    """The trained GRU's update and reset gates beside the LSTM's forget, input and output gates, one sequence."""
    st.subheader(t("cells.gates.header"))
    st.markdown(t("cells.gates.intro"))
    found = cache.cell_gates(config)
    traces = {"GRU": found.gru, "LSTM": found.lstm}
    columns = {cell: {title: traces[cell].get(name) for title, name in gates.items()} for cell, gates in GATES.items()}
    st.plotly_chart(i18n.figure(concept_figures.gates_figure(columns, marked_step=marked)))
    st.caption(t("cells.gates.caption", difference=found.difference))


def replay_ui(result, config, marked):
    """The gradient profiles and held-out errors at each snapshot of the training, played in the browser."""
    st.subheader(t("cells.replay.header"))
    examples = result.fit.snapshots.steps * result.fit.batch_size
    chart = st.container()
    moment = replay.moment_ui("cells", len(examples))
    chart.plotly_chart(i18n.figure(replay_figures.cells_replay_figure(
        examples, result.replay_errors, result.replay_gradients, labels=replay.labels(examples, examples[-1]),
        title=t("cells.replay.title"), texts=replay.texts(), active=moment, marked_step=marked,
        guess=GUESS_MAE if config.task == "lag" else None, error_title=t("cells.replay.error"),
        gradient_title=t("cells.replay.gradient"))))
    st.caption(t("cells.replay.caption", examples=cells.GRADIENT_EXAMPLES))


def through_time_ui(declared: dict):
    """The gradient through time of a SimpleRNN at the start (no training), then two trainings without and with
    clipping."""
    st.subheader(t("through_time.header"))
    st.markdown(t("through_time.intro", learning_rate=ThroughTimeConfig.learning_rate, clipnorm=through_time.CLIPNORM))
    with st.form("through_time_model"):
        values = {field: declared[key].widget(t(f"through_time.{field}"), t(f"through_time.{field}.help"), where)
                  for (key, field), where in zip(THROUGH_KEYS.items(), st.columns(len(THROUGH_KEYS)))}
        draw, train = st.columns([1, 2])
        draw.form_submit_button(t("through_time.draw"), key="through_draw", help=t("through_time.draw.help"))
        pressed = train.form_submit_button(t("through_time.train"), type="primary", key="through_train",
                                           help=t("through_time.train.help"))
    # The run's other settings are its defaults, lowered to the teacher's limits as the controls' defaults are.
    config = widgets.config_or_stop(ThroughTimeConfig, scale=float(values["scale"]), length=values["length"],
                                    units=min(ThroughTimeConfig.units, max_units()),
                                    train_size=min(ThroughTimeConfig.train_size, max_train_size()),
                                    epochs=min(ThroughTimeConfig.epochs, max_epochs()))
    profile = cache.through_time_profile(config)
    st.plotly_chart(i18n.figure(through_time_figures.profile_figure(
        profile.steps_back, profile.median, profile.bound,
        title=t("through_time.profile.title", scale=config.scale, length=config.length),
        x_title=t("through_time.profile.x"), y_title=t("through_time.profile.y"),
        median_label=t("through_time.profile.median", examples=profile.norms.shape[0]),
        bound_label=t("through_time.profile.bound", scale=config.scale))))
    st.markdown(t("through_time.profile.grows" if profile.grows else "through_time.profile.shrinks",
                  steps=profile.steps - 1, first=profile.first, per_step=profile.per_step))
    st.caption(t("through_time.profile.caption", examples=profile.norms.shape[0], scale=config.scale))
    runs = []
    for run_config in (config, config.clipped()):
        label = run_label(run_config)
        trained = widgets.trained_or_prompt(run_config, pressed, prompt=t("through_time.prompt"), label=label,
                                            button=False)  # its Train button is on the page, in present mode too
        if trained is None:
            return
        runs.append((label, trained))
    clipping_ui(config, runs)


def run_label(config) -> str:
    return t("through_time.run.with", clipnorm=config.clipnorm) if config.clipnorm else t("through_time.run.without")


def clipping_ui(config, runs):
    """What clipping did: the loss and the gradient norm of both runs, each run's result in words, its error."""
    st.plotly_chart(i18n.figure(through_time_figures.clipping_figure(
        [(label, trained.steps, trained.losses["loss"], trained.gradient_norm, trained.diverged_step)
         for label, trained in runs], clipnorm=config.clipped().clipnorm,
        title=t("through_time.clip.title", learning_rate=config.learning_rate, scale=config.scale),
        x_title=t("through_time.clip.x"), loss_title=t("through_time.clip.loss"),
        norm_title=t("through_time.clip.norm"),
        clip_label=t("through_time.clip.value", clipnorm=config.clipped().clipnorm),
        overflow_label=t("through_time.clip.overflow"))))
    columns = st.columns(len(runs))
    for column, (label, trained) in zip(columns, runs):
        result = through_time.run(trained)
        if result.diverged:
            column.markdown(t("through_time.result.diverged", label=label, step=result.diverged_step,
                              norm=result.largest_norm))
        else:
            column.markdown(t("through_time.result.finite", label=label, steps=result.steps, first=result.first_loss,
                              final=result.final_loss, peak=result.peak_loss, norm=result.largest_norm))
        if result.clipnorm:
            column.markdown(t("through_time.result.bounded", clipnorm=result.clipnorm, update=result.largest_update))
        error = f"{result.error:.4f}" if not math.isnan(result.error) else t("through_time.metric.overflowed")
        delta = {} if math.isnan(result.error) else widgets.versus_guessing("through_time.metric.vs_guessing",
                                                                           result.error - GUESS_MAE)
        # Grey, not green: a delta below guessing is not a success by itself (see cells_results_ui).
        column.metric(t("through_time.metric.error", label=label), error, **delta, delta_color="off")
    st.caption(t("through_time.metric.caption", guess=GUESS_MAE))


def explode_ui(declared: dict):
    st.subheader(t("cells.explode.header"))
    st.markdown(t("cells.explode.intro"))
    with st.form("explode_model"):
        left, middle, right = st.columns(3)
        cell = declared["explode_cell"].widget(t("cells.explode.cell"), t("cells.explode.cell.help"), left)
        learning_rate = declared["explode_learning_rate"].widget(
            t("cells.explode.learning_rate"), t("cells.explode.learning_rate.help"), middle)
        clip = declared["explode_clip"].widget(t("cells.explode.clip"), t("cells.explode.clip.help"), right)
        pressed = st.form_submit_button(t("cells.explode.train"), type="primary", key="explode_train",
                                        help=t("cells.explode.train.help"))
    # The run's other settings are its defaults, lowered to the teacher's limits as the controls' defaults are.
    config = widgets.config_or_stop(ExplodeConfig, cell=cell, learning_rate=float(learning_rate),
                                    clipnorm=1.0 if clip else 0.0, units=min(ExplodeConfig.units, max_units()),
                                    train_size=min(ExplodeConfig.train_size, max_train_size()),
                                    epochs=min(ExplodeConfig.epochs, max_epochs()))
    # Its Train button is on the page, in present mode too: no second one beside the prompt.
    fit = widgets.trained_or_prompt(config, pressed, button=False,
                                    prompt=t("widgets.experiment_prompt", what=t("cells.explode.what")))
    if fit is None:
        return
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
st.markdown(t("cells.memory"))
declared = page_controls()
preset_ui("cells", presets.CELLS, declared, preset_values)
params.check(controls.parameters(declared.values()))
values, pressed = cells_model_ui(declared)
config = widgets.config_or_stop(CellsConfig, **values)
trained = widgets.trained_or_prompt(config, pressed, prompt=t("widgets.experiment_prompt", what=t("cells.what")),
                                    live=replay.cells_live(config))
if trained is not None:
    cells_results_ui(trained, config)
through_time_ui(declared)
explode_ui(declared)
