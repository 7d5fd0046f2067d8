"""
Lesson: forecasting several steps ahead (course notes, book chapter 7).

Three ways to predict the next H values of a damped sine wave, trained on
the same waves: recursive (a one-step model fed its own predictions),
vector (one model outputs the H values at once, the chapter 7 model's
way) and sequence-to-sequence (an output of H values at every time step).
The page shows their forecasts of a chosen wave, their error at each step
ahead, the chapter 7 model's many-to-many version beside its many-to-one
one, and what happens on a wave whose period or decay lies outside the
training range (drawn under the test-wave sliders). Every text comes from
the UI catalogues (`ui/locales`), and a preset menu prepares the classic
cases.
"""

import numpy as np
import pandas as pd
import streamlit as st

from lstm_core import concept_figures, figures, forecasting, presets
from lstm_core.config import max_epochs, max_train_size, max_units
from lstm_core.forecasting import STRATEGIES, ForecastConfig, layer_rows
from ui import cache, i18n, params, widgets
from ui.frame import require_app
from ui.i18n import t
from ui.presets import preset_ui

require_app()

DEFAULT = ForecastConfig  # the field defaults
TRAIN_SIZES = [256, 512, 1_024, 2_048, 4_096, 8_192]
_SIZES = [size for size in TRAIN_SIZES if size <= max_train_size()] or [max_train_size()]
PERIODS = (3, 40)
DECAYS = (0.0, 0.25)
SWEEP_PERIODS = tuple(range(PERIODS[0], PERIODS[1] + 1))
SWEEP_DECAYS = tuple(float(d) for d in np.round(np.linspace(DECAYS[0], DECAYS[1], 26), 3))
URL_PARAMETERS = [
    params.whole_number("period", PERIODS[0], PERIODS[1], 15),
    params.number("decay", DECAYS[0], DECAYS[1], 0.05),
    params.whole_number("horizon", 1, 20, DEFAULT.horizon),
    params.whole_number("units", 1, max_units(), min(DEFAULT.units, max_units())),
    params.whole_number("depth", 1, 3, DEFAULT.depth),
    params.choice("train_size", _SIZES, min(DEFAULT.train_size, _SIZES[-1])),
    params.whole_number("epochs", 1, min(30, max_epochs()), min(DEFAULT.epochs, max_epochs())),
    params.whole_number("seed", 0, 10_000, DEFAULT.seed),
]


def labels() -> dict:
    """The strategies' long names (legends, table headings) in the chosen language."""
    return {strategy: t(f"forecasting.label.{strategy}") for strategy in STRATEGIES}


def short(strategy: str) -> str:
    return t(f"forecasting.short.{strategy}")


def wave_ui(box):
    with box:
        st.header(t("forecasting.wave.header"))
        period = st.slider(t("forecasting.period"), *PERIODS, 15, key="period", bind="query-params",
                           help=t("forecasting.period.help"))
        period_strip = st.empty()
        decay = st.slider(t("forecasting.decay"), *DECAYS, 0.05, step=0.005, format="%.3f", key="decay",
                          bind="query-params", help=t("forecasting.decay.help"))
        decay_strip = st.empty()
    return period, decay, period_strip, decay_strip


def model_ui():
    with st.sidebar.form("forecast_model"):
        st.header(t("forecasting.model.header"))
        horizon = st.slider(t("forecasting.horizon"), 1, 20, DEFAULT.horizon, key="horizon", bind="query-params",
                            help=t("forecasting.horizon.help"))
        units = st.slider(t("forecasting.units"), 1, max_units(), min(DEFAULT.units, max_units()),
                          key="units", bind="query-params", help=t("forecasting.units.help"))
        depth = st.slider(t("forecasting.depth"), 1, 3, DEFAULT.depth, key="depth", bind="query-params",
                          help=t("forecasting.depth.help"))
        train_size = st.select_slider(t("forecasting.train_size"), _SIZES, min(DEFAULT.train_size, _SIZES[-1]),
                                      key="train_size", bind="query-params",
                                      help=t("forecasting.train_size.help"))
        epochs = st.slider(t("forecasting.epochs"), 1, min(30, max_epochs()), min(DEFAULT.epochs, max_epochs()),
                           key="epochs", bind="query-params", help=t("forecasting.epochs.help"))
        seed = st.number_input(t("forecasting.seed"), 0, 10_000, DEFAULT.seed, key="seed",
                               bind="query-params", help=t("forecasting.seed.help"))
        period_range = st.slider(t("forecasting.period_range"), *PERIODS, DEFAULT.period_range,
                                 key="period_range", help=t("forecasting.period_range.help"))
        decay_range = st.slider(t("forecasting.decay_range"), *DECAYS, DEFAULT.decay_range, step=0.005,
                                format="%.3f", key="decay_range", help=t("forecasting.decay_range.help"))
        pressed = st.form_submit_button(t("forecasting.train"), type="primary", key="forecast_train",
                                        help=t("forecasting.train.help"))
    values = dict(horizon=horizon, units=units, depth=depth, train_size=train_size, epochs=epochs, seed=int(seed),
                  period_range=tuple(int(p) for p in period_range),
                  decay_range=tuple(round(float(d), 3) for d in decay_range))
    return values, pressed


def strips_ui(config, period, decay, period_strip, decay_strip):
    for strip, bounds, trained, value, name, fmt, key in (
            (period_strip, PERIODS, config.period_range, period, "period", "d", "period_strip"),
            (decay_strip, DECAYS, config.decay_range, decay, "decay", ".3f", "decay_strip")):
        label = t("forecasting.strip.trained", low=f"{trained[0]:{fmt}}", high=f"{trained[1]:{fmt}}")
        strip.plotly_chart(concept_figures.range_figure(*bounds, *trained, value, name=t(f"forecasting.{name}"),
                                                        fmt=fmt, label=label), key=key)


def step_error_sentence(step_errors) -> str:
    """The held-out error by step ahead, in words (numbers from `forecasting.step_error_facts`)."""
    facts = forecasting.step_error_facts(step_errors)
    parts = []
    for part in facts["parts"]:
        text = t("forecasting.summary.part", strategy=short(part["strategy"]), first=part["first"],
                 last=part["last"], steps=part["steps"])
        if part["worst"] is not None:
            text += t("forecasting.summary.worst", worst=part["worst"], step=part["worst_step"])
        parts.append(text)
    return t("forecasting.summary", parts=t("forecasting.summary.separator").join(parts),
             best_first=short(facts["best_first"]), best_last=short(facts["best_last"]))


def forecasts_ui(models, config, period, decay):
    names = labels()
    columns = st.columns(4)
    for column, strategy in zip(columns, STRATEGIES):
        column.metric(t("forecasting.metric.mae", strategy=short(strategy)),
                      f"{models.step_errors[strategy].mean():.4f}",
                      help=t("forecasting.metric.mae.help", label=names[strategy], horizon=config.horizon))
    columns[3].metric(t("forecasting.metric.time"), t("forecasting.seconds", seconds=models.fit.seconds),
                      t("forecasting.compiled_now") if models.fit.compiled else t("forecasting.compiled_reused"),
                      delta_color="off")
    if models.fit.diverged:
        kind = "nan" if np.isnan(models.fit.final_loss()) else "inf"
        st.error(t("forecasting.failed", message=t(f"forecasting.diverged.{kind}", step=models.fit.diverged_step)))
    if not config.in_training_range(period, decay):
        st.warning(t("forecasting.outside", period=period, decay=decay,
                     period_low=config.period_range[0], period_high=config.period_range[1],
                     decay_low=config.decay_range[0], decay_high=config.decay_range[1]))
    inputs, truth, forecasts, fan = cache.forecast_wave(config, period, decay)
    st.plotly_chart(i18n.figure(concept_figures.forecast_figure(
        inputs, truth, forecasts, labels=names, focus=25,
        title=t("forecasting.forecast.title", horizon=config.horizon, period=period, decay=decay))))
    st.caption(t("forecasting.forecast.caption"))
    left, right = st.columns(2)
    steps = np.arange(1, config.horizon + 1)
    left.plotly_chart(i18n.figure(concept_figures.curves_figure(
        steps, models.step_errors, labels=names, title=t("forecasting.step_errors.title"),
        x_title=t("forecasting.steps_ahead"), y_title=t("forecasting.mae"))))
    right.plotly_chart(i18n.figure(concept_figures.curves_figure(
        steps, {s: np.abs(np.asarray(forecasts[s]) - truth) for s in STRATEGIES}, labels=names,
        title=t("forecasting.wave_errors.title"), x_title=t("forecasting.steps_ahead"),
        y_title=t("forecasting.absolute_error"))))
    st.caption(t("forecasting.step_errors.caption") + " " + step_error_sentence(models.step_errors))


def many_to_many_ui(models, config, period, decay):
    names = labels()
    st.subheader(t("forecasting.many.header"))
    st.markdown(t("forecasting.many.intro"))
    left, right = st.columns(2)
    for column, strategy in ((left, "vector"), (right, "seq2seq")):
        with column:
            kind = t("forecasting.many.to_one") if strategy == "vector" else t("forecasting.many.to_many")
            st.markdown(f"**{names[strategy]}**: {kind}")
            table = pd.DataFrame(figures.layer_table_rows(layer_rows(config, strategy)))
            table["layer"] = table["layer"].replace({"total": t("forecasting.layers.total")})
            table = table.rename(columns={"layer": t("forecasting.layers.layer"),
                                          "output shape": t("forecasting.layers.output_shape"),
                                          "parameters": t("forecasting.layers.parameters")})
            st.dataframe(table, hide_index=True, width="stretch")
    inputs, truth, forecasts, fan = cache.forecast_wave(config, period, decay)
    left, right = st.columns(2)
    left.plotly_chart(i18n.figure(concept_figures.forecast_figure(
        inputs, truth, {"seq2seq": forecasts["seq2seq"]}, labels=names, fan=fan,
        title=t("forecasting.fan.title"))))
    by_time = concept_figures.curves_figure(
        np.arange(1, config.length + 1), {"seq2seq": models.seq2seq_by_time}, labels=names,
        title=t("forecasting.by_time.title"), x_title=t("forecasting.by_time.x"), y_title=t("forecasting.by_time.y"))
    by_time.add_scatter(x=[config.length], y=[float(models.step_errors["vector"].mean())], mode="markers",
                        name=names["vector"], marker={"size": 14, "symbol": "diamond",
                                                      "color": concept_figures.MODEL_COLORS["vector"]})
    right.plotly_chart(i18n.figure(by_time))
    st.caption(t("forecasting.many.caption"))
    st.plotly_chart(i18n.figure(concept_figures.curves_figure(
        models.fit.examples, {s: models.fit.losses[s] for s in STRATEGIES}, labels=names,
        title=t("forecasting.loss.title"), x_title=t("forecasting.loss.x"), y_title=t("forecasting.mae"),
        log_y=True, height=340)))


def out_of_distribution_ui(config, period, decay):
    names = labels()
    st.subheader(t("forecasting.ood.header"))
    st.markdown(t("forecasting.ood.intro"))
    left, right = st.columns(2)
    by_period = cache.forecast_sweep(config, "period", SWEEP_PERIODS, float(decay))
    field = t("forecasting.ood.period_field", decay=decay)
    left.plotly_chart(i18n.figure(concept_figures.sweep_figure(
        SWEEP_PERIODS, by_period, config.period_range, period, field=field, labels=names,
        title=t("forecasting.ood.title", field=field))))
    by_decay = cache.forecast_sweep(config, "decay", SWEEP_DECAYS, float(period))
    field = t("forecasting.ood.decay_field", period=period)
    right.plotly_chart(i18n.figure(concept_figures.sweep_figure(
        SWEEP_DECAYS, by_decay, config.decay_range, decay, field=field, labels=names,
        title=t("forecasting.ood.title", field=field))))


st.title(t("forecasting.title"))
st.caption(t("forecasting.caption"))
preset_ui("forecasting", presets.FORECASTING)
params.check(URL_PARAMETERS)
wave_box = st.sidebar.container()
period, decay, period_strip, decay_strip = wave_ui(wave_box)
values, pressed = model_ui()
config = widgets.config_or_stop(ForecastConfig, **values)
strips_ui(config, period, decay, period_strip, decay_strip)
models = widgets.experiment_or_prompt(cache.forecasters, config, pressed, page="forecasting",
                                      what=t("forecasting.what"), spinner=t("forecasting.spinner"))
if models is not None:
    forecasts_ui(models, config, period, decay)
    many_to_many_ui(models, config, period, decay)
    out_of_distribution_ui(config, period, decay)
