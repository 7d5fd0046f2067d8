"""
Lesson: bidirectional RNNs, the encoder-decoder and teacher forcing (course
notes, book chapter 1).

Three sections, each a model of its own trained on damped-sine waves and
compared with another on the same waves:

- a gap in the middle of a wave filled by a unidirectional LSTM, which has
  read only the past when it reaches the gap, and by a bidirectional one,
  which has also read what follows it;
- an encoder-decoder reading Tx steps and writing Ty (Tx ≠ Ty allowed),
  against the forecasting lesson's per-step (sequence-to-sequence) model;
- the forecasting lesson's one-step model, trained with teacher forcing,
  run free on its own outputs against fed the true values at every step.

The test wave and the model's size, data and seed are shared by the three
(sidebar); each section has its own setting and Train button. Every
sentence comparing two models is worded from the numbers shown beside it
(`*.comparison_facts`, `forecasting.teacher_forcing_facts`). Every text
comes from the UI catalogues (`ui/locales/*/sequence_models.json`), and a
preset menu prepares each section's classic cases.
"""

import numpy as np
import pandas as pd
import streamlit as st

from lstm_core import figures, presets
from lstm_core.evaluate import mean_absolute_error
from lstm_core.experiments import BidirectionalConfig, EncoderDecoderConfig, ForecastConfig
from lstm_core.experiments import bidirectional, encoder_decoder, forecasting
from lstm_core.figures import sequence_models as sequence_figures
from ui import cache, controls, i18n, params, replay, widgets
from ui.frame import require_app
from ui.i18n import t
from ui.presets import preset_ui

require_app()

PAGE = "sequence_models"
TRAIN_SIZES = (256, 512, 1_024, 2_048, 4_096, 8_192)
SHARED_FIELDS = ("units", "train_size", "epochs", "seed")
HORIZONS = (1, 20)  # the forecasting lesson's horizon slider


def page_controls() -> dict:
    """The page's controls, by key (widgets, link parameters and presets all read these)."""
    return {
        **controls.wave(),
        # The three experiments have the same defaults for these (a test checks it): one set of controls.
        **controls.training(BidirectionalConfig, TRAIN_SIZES, most_epochs=30),
        "gap": controls.slider("gap", bidirectional.SMALLEST_GAP, bidirectional.LARGEST_GAP, BidirectionalConfig.gap),
        "input_steps": controls.slider("input_steps", *encoder_decoder.INPUT_STEPS, EncoderDecoderConfig.input_steps),
        "output_steps": controls.slider("output_steps", *encoder_decoder.OUTPUT_STEPS,
                                        EncoderDecoderConfig.output_steps),
        "horizon": controls.slider("horizon", *HORIZONS, ForecastConfig.horizon),
    }


def name(model: str) -> str:
    """A model's name in the chosen language (legends, metrics, sentences)."""
    return t(f"sequence_models.model.{model}")


def names(models) -> dict:
    return {model: name(model) for model in models}


def sidebar_ui(declared: dict):
    """The test wave (instant: it changes what is drawn) and the model settings the three sections share."""
    with st.sidebar:
        st.header(t("sequence_models.wave.header"))
        period = declared["period"].widget(t("sequence_models.period"), t("sequence_models.period.help"))
        decay = declared["decay"].widget(t("sequence_models.decay"), t("sequence_models.decay.help"))
        st.header(t("sequence_models.shared.header"))
        st.caption(t("sequence_models.shared.caption"))
        shared = {key: declared[key].widget(t(f"sequence_models.{key}"), t(f"sequence_models.{key}.help"))
                  for key in SHARED_FIELDS}
    return period, decay, shared


def section_form(form: str, declared: dict, keys: tuple, section: str):
    """A section's own settings and its Train button, in one form (nothing trains until it is pressed)."""
    with st.form(form):
        columns = st.columns(len(keys) + 1, vertical_alignment="bottom")
        values = {key: declared[key].widget(t(f"sequence_models.{key}"), t(f"sequence_models.{key}.help"), column)
                  for key, column in zip(keys, columns)}
        pressed = columns[-1].form_submit_button(t(f"sequence_models.{section}.train"), type="primary",
                                                 key=f"{form}_train", help=t(f"sequence_models.{section}.train.help"))
    return values, pressed


def metrics_ui(trained, errors: dict, help_key: str, **fields) -> None:
    columns = st.columns(len(errors) + 1)
    for column, (model, error) in zip(columns, errors.items()):
        column.metric(t("sequence_models.metric.mae", model=name(model)), f"{error:.4f}",
                      help=t(help_key, model=name(model), **fields))
    columns[-1].metric(t("sequence_models.metric.time"), t("sequence_models.seconds", seconds=trained.seconds),
                       widgets.source_text(trained), delta_color="off")


def layers_ui(rows_of, models, caption: str) -> None:
    """One layer table per model, side by side, from the formulas."""
    for column, model in zip(st.columns(len(models)), models):
        with column:
            st.markdown(f"**{name(model)}**")
            table = pd.DataFrame(figures.layer_table_rows(rows_of(model)))
            table["layer"] = table["layer"].replace({"total": t("sequence_models.layers.total")})
            st.dataframe(table.rename(columns={"layer": t("sequence_models.layers.layer"),
                                               "output shape": t("sequence_models.layers.output_shape"),
                                               "parameters": t("sequence_models.layers.parameters")}),
                         hide_index=True, width="stretch")
    st.caption(caption)


def replay_labels(examples) -> list[str]:
    return replay.labels(examples, examples[-1])


def wave_errors_text(truth, values: dict) -> str:
    """Each trained model's mean absolute error on the wave drawn above, in words."""
    parts = [t("sequence_models.wave_errors.part", model=name(model), error=mean_absolute_error(truth, found))
             for model, found in values.items()]
    return t("sequence_models.wave_errors", parts=t("sequence_models.wave_errors.separator").join(parts))


# -- 1. bidirectional ---------------------------------------------------------------------------

def bidirectional_sentence(errors: dict) -> str:
    """The two fills compared, in words (numbers from `bidirectional.comparison_facts`)."""
    facts = bidirectional.comparison_facts(errors)
    line = t("sequence_models.bi.summary.line_beaten" if facts["beats_line"] else
             "sequence_models.bi.summary.line_not_beaten", better=name(facts["better"]), line=facts["interpolation"])
    return t("sequence_models.bi.summary", count=bidirectional.HOLDOUT_SIZE, better=name(facts["better"]),
             worse=name(facts["worse"]), better_error=facts[facts["better"]], worse_error=facts[facts["worse"]],
             ratio=facts["ratio"], line=line)


def bidirectional_ui(declared: dict, shared: dict, period: int, decay: float) -> None:
    st.header(t("sequence_models.bi.header"))
    st.markdown(t("sequence_models.bi.intro", length=BidirectionalConfig.length))
    values, pressed = section_form("bidirectional", declared, ("gap",), "bi")
    config = widgets.config_or_stop(BidirectionalConfig, **values, **shared)
    labels = names((*bidirectional.MODELS, "interpolation"))
    title = t("sequence_models.bi.figure.title", gap=config.gap, period=period, decay=decay)

    def live(model, seen: int, total: int):
        wave = cache.sine_wave(period, decay, config.length, 0)[0]
        return sequence_figures.gap_figure(wave, config.start, bidirectional.fills(model, period, decay),
                                           labels=labels, title=t("replay.live", seen=seen, total=total))

    trained = widgets.trained_or_prompt(config, pressed, live=live, live_inputs=(period, decay), button=False,
                                        prompt=t("widgets.experiment_prompt", what=t("sequence_models.bi.what")))
    if trained is None:
        return
    fillers = cache.view(config)
    errors = fillers.errors
    metrics_ui(trained, {model: errors[model] for model in labels}, "sequence_models.bi.metric.help",
               count=bidirectional.HOLDOUT_SIZE, gap=config.gap)
    wave, fills = cache.model_wave(config, period, decay)
    examples, moments = cache.gap_replay(config, period, decay)
    chart = st.container()
    moment = replay.moment_ui(PAGE, len(examples), key="_bidirectional")
    chart.plotly_chart(i18n.figure(sequence_figures.gap_replay_figure(
        wave, config.start, moments, labels=labels, title=title, moment_labels=replay_labels(examples),
        texts=replay.texts(), active=moment, still={"interpolation": fills["interpolation"]})))
    st.caption(t("sequence_models.bi.figure.caption") + " " + wave_errors_text(
        bidirectional.missing(config, wave)[0], {model: fills[model] for model in labels}))
    st.plotly_chart(i18n.figure(sequence_figures.errors_figure(
        np.arange(1, config.gap + 1), {model: fillers.position_errors[model] for model in labels}, labels=labels,
        title=t("sequence_models.bi.errors.title", count=bidirectional.HOLDOUT_SIZE),
        x_title=t("sequence_models.bi.errors.x"))))
    st.markdown(bidirectional_sentence(errors))
    layers_ui(lambda model: bidirectional.layer_rows(config, model), bidirectional.MODELS,
              t("sequence_models.bi.layers.caption", units=config.units))


# -- 2. encoder-decoder -------------------------------------------------------------------------

def encoder_decoder_sentence(step_errors: dict) -> str:
    """The two forecasts compared, in words (numbers from `encoder_decoder.comparison_facts`)."""
    facts = encoder_decoder.comparison_facts(step_errors)
    better, worse = facts["better"], facts["worse"]
    return t("sequence_models.ed.summary", steps=facts["steps"], better=name(better), worse=name(worse),
             better_error=facts["errors"][better], worse_error=facts["errors"][worse], ratio=facts["ratio"],
             encoder_decoder=name("encoder_decoder"), per_step=name("per_step"),
             encoder_decoder_last=facts["last"]["encoder_decoder"], per_step_last=facts["last"]["per_step"])


def encoder_decoder_ui(declared: dict, shared: dict, period: int, decay: float) -> None:
    st.header(t("sequence_models.ed.header"))
    st.markdown(t("sequence_models.ed.intro"))
    values, pressed = section_form("encoder_decoder", declared, ("input_steps", "output_steps"), "ed")
    config = widgets.config_or_stop(EncoderDecoderConfig, **values, **shared)
    labels = names(encoder_decoder.MODELS)
    title = t("sequence_models.ed.figure.title", input_steps=config.input_steps, output_steps=config.output_steps,
              period=period, decay=decay)

    def live(model, seen: int, total: int):
        inputs, truth = cache.sine_wave(period, decay, config.input_steps, config.output_steps)
        return sequence_figures.forecast_figure(inputs, truth, encoder_decoder.forecasts(model, period, decay),
                                                labels=labels, title=t("replay.live", seen=seen, total=total))

    trained = widgets.trained_or_prompt(config, pressed, live=live, live_inputs=(period, decay), button=False,
                                        prompt=t("widgets.experiment_prompt", what=t("sequence_models.ed.what")))
    if trained is None:
        return
    models = cache.view(config)
    metrics_ui(trained, models.errors, "sequence_models.ed.metric.help", count=encoder_decoder.HOLDOUT_SIZE,
               output_steps=config.output_steps)
    inputs, truth, final = cache.model_wave(config, period, decay)
    examples, moments = cache.sequence_forecast_replay(config, period, decay)
    chart = st.container()
    moment = replay.moment_ui(PAGE, len(examples), key="_encoder_decoder")
    chart.plotly_chart(i18n.figure(sequence_figures.forecast_replay_figure(
        inputs, truth, moments, labels=labels, title=title, moment_labels=replay_labels(examples),
        texts=replay.texts(), active=moment)))
    st.caption(t("sequence_models.figure.zoom") + " " + wave_errors_text(truth, final))
    st.plotly_chart(i18n.figure(sequence_figures.errors_figure(
        np.arange(1, config.output_steps + 1), models.step_errors, labels=labels,
        title=t("sequence_models.ed.errors.title", count=encoder_decoder.HOLDOUT_SIZE),
        x_title=t("sequence_models.steps_ahead"))))
    st.markdown(encoder_decoder_sentence(models.step_errors))
    layers_ui(lambda model: encoder_decoder.layer_rows(config, model), encoder_decoder.MODELS,
              t("sequence_models.ed.layers.caption", input_steps=config.input_steps, output_steps=config.output_steps))


# -- 3. teacher forcing -------------------------------------------------------------------------

def teacher_forcing_sentence(errors: dict) -> str:
    """Free running against teacher forcing, in words (numbers from `forecasting.teacher_forcing_facts`)."""
    facts = forecasting.teacher_forcing_facts(errors)
    if facts["widest"] is None:
        gap = t("sequence_models.tf.summary.no_gap")
    else:
        gap = t("sequence_models.tf.summary.gap", step=facts["widest"], free=facts["free_widest"],
                forced=facts["forced_widest"], ratio=facts["ratio"])
    return t("sequence_models.tf.summary", first=facts["first"], gap=gap, steps=facts["steps"],
             free_mean=facts["free_mean"], forced_mean=facts["forced_mean"])


def teacher_forcing_ui(declared: dict, shared: dict, period: int, decay: float) -> None:
    st.header(t("sequence_models.tf.header"))
    st.markdown(t("sequence_models.tf.intro"))
    values, pressed = section_form("teacher_forcing", declared, ("horizon",), "tf")
    config = widgets.config_or_stop(ForecastConfig, **values, **shared)
    labels = names(("free_running", "teacher_forced"))
    title = t("sequence_models.tf.figure.title", horizon=config.horizon, period=period, decay=decay)

    def live(model, seen: int, total: int):
        inputs, truth = cache.sine_wave(period, decay, config.length, config.horizon)
        return sequence_figures.forecast_figure(inputs, truth, forecasting.recursive_runs(model, period, decay),
                                                labels=labels, title=t("replay.live", seen=seen, total=total),
                                                markers_only=("teacher_forced",))

    trained = widgets.trained_or_prompt(config, pressed, live=live, live_inputs=(period, decay), button=False,
                                        prompt=t("widgets.experiment_prompt", what=t("sequence_models.tf.what")))
    if trained is None:
        return
    errors = cache.teacher_forcing_errors(config)
    facts = forecasting.teacher_forcing_facts(errors)
    metrics_ui(trained, {"free_running": facts["free_mean"], "teacher_forced": facts["forced_mean"]},
               "sequence_models.tf.metric.help", count=forecasting.HOLDOUT_SIZE, horizon=config.horizon)
    inputs, truth = cache.sine_wave(period, decay, config.length, config.horizon)
    examples, moments = cache.teacher_forcing_replay(config, period, decay)
    chart = st.container()
    moment = replay.moment_ui(PAGE, len(examples), key="_teacher_forcing")
    chart.plotly_chart(i18n.figure(sequence_figures.forecast_replay_figure(
        inputs, truth, moments, labels=labels, title=title, moment_labels=replay_labels(examples),
        texts=replay.texts(), active=moment, markers_only=("teacher_forced",))))
    st.caption(t("sequence_models.tf.figure.caption") + " " + wave_errors_text(truth, moments[-1]))
    st.plotly_chart(i18n.figure(sequence_figures.errors_figure(
        np.arange(1, config.horizon + 1), errors, labels=labels,
        title=t("sequence_models.tf.errors.title", count=forecasting.HOLDOUT_SIZE),
        x_title=t("sequence_models.steps_ahead"))))
    st.markdown(teacher_forcing_sentence(errors))
    st.page_link("pages/forecasting.py", label=t("sequence_models.tf.link"), icon=":material/timeline:")


st.title(t("sequence_models.title"))
st.caption(t("sequence_models.caption"))
declared = page_controls()
preset_ui(PAGE, presets.SEQUENCE_MODELS, declared)
params.check(controls.parameters(declared.values()))
period, decay, shared = sidebar_ui(declared)
bidirectional_ui(declared, shared, period, decay)
st.divider()
encoder_decoder_ui(declared, shared, period, decay)
st.divider()
teacher_forcing_ui(declared, shared, period, decay)
