"""
Lesson: how much data does an LSTM need? (book chapter 11, figures 11.5-11.7)

The book shows the rectangles its generative LSTM draws after 100, 500,
1,000, 5,000 and 10,000 training rectangles, and says they get better with
more data. This lab trains the same architecture, seed and epochs on a
ladder of training-set sizes and shows them side by side: one panel per
size on the same axes, the held-out error against training size, a table,
and a sentence computed from those errors. The sidebar chooses the
experiment (rectangles or the damped sine wave), its model and the ladder;
every size is an ordinary configuration in the model store, so a size
already trained (by anyone, or by `python -m lstm_core prewarm`) is shown
at once and only new sizes are trained, each with its own progress bar.
"""

import pandas as pd
import streamlit as st

from lstm_core import ladder
from lstm_core.config import ConfigError, RectangleConfig, SineConfig, max_epochs, max_train_size, max_units
from ui import cache, widgets
from ui.frame import require_app

require_app()

EXPERIMENTS = {"rectangles": "Rectangles (generative LSTM, chapter 11)",
               "sine": "Damped sine wave (stacked LSTM, chapter 7)"}
CONFIG_TYPES = {"rectangles": RectangleConfig, "sine": SineConfig}
WIDTHS = (0.25, 0.5, 0.75)  # the given first corners [w, 0] each rectangle model completes
REQUESTED = "training_size_requested"  # keys of the sizes a Train press asked for, kept across reruns


def experiment_ui() -> str:
    return st.sidebar.radio(
        "experiment", list(EXPERIMENTS), format_func=EXPERIMENTS.get, key="ladder_experiment",
        help="Rectangles: the book's chapter 11 figures, one drawing per training size. Damped sine: the "
             "chapter 7 model, one prediction of the same test wave per training size.")


def wave_ui():
    st.sidebar.header("Test wave")
    period = st.sidebar.slider("period", 5, 40, 15, key="ladder_period",
                               help="Steps per oscillation of the wave every model predicts. Training used "
                                    "periods 10 to 20.")
    decay = st.sidebar.slider("decay", 0.0, 0.2, 0.05, step=0.005, format="%.3f", key="ladder_decay",
                              help="How fast the wave dies out. Training used decays 0.01 to 0.1.")
    return period, decay


def ladder_ui(experiment: str):
    """The model every size shares, and the ladder of sizes; in a form so a half-set ladder trains nothing."""
    default = CONFIG_TYPES[experiment]  # the dataclass' field defaults
    choices = [size for size in ladder.SIZE_CHOICES if size <= max_train_size()] or [max_train_size()]
    sizes_default = [size for size in ladder.DEFAULT_SIZES if size in choices] or choices[:1]
    noun = ladder.NOUNS[experiment]
    values = {}
    with st.sidebar.form(f"ladder_{experiment}"):
        st.header("Model (the same for every size)")
        values["units"] = st.slider(
            "units", 1, max_units(), min(default.units, max_units()), key=f"ladder_{experiment}_units",
            help=f"Memory cells in each LSTM layer (the book uses {default.units}). Does a bigger model need "
                 "more data?")
        if experiment == "sine":
            values["depth"] = st.slider("depth", 1, 4, default.depth, key="ladder_sine_depth",
                                        help="Stacked LSTM layers; the book stacks 2.")
        values["epochs"] = st.slider(
            "epochs", 1, min(10, max_epochs()), min(default.epochs, max_epochs()), key=f"ladder_{experiment}_epochs",
            help="Passes over each training set, the same for every size: a small set seen once gives the "
                 "model very few updates. Compare one more epoch against ten times more data.")
        values["seed"] = int(st.number_input(
            "seed", 0, 10_000, default.seed, key=f"ladder_{experiment}_seed",
            help="Same seed, same data and initial weights for every size. Change it to see how much of "
                 "the difference between sizes is luck."))
        st.header("Training sizes")
        sizes = st.multiselect(
            f"{noun} per model", choices, sizes_default, key=f"ladder_{experiment}_sizes",
            format_func=lambda size: f"{size:,}",
            help="One model per size, trained once and kept in the model store: adding a size trains only "
                 "that size. The book's figures use 100, 500, 1,000, 5,000 and 10,000.")
        pressed = st.form_submit_button("Train the ladder", type="primary",
                                        help="Train every size not trained yet, smallest first.")
    return values, sizes, pressed


def configs_or_stop(experiment: str, values: dict, sizes: list) -> list:
    base = widgets.config_or_stop(CONFIG_TYPES[experiment], **values)
    try:
        return ladder.ladder_configs(base, sizes)
    except ConfigError as error:
        st.error(f"Invalid setting: {error}")
        st.stop()


def train_ui(configs: list, pressed: bool, noun: str) -> list:
    """Each size trained or loaded, smallest first, with a live progress bar and loss curve per size trained."""
    requested = st.session_state.setdefault(REQUESTED, set())
    if pressed:
        requested.update(config.key() for config in configs)
    results, missing = [], []
    for index, config in enumerate(configs, start=1):
        if config.key() not in requested and not cache.is_available(config):
            missing.append(config)
            continue
        trained = widgets.trained_or_prompt(config, True, label=f"{config.train_size:,} {noun} "
                                                                f"(size {index} of {len(configs)})")
        if trained is not None:
            results.append(trained)
    if missing:
        sizes = ", ".join(f"{config.train_size:,}" for config in missing)
        st.info(f"Not trained yet: {sizes} {noun}. Press **Train the ladder** in the sidebar to train "
                f"{'it' if len(missing) == 1 else 'them'} (sizes already trained are not trained again).")
    return results


def panels_ui(experiment: str, trained_models: list, wave=None) -> None:
    rungs = ladder.rungs(trained_models)
    by_size = sorted(trained_models, key=lambda t: t.config.train_size)
    if experiment == "rectangles":
        drawings = [cache.rectangle_drawings(t.config, WIDTHS) for t in by_size]
        figure = ladder.rectangle_panels_figure(rungs, [d[0] for d in drawings], [d[1] for d in drawings])
        st.caption("Filled: the rectangle each model draws from `[0, 0]`, the book's figures 11.5–11.7. "
                   f"Thin lines: the rectangles it completes from given first corners `[w, 0]`, w = "
                   f"{', '.join(map(str, WIDTHS))} (grey dots). A perfect model draws true rectangles.")
    else:
        period, decay = wave
        inputs, expected = cache.sine_wave(period, decay)
        predictions = [cache.sine_prediction(t.config, period, decay) for t in by_size]
        figure = ladder.sine_panels_figure(rungs, inputs, expected, predictions,
                                           title=f"Test wave (period {period}, decay {decay:.3f}), "
                                                 "predicted by each model")
        st.caption("Grey: the last 20 of the 50 input steps; blue: the 5 values that follow; vermilion: what "
                   "each model predicts for them.")
    st.plotly_chart(figure)


def curve_ui(experiment: str, trained_models: list) -> None:
    rungs = ladder.rungs(trained_models)
    st.plotly_chart(ladder.error_curve_figure(experiment, rungs))
    st.markdown(f"**{ladder.summary_sentence(experiment, rungs)}**")
    if experiment == "rectangles":
        st.caption("Consistency error: how far the drawings are from true rectangles (0 = perfect; a drawing "
                   "that collapses to a line scores 1 or more). See the rectangles lesson for how it is measured.")
    else:
        st.caption("Held-out MAE: mean absolute error on the same 1,000 fresh waves for every model.")


def table_ui(experiment: str, trained_models: list) -> None:
    rows = ladder.table_rows(experiment, ladder.rungs(trained_models))
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", column_config={
        "training size": st.column_config.NumberColumn(format="localized"),
        ladder.ERROR_NAMES[experiment]: st.column_config.NumberColumn(format="%.4f")})


st.title("Training-size lab: how much data does an LSTM need?")
st.caption("Book chapter 11 (figures 11.5–11.7): the same model trained on more and more examples, side by side.")
widgets.store_notice()
experiment = experiment_ui()
wave = wave_ui() if experiment == "sine" else None
values, sizes, pressed = ladder_ui(experiment)
configs = configs_or_stop(experiment, values, sizes)
trained_models = train_ui(configs, pressed, ladder.NOUNS[experiment])
if trained_models:
    panels_ui(experiment, trained_models, wave)
    curve_ui(experiment, trained_models)
    table_ui(experiment, trained_models)
with st.expander("What to look for"):
    st.markdown(
        "- **Small sets**: with 100 examples the model gets few weight updates; its drawings (or predictions) "
        "are far off, and it may collapse to a line.\n"
        "- **Diminishing returns**: on a log scale each step right is ten times more data; look at how much "
        "each step still buys.\n"
        "- **Seeds**: change the seed to see which differences are luck and which are data.\n"
        "- **Epochs against data**: more epochs reuse the same examples; more data shows new ones.")
