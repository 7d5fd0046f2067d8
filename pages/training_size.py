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

from lstm_core import evaluate, experiments, ladder, presets
from lstm_core.engine.config import ConfigError
from lstm_core.evaluate import format_error
from lstm_core.experiments import rectangles
from lstm_core.experiments.sine import BOOK_MAE
from lstm_core.figures import ladder as ladder_figures
from lstm_core.figures import replay as replay_figures
from ui import cache, controls, params, replay, state, widgets
from ui.frame import require_app
from ui.i18n import figure, t
from ui.presets import preset_ui

require_app()

EXPERIMENTS = ("rectangles", "sine")
WIDTHS = evaluate.EVALUATION_WIDTHS  # the given first corners [w, 0]: the same the metric and the lesson use
COLUMNS = {"training size": "size", "epochs": "epochs", "training seconds": "seconds", "model": "model",
           **{name: short for short, name in ladder.PART_NAMES.items()}}
EXPERIMENT = controls.choice("experiment", EXPERIMENTS, EXPERIMENTS[0], kind="radio")


def noun(experiment: str) -> str:
    return t(f"training_size.noun.{experiment}")


def model_fields(experiment: str) -> tuple:
    return ("units", "depth", "epochs", "seed") if experiment == "sine" else ("units", "epochs", "seed")


def page_controls(experiment: str) -> dict:
    """The controls of a ladder of `experiment`, by key (widgets, link parameters and presets read these)."""
    config_type = experiments.EXPERIMENTS[experiment].config
    every = controls.training(config_type, ladder.SIZE_CHOICES, most_epochs=10)
    found = {key: every[key] for key in ("units", "epochs", "seed")}
    if experiment == "sine":
        found["depth"] = controls.slider("depth", 1, 4, config_type.depth)
        found.update(controls.wave())
    sizes = every["train_size"].choices
    found["sizes"] = controls.Control("sizes", "multiselect", [s for s in ladder.DEFAULT_SIZES if s in sizes] or
                                      [sizes[-1]], choices=sizes)
    return found


def preset_values(preset, declared: dict) -> dict:
    """A ladder preset's control values: its experiment, its first rung's model, every rung's size, its view."""
    first = preset.configs[0]
    values = {"experiment": first.experiment, "sizes": [config.train_size for config in preset.configs]}
    values.update({key: getattr(first, key) for key in model_fields(first.experiment)})
    values.update(preset.view)
    return values


def reset_model() -> None:
    """Another experiment: its own defaults, not the last one's units and sizes."""
    declared = page_controls(st.session_state[EXPERIMENT.key])
    st.session_state.update({key: control.default for key, control in declared.items()})


def linked_experiment() -> str:
    """The experiment before its radio is drawn (its controls are checked with it, in one notice): the
    session's, else the link's (as `params.check` corrects it), else the default."""
    if EXPERIMENT.key in st.session_state:
        return st.session_state[EXPERIMENT.key]
    raw = st.query_params.get_all(EXPERIMENT.key)
    return EXPERIMENT.param().resolve(raw)[0] if raw else EXPERIMENT.default


def experiment_ui() -> str:
    # Options are the ids (a bound radio writes its option to the link); the names are captions.
    return EXPERIMENT.widget(t("training_size.experiment"), t("training_size.experiment.help"), st.sidebar,
                             captions=[t(f"training_size.experiment.{name}") for name in EXPERIMENTS],
                             on_change=reset_model)


def wave_ui(declared: dict):
    st.sidebar.header(t("training_size.wave"))
    period = declared["period"].widget("period", t("training_size.period.help"), st.sidebar)
    decay = declared["decay"].widget("decay", t("training_size.decay.help"), st.sidebar)
    return period, decay


def ladder_ui(experiment: str, declared: dict):
    """The model every size shares, and the ladder of sizes; in a form so a half-set ladder trains nothing."""
    book = experiments.EXPERIMENTS[experiment].config.units
    with st.sidebar.form("ladder"):
        st.header(t("training_size.model"))
        values = {key: declared[key].widget(key, t(f"training_size.{key}.help", book=book))
                  for key in model_fields(experiment)}
        st.header(t("training_size.sizes.header"))
        sizes = declared["sizes"].widget(t("training_size.sizes", noun=noun(experiment)),
                                         t("training_size.sizes.help"))
        pressed = st.form_submit_button(t("training_size.train"), type="primary", help=t("training_size.train.help"))
    return values, sizes, pressed


def configs_or_stop(experiment: str, values: dict, sizes: list) -> list:
    # The base's own size is one of the ladder's (the default, 25,000 rectangles, may be above the teacher's limit).
    base = widgets.config_or_stop(experiments.EXPERIMENTS[experiment].config, **values,
                                  train_size=min(sizes or ladder.SIZE_CHOICES))
    try:
        return ladder.ladder_configs(base, sizes)
    except ConfigError as error:
        st.error(t("widgets.invalid", error=error))
        st.stop()


def train_ui(configs: list, pressed: bool, noun: str, wave=None) -> list:
    """Each size trained or loaded, smallest first, with a live progress bar and loss curve per size trained."""
    requested = st.session_state.setdefault(state.REQUESTED, set())
    if pressed:
        requested.update(config.key() for config in configs)
    results, missing = [], []
    for index, config in enumerate(configs, start=1):
        if config.key() not in requested and not cache.is_available(config):
            missing.append(config)
            continue
        label = t("training_size.progress", size=f"{config.train_size:,}", noun=noun, index=index, count=len(configs))
        trained = widgets.trained_or_prompt(config, True, label=label, live=live_view(config.experiment, wave),
                                             live_inputs=tuple(wave or ()))
        if trained is not None:
            results.append(trained)
    if missing:
        sizes = ", ".join(f"{config.train_size:,}" for config in missing)
        st.info(t("training_size.missing" if len(missing) > 1 else "training_size.missing.one", sizes=sizes, noun=noun))
    return results


def live_view(experiment: str, wave):
    """A size's drawing or prediction as it is while it trains."""
    if experiment == "rectangles":
        draw = replay.rectangles_live(WIDTHS, [t("rectangles.drawn_label")] + [
            t("rectangles.corner_label", width=w) for w in WIDTHS])
        return lambda model, seen, total: replay_figures.legend_below(
            draw(model, *(int(n) for n in rectangles.rectangles_seen(model.config, [seen, total]))))
    return replay.sine_live(*cache.sine_wave(*wave))


def panel_titles(experiment: str, rungs: list) -> list[str]:
    return [t(f"training_size.panel.{experiment}", size=f"{rung.size:,}", error=format_error(rung.error))
            for rung in rungs]


def panels_ui(experiment: str, trained_models: list, wave=None) -> None:
    """One panel per size; play shows every size at the same number of examples seen (rectangles, or training
    waves), so more data and more steps can be told apart."""
    rungs = ladder.rungs(trained_models)
    by_size = sorted(trained_models, key=lambda trained: trained.config.train_size)
    if experiment == "rectangles":
        replays = [cache.rectangle_replay(trained.config, WIDTHS) for trained in by_size]
    else:
        period, decay = wave
        inputs, expected = cache.sine_wave(period, decay)
        replays = [cache.sine_replay(trained.config, period, decay) for trained in by_size]
    moments, indices = ladder.replay_moments([replay_[0] for replay_ in replays])
    if experiment == "rectangles":
        pick = [[(replay_[1][i], replay_[2][i]) for replay_, i in zip(replays, row)] for row in indices]
        panels = ladder_figures.rectangle_panels_figure(rungs, [r[1][-1] for r in replays], [r[2][-1] for r in replays],
                                                        titles=panel_titles(experiment, rungs))
        frames = [ladder_figures.rectangle_panel_frames(*zip(*moment)) for moment in pick]
        traces = list(range(len(panels.data)))
        st.caption(t("training_size.panels.rectangles", widths=", ".join(map(str, WIDTHS))))
    else:
        panels = ladder_figures.sine_panels_figure(rungs, inputs, expected, [r[1][-1] for r in replays],
                                                   title=t("training_size.panels.sine.title", period=period, decay=decay),
                                                   titles=panel_titles(experiment, rungs))
        frames = [ladder_figures.sine_panel_frames([r[1][i] for r, i in zip(replays, row)]) for row in indices]
        traces = list(range(2, len(panels.data), 3))
        st.caption(t("training_size.panels.sine"))
    final = panel_titles(experiment, rungs)
    titles = [[final[r] if i == len(replays[r][0]) - 1 else
               t("training_size.panel.learning", size=f"{rungs[r].size:,}", noun=noun(experiment),
                 seen=f"{int(replays[r][0][i]):,}") for r, i in enumerate(row)] for row in indices]
    chart = st.container()
    moment = replay.moment_ui("training_size", len(moments), key=experiment)
    labels = (replay_figures.moment_labels(moments, moments[-1], t("rectangles.replay.label"))
              if experiment == "rectangles" else replay.labels(moments, moments[-1], experiment))
    chart.plotly_chart(figure(replay_figures.animate(
        ladder_figures.replay_layout(panels), frames, traces=traces, labels=labels, active=moment,
        texts=replay.texts(), titles=titles)))
    st.caption(t("training_size.replay"))


def curve_ui(experiment: str, trained_models: list) -> None:
    rungs = ladder.rungs(trained_models)
    curve = ladder_figures.error_curve_figure(experiment, rungs, noun=noun(experiment),
                                      book_note=t("training_size.book_note", mae=BOOK_MAE))
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
        row["model"] = t("training_size.source.now") if rung.source == "trained" else t(f"widgets.source.{rung.source}")
    # The errors are text, as the sentence and the chart write them (`format_error`).
    st.dataframe(pd.DataFrame(rows).rename(columns=columns), hide_index=True, width="stretch", column_config={
        columns["training size"]: st.column_config.NumberColumn(format="localized")})


st.title(t("training_size.title"))
st.caption(t("training_size.caption"))
widgets.store_notice()
params.check([EXPERIMENT.param(), *controls.parameters(page_controls(linked_experiment()).values())])
preset_ui("training_size", presets.TRAINING_SIZE, {EXPERIMENT.key: EXPERIMENT, **page_controls("sine"),
                                                   **page_controls("rectangles")}, preset_values)
experiment = experiment_ui()
declared = page_controls(experiment)
wave = wave_ui(declared) if experiment == "sine" else None
values, sizes, pressed = ladder_ui(experiment, declared)
configs = configs_or_stop(experiment, values, sizes)
trained_models = train_ui(configs, pressed, noun(experiment), wave)
if trained_models:
    panels_ui(experiment, trained_models, wave)
    curve_ui(experiment, trained_models)
    table_ui(experiment, trained_models)
    widgets.share_ui(*trained_models)  # the ladder's runs on the class board, under one nickname
with st.expander(t("training_size.look")):
    st.markdown(t("training_size.look.text"))
