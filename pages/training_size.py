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

from lstm_core import ladder, presets
from lstm_core.config import BOOK_SINE_MAE, ConfigError, RectangleConfig, SineConfig, max_epochs, max_train_size, max_units
from ui import cache, widgets
from ui.frame import require_app
from ui.i18n import figure, t
from ui.presets import preset_ui

require_app()

EXPERIMENTS = ("rectangles", "sine")
CONFIG_TYPES = {"rectangles": RectangleConfig, "sine": SineConfig}
WIDTHS = (0.25, 0.5, 0.75)  # the given first corners [w, 0] each rectangle model completes
REQUESTED = "training_size_requested"  # keys of the sizes a Train press asked for, kept across reruns
COLUMNS = {"training size": "size", "epochs": "epochs", "training seconds": "seconds", "model": "model"}


def noun(experiment: str) -> str:
    return t(f"training_size.noun.{experiment}")


def model_defaults(experiment: str) -> dict:
    """The widget values an experiment starts from (the dataclass' field defaults, within the server's limits)."""
    default = CONFIG_TYPES[experiment]
    values = {"units": min(default.units, max_units()), "epochs": min(default.epochs, max_epochs()),
              "seed": default.seed, "sizes": [size for size in ladder.DEFAULT_SIZES if size in size_choices()]}
    if experiment == "sine":
        values["depth"] = default.depth
    return values


def size_choices() -> list:
    return [size for size in ladder.SIZE_CHOICES if size <= max_train_size()] or [max_train_size()]


def reset_model() -> None:
    """Another experiment: its own defaults, not the last one's units and sizes."""
    st.session_state.update(model_defaults(st.session_state["experiment"]))


def experiment_ui() -> str:
    # Options are the ids (a bound radio writes its option to the link); the names are captions.
    return st.sidebar.radio(t("training_size.experiment"), EXPERIMENTS, key="experiment", bind="query-params",
                            captions=[t(f"training_size.experiment.{name}") for name in EXPERIMENTS],
                            on_change=reset_model, help=t("training_size.experiment.help"))


def wave_ui():
    st.sidebar.header(t("training_size.wave"))
    period = st.sidebar.slider("period", 5, 40, 15, key="period", bind="query-params",
                               help=t("training_size.period.help"))
    decay = st.sidebar.slider("decay", 0.0, 0.2, 0.05, step=0.005, format="%.3f", key="decay",
                              bind="query-params", help=t("training_size.decay.help"))
    return period, decay


def ladder_ui(experiment: str):
    """The model every size shares, and the ladder of sizes; in a form so a half-set ladder trains nothing."""
    default = CONFIG_TYPES[experiment]  # the dataclass' field defaults
    start = model_defaults(experiment)
    choices = size_choices()
    if "sizes" in st.session_state:  # a preset's or a link's sizes, kept to those this server allows
        st.session_state["sizes"] = [size for size in st.session_state["sizes"] if size in choices]
    values = {}
    with st.sidebar.form("ladder"):
        st.header(t("training_size.model"))
        values["units"] = st.slider("units", 1, max_units(), start["units"], key="units", bind="query-params",
                                    help=t("training_size.units.help", book=default.units))
        if experiment == "sine":
            values["depth"] = st.slider("depth", 1, 4, start["depth"], key="depth", bind="query-params",
                                        help=t("training_size.depth.help"))
        values["epochs"] = st.slider("epochs", 1, min(10, max_epochs()), start["epochs"], key="epochs",
                                     bind="query-params", help=t("training_size.epochs.help"))
        values["seed"] = int(st.number_input("seed", 0, 10_000, start["seed"], key="seed", bind="query-params",
                                             help=t("training_size.seed.help")))
        st.header(t("training_size.sizes.header"))
        sizes = st.multiselect(t("training_size.sizes", noun=noun(experiment)), choices, start["sizes"],
                               key="sizes", bind="query-params", help=t("training_size.sizes.help"))
        pressed = st.form_submit_button(t("training_size.train"), type="primary", help=t("training_size.train.help"))
    return values, sizes, pressed


def configs_or_stop(experiment: str, values: dict, sizes: list) -> list:
    base = widgets.config_or_stop(CONFIG_TYPES[experiment], **values)
    try:
        return ladder.ladder_configs(base, sizes)
    except ConfigError as error:
        st.error(t("widgets.invalid", error=error))
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
        label = t("training_size.progress", size=f"{config.train_size:,}", noun=noun, index=index, count=len(configs))
        trained = widgets.trained_or_prompt(config, True, label=label)
        if trained is not None:
            results.append(trained)
    if missing:
        sizes = ", ".join(f"{config.train_size:,}" for config in missing)
        st.info(t("training_size.missing" if len(missing) > 1 else "training_size.missing.one", sizes=sizes, noun=noun))
    return results


def panel_titles(experiment: str, rungs: list) -> list[str]:
    return [t(f"training_size.panel.{experiment}", size=f"{rung.size:,}", error=f"{rung.error:.3f}") for rung in rungs]


def panels_ui(experiment: str, trained_models: list, wave=None) -> None:
    rungs = ladder.rungs(trained_models)
    by_size = sorted(trained_models, key=lambda trained: trained.config.train_size)
    if experiment == "rectangles":
        drawings = [cache.rectangle_drawings(trained.config, WIDTHS) for trained in by_size]
        panels = ladder.rectangle_panels_figure(rungs, [d[0] for d in drawings], [d[1] for d in drawings],
                                                titles=panel_titles(experiment, rungs))
        st.caption(t("training_size.panels.rectangles", widths=", ".join(map(str, WIDTHS))))
    else:
        period, decay = wave
        inputs, expected = cache.sine_wave(period, decay)
        predictions = [cache.sine_prediction(trained.config, period, decay) for trained in by_size]
        panels = ladder.sine_panels_figure(rungs, inputs, expected, predictions,
                                           title=t("training_size.panels.sine.title", period=period, decay=decay),
                                           titles=panel_titles(experiment, rungs))
        st.caption(t("training_size.panels.sine"))
    st.plotly_chart(figure(panels))


def curve_ui(experiment: str, trained_models: list) -> None:
    rungs = ladder.rungs(trained_models)
    curve = ladder.error_curve_figure(experiment, rungs, noun=noun(experiment),
                                      book_note=t("training_size.book_note", mae=BOOK_SINE_MAE))
    st.plotly_chart(figure(curve))
    st.markdown(f"**{ladder.summary_sentence(experiment, rungs, t)}**")
    st.caption(t(f"training_size.curve.{experiment}"))


def table_ui(experiment: str, trained_models: list) -> None:
    """The rungs as a table, its column names and sources in the page's language."""
    error_name = ladder.ERROR_NAMES[experiment]
    columns = {name: t(f"training_size.column.{short}") for name, short in COLUMNS.items()}
    columns[error_name] = t(f"training_size.error.{experiment}")
    rungs = ladder.rungs(trained_models)
    rows = ladder.table_rows(experiment, rungs)
    for row, rung in zip(rows, rungs):
        row["model"] = t("training_size.source.store" if rung.source == "store" else "training_size.source.now")
    st.dataframe(pd.DataFrame(rows).rename(columns=columns), hide_index=True, width="stretch", column_config={
        columns["training size"]: st.column_config.NumberColumn(format="localized"),
        columns[error_name]: st.column_config.NumberColumn(format="%.4f")})


st.title(t("training_size.title"))
st.caption(t("training_size.caption"))
widgets.store_notice()
preset_ui("training_size", presets.TRAINING_SIZE)
experiment = experiment_ui()
wave = wave_ui() if experiment == "sine" else None
values, sizes, pressed = ladder_ui(experiment)
configs = configs_or_stop(experiment, values, sizes)
trained_models = train_ui(configs, pressed, noun(experiment))
if trained_models:
    panels_ui(experiment, trained_models, wave)
    curve_ui(experiment, trained_models)
    table_ui(experiment, trained_models)
with st.expander(t("training_size.look")):
    st.markdown(t("training_size.look.text"))
