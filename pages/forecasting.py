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

from lstm_core import figures, presets
from lstm_core.experiments import ForecastConfig, forecasting
from lstm_core.experiments.forecasting import STRATEGIES, layer_rows
from lstm_core.figures import concepts as concept_figures
from lstm_core.figures import replay as replay_figures
from ui import cache, controls, i18n, params, replay, widgets
from ui.frame import require_app
from ui.i18n import t
from ui.presets import preset_ui

require_app()

TRAIN_SIZES = (256, 512, 1_024, 2_048, 4_096, 8_192)
PERIODS = (3, 40)
DECAYS = (0.0, 0.25)
SWEEP_PERIODS = tuple(range(PERIODS[0], PERIODS[1] + 1))
SWEEP_DECAYS = tuple(float(d) for d in np.round(np.linspace(DECAYS[0], DECAYS[1], 26), 3))
MODEL_FIELDS = ("horizon", "units", "depth", "train_size", "epochs", "seed", "period_range", "decay_range")


def page_controls() -> dict:
    """The page's controls, by key (widgets, link parameters and presets all read these)."""
    return {
        **controls.wave(PERIODS, DECAYS),
        "horizon": controls.slider("horizon", 1, 20, ForecastConfig.horizon),
        "depth": controls.slider("depth", 1, 3, ForecastConfig.depth),
        **controls.training(ForecastConfig, TRAIN_SIZES, most_epochs=30),
        "period_range": controls.Control("period_range", "range", ForecastConfig.period_range, *PERIODS,
                                         bound=False),
        "decay_range": controls.Control("decay_range", "range", ForecastConfig.decay_range, *DECAYS, step=0.005,
                                        format="%.3f", bound=False),
    }


def labels() -> dict:
    """The strategies' long names (legends, table headings) in the chosen language."""
    return {strategy: t(f"forecasting.label.{strategy}") for strategy in STRATEGIES}


def short(strategy: str) -> str:
    return t(f"forecasting.short.{strategy}")


def wave_ui(box, declared: dict):
    with box:
        st.header(t("forecasting.wave.header"))
        period = declared["period"].widget(t("forecasting.period"), t("forecasting.period.help"))
        period_strip = st.empty()
        decay = declared["decay"].widget(t("forecasting.decay"), t("forecasting.decay.help"))
        decay_strip = st.empty()
    return period, decay, period_strip, decay_strip


def model_ui(declared: dict):
    with st.sidebar.form("forecast_model"):
        st.header(t("forecasting.model.header"))
        values = {key: declared[key].widget(t(f"forecasting.{key}"), t(f"forecasting.{key}.help"))
                  for key in MODEL_FIELDS}
        pressed = st.form_submit_button(t("forecasting.train"), type="primary", key="forecast_train",
                                        help=t("forecasting.train.help"))
    values["period_range"] = tuple(int(p) for p in values["period_range"])
    values["decay_range"] = tuple(round(float(d), 3) for d in values["decay_range"])
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


def forecasts_ui(trained, models, config, period, decay):
    names = labels()
    columns = st.columns(4)
    for column, strategy in zip(columns, STRATEGIES):
        column.metric(t("forecasting.metric.mae", strategy=short(strategy)),
                      f"{models.step_errors[strategy].mean():.4f}",
                      help=t("forecasting.metric.mae.help", label=names[strategy], horizon=config.horizon))
    columns[3].metric(t("forecasting.metric.time"), t("forecasting.seconds", seconds=trained.seconds),
                      widgets.source_text(trained), delta_color="off")
    if models.fit.diverged:
        kind = "nan" if np.isnan(models.fit.final_loss()) else "inf"
        st.error(t("forecasting.failed", message=t(f"forecasting.diverged.{kind}", step=models.fit.diverged_step)))
    if not config.in_training_range(period, decay):
        st.warning(t("forecasting.outside", period=period, decay=decay,
                     period_low=config.period_range[0], period_high=config.period_range[1],
                     decay_low=config.decay_range[0], decay_high=config.decay_range[1]))
    inputs, truth, forecasts, fan = cache.forecast_wave(config, period, decay)
    examples, moments = cache.forecast_replay(config, period, decay)
    chart = st.container()
    moment = replay.moment_ui("forecasting", len(examples))
    chart.plotly_chart(i18n.figure(replay_figures.forecast_replay_figure(
        inputs, truth, moments, names=names, labels=replay.labels(examples, examples[-1]), texts=replay.texts(),
        active=moment, title=t("forecasting.forecast.title", horizon=config.horizon, period=period, decay=decay))))
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
        title=t("forecasting.by_time.title"), x_title=t("forecasting.by_time.x"), y_title=t("forecasting.by_time.y"),
        points={"vector": (config.length, float(models.step_errors["vector"].mean()))})
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
declared = page_controls()
preset_ui("forecasting", presets.FORECASTING, declared)
params.check(controls.parameters(declared.values()))
wave_box = st.sidebar.container()
period, decay, period_strip, decay_strip = wave_ui(wave_box, declared)
values, pressed = model_ui(declared)
config = widgets.config_or_stop(ForecastConfig, **values)
strips_ui(config, period, decay, period_strip, decay_strip)


def live(model, seen: int, total: int):
    """The three strategies' forecasts of the test wave by the models as they are during their training."""
    inputs, truth = cache.sine_wave(period, decay, config.length, config.horizon)
    return concept_figures.forecast_figure(inputs, truth, forecasting.forecasts(model, period, decay), labels=labels(),
                                           focus=25, title=t("replay.live", seen=seen, total=total))


trained = widgets.trained_or_prompt(config, pressed, live=live, live_inputs=(period, decay),
                                    prompt=t("widgets.experiment_prompt", what=t("forecasting.what")))
if trained is not None:
    models = cache.view(config)
    forecasts_ui(trained, models, config, period, decay)
    many_to_many_ui(models, config, period, decay)
    out_of_distribution_ui(config, period, decay)
