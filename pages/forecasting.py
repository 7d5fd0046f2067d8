"""
Lesson: forecasting several steps ahead (course notes, book chapter 7).

Three ways to predict the next H values of a damped sine wave, trained on
the same waves: recursive (a one-step model fed its own predictions),
vector (one model outputs the H values at once, the chapter 7 model's
way) and sequence-to-sequence (an output of H values at every time step).
The page shows their forecasts of a chosen wave, their error at each step
ahead, the chapter 7 model's many-to-many version beside its many-to-one
one, and what happens on a wave whose period or decay lies outside the
training range (drawn under the test-wave sliders).
"""

import numpy as np
import pandas as pd
import streamlit as st

from lstm_core import concept_figures, figures, forecasting
from lstm_core.config import max_epochs, max_train_size, max_units
from lstm_core.forecasting import LABELS, STRATEGIES, ForecastConfig, layer_rows
from ui import cache, params, widgets
from ui.frame import require_app

require_app()

DEFAULT = ForecastConfig  # the field defaults
TRAIN_SIZES = [256, 512, 1_024, 2_048, 4_096, 8_192]
_SIZES = [size for size in TRAIN_SIZES if size <= max_train_size()] or [max_train_size()]
PERIODS = (3, 40)
DECAYS = (0.0, 0.25)
SWEEP_PERIODS = tuple(range(PERIODS[0], PERIODS[1] + 1))
SWEEP_DECAYS = tuple(float(d) for d in np.round(np.linspace(DECAYS[0], DECAYS[1], 26), 3))
SHORT = {"recursive": "recursive", "vector": "vector", "seq2seq": "seq2seq"}
URL_PARAMETERS = [
    params.whole_number("forecast_period", PERIODS[0], PERIODS[1], 15),
    params.number("forecast_decay", DECAYS[0], DECAYS[1], 0.05),
    params.whole_number("horizon", 1, 20, DEFAULT.horizon),
    params.whole_number("forecast_units", 1, max_units(), min(DEFAULT.units, max_units())),
    params.whole_number("forecast_depth", 1, 3, DEFAULT.depth),
    params.choice("forecast_train_size", _SIZES, min(DEFAULT.train_size, _SIZES[-1])),
    params.whole_number("forecast_epochs", 1, min(30, max_epochs()), min(DEFAULT.epochs, max_epochs())),
    params.whole_number("forecast_seed", 0, 10_000, DEFAULT.seed),
]


def wave_ui(box):
    with box:
        st.header("Test wave")
        period = st.slider("period", *PERIODS, 15, key="forecast_period", bind="query-params",
                           help="Steps per oscillation of the wave to forecast. The green band below is the "
                                "training range: move the marker out of it and watch the forecasts fail.")
        period_strip = st.empty()
        decay = st.slider("decay", *DECAYS, 0.05, step=0.005, format="%.3f", key="forecast_decay",
                          bind="query-params",
                          help="How fast the wave dies out. The green band below is the training range.")
        decay_strip = st.empty()
    return period, decay, period_strip, decay_strip


def model_ui():
    with st.sidebar.form("forecast_model"):
        st.header("Models")
        horizon = st.slider("horizon H (steps ahead)", 1, 20, DEFAULT.horizon, key="horizon", bind="query-params",
                            help="How many values to forecast after the 50 input steps. Watch the recursive "
                                 "strategy's error grow with the step ahead as H gets larger.")
        units = st.slider("units", 1, max_units(), min(DEFAULT.units, max_units()), key="forecast_units",
                          bind="query-params", help="Memory cells in each LSTM layer, the same for the three models.")
        depth = st.slider("depth", 1, 3, DEFAULT.depth, key="forecast_depth", bind="query-params",
                          help="Stacked LSTM layers in each model (chapter 7 stacks 2).")
        train_size = st.select_slider("training waves", _SIZES, min(DEFAULT.train_size, _SIZES[-1]),
                                      key="forecast_train_size", bind="query-params",
                                      help="Random waves the three models are trained on, in the same order.")
        epochs = st.slider("epochs", 1, min(30, max_epochs()), min(DEFAULT.epochs, max_epochs()),
                           key="forecast_epochs", bind="query-params", help="Passes over the training waves.")
        seed = st.number_input("seed", 0, 10_000, DEFAULT.seed, key="forecast_seed", bind="query-params",
                               help="Same seed, same waves and initial weights: the same three models.")
        period_range = st.slider("training periods", *PERIODS, DEFAULT.period_range, key="forecast_period_range",
                                 help="The periods of the training waves (the book: 10 to 20). Widen it and the "
                                      "models cope with more test waves.")
        decay_range = st.slider("training decays", *DECAYS, DEFAULT.decay_range, step=0.005, format="%.3f",
                                key="forecast_decay_range",
                                help="The decays of the training waves (the book: 0.01 to 0.1).")
        pressed = st.form_submit_button("Train", type="primary", key="forecast_train",
                                        help="Train the three strategies side by side (a few seconds; a new H, "
                                             "units or depth first compiles the models, 10-25 s).")
    values = dict(horizon=horizon, units=units, depth=depth, train_size=train_size, epochs=epochs, seed=int(seed),
                  period_range=tuple(int(p) for p in period_range),
                  decay_range=tuple(round(float(d), 3) for d in decay_range))
    return values, pressed


def strips_ui(config, period, decay, period_strip, decay_strip):
    period_strip.plotly_chart(concept_figures.range_figure(
        *PERIODS, *config.period_range, period, name="period", fmt="d"), key="period_strip")
    decay_strip.plotly_chart(concept_figures.range_figure(
        *DECAYS, *config.decay_range, decay, name="decay", fmt=".3f"), key="decay_strip")


def forecasts_ui(models, config, period, decay):
    columns = st.columns(4)
    for column, strategy in zip(columns, STRATEGIES):
        column.metric(f"{SHORT[strategy]}: held-out MAE", f"{models.step_errors[strategy].mean():.4f}",
                      help=f"{LABELS[strategy]}: mean absolute error over the {config.horizon} steps ahead, "
                           "on 300 new waves from the training range.")
    columns[3].metric("training time", f"{models.fit.seconds:.1f} s",
                      "compiled now" if models.fit.compiled else "compiled model reused", delta_color="off")
    if models.fit.diverged:
        st.error(f"Training failed: {models.fit.divergence_message()}.")
    if not config.in_training_range(period, decay):
        st.warning(f"This wave (period {period}, decay {decay:.3f}) is outside the training range (periods "
                   f"{config.period_range[0]}-{config.period_range[1]}, decays {config.decay_range[0]:.3f}-"
                   f"{config.decay_range[1]:.3f}): the models have never seen one like it.")
    inputs, truth, forecasts, fan = cache.forecast_wave(config, period, decay)
    st.plotly_chart(concept_figures.forecast_figure(
        inputs, truth, forecasts, labels=LABELS, focus=25,
        title=f"Forecasting {config.horizon} steps of a wave with period {period}, decay {decay:.3f}"))
    st.caption("Zoomed on the end of the input and the forecasts: double-click the chart to see the whole wave.")
    left, right = st.columns(2)
    steps = np.arange(1, config.horizon + 1)
    left.plotly_chart(concept_figures.curves_figure(
        steps, models.step_errors, labels=LABELS, title="Error at each step ahead (300 held-out waves)",
        x_title="steps ahead", y_title="mean absolute error"))
    right.plotly_chart(concept_figures.curves_figure(
        steps, {s: np.abs(np.asarray(forecasts[s]) - truth) for s in STRATEGIES}, labels=LABELS,
        title="Error at each step ahead (this wave)", x_title="steps ahead", y_title="absolute error"))
    st.caption("The recursive model predicts one step and is fed its own prediction, so each step ahead builds "
               "on earlier guesses and its errors can accumulate; the other two predict all H values from the real "
               "input. " + forecasting.step_error_summary(models.step_errors))


def many_to_many_ui(models, config, period, decay):
    st.subheader("Many-to-one and many-to-many (the chapter 7 extension)")
    st.markdown(
        "The vector model is the chapter 7 model's shape, many-to-one: it reads the whole wave and outputs the H "
        "values once, at the end (with H = 5, depth 2 and 20 units it *is* the book's model). The book suggests "
        "recasting it as many-to-many: with `return_sequences=True` on the last LSTM and a Dense applied at "
        "every step, the model forecasts the next H values at **every** time step, and every one of those "
        "forecasts is in the loss.")
    left, right = st.columns(2)
    for column, strategy in ((left, "vector"), (right, "seq2seq")):
        with column:
            kind = "many-to-one" if strategy == "vector" else "many-to-many"
            st.markdown(f"**{LABELS[strategy]}**: {kind}")
            st.dataframe(pd.DataFrame(figures.layer_table_rows(layer_rows(config, strategy))), hide_index=True,
                         width="stretch")
    inputs, truth, forecasts, fan = cache.forecast_wave(config, period, decay)
    left, right = st.columns(2)
    left.plotly_chart(concept_figures.forecast_figure(
        inputs, truth, {"seq2seq": forecasts["seq2seq"]}, labels=LABELS, fan=fan,
        title="Many-to-many: a forecast at every step"))
    by_time = concept_figures.curves_figure(
        np.arange(1, config.length + 1), {"seq2seq": models.seq2seq_by_time}, labels=LABELS,
        title="Its error by input steps seen", x_title="input steps seen",
        y_title="mean absolute error (held out)")
    by_time.add_scatter(x=[config.length], y=[float(models.step_errors["vector"].mean())], mode="markers",
                        name=LABELS["vector"], marker={"size": 14, "symbol": "diamond",
                                                       "color": concept_figures.MODEL_COLORS["vector"]})
    right.plotly_chart(by_time)
    st.caption("Left: thin lines are the H-step forecasts the many-to-many model made after every 5th step of "
               "this wave. Right: early forecasts, made from a few steps, are worse; the diamond is the "
               "many-to-one model's error, which exists only at the last step.")
    st.plotly_chart(concept_figures.curves_figure(
        models.fit.examples, {s: models.fit.losses[s] for s in STRATEGIES}, labels=LABELS,
        title="Training loss (MAE; the many-to-many loss averages the forecasts of all 50 steps)",
        x_title="training waves seen", y_title="mean absolute error", log_y=True, height=340))


def out_of_distribution_ui(config, period, decay):
    st.subheader("Out of distribution")
    st.markdown("A model only knows the waves it was trained on. Below, the error of each strategy for waves "
                "across the whole period and decay ranges of the sliders; the green band is the training range.")
    left, right = st.columns(2)
    by_period = cache.forecast_sweep(config, "period", SWEEP_PERIODS, float(decay))
    left.plotly_chart(concept_figures.sweep_figure(SWEEP_PERIODS, by_period, config.period_range, period,
                                                   field=f"period (decay {decay:.3f})", labels=LABELS))
    by_decay = cache.forecast_sweep(config, "decay", SWEEP_DECAYS, float(period))
    right.plotly_chart(concept_figures.sweep_figure(SWEEP_DECAYS, by_decay, config.decay_range, decay,
                                                    field=f"decay (period {period})", labels=LABELS))


st.title("Forecasting several steps ahead")
st.caption("Course notes: three strategies for predicting H steps ahead; book chapter 7: the damped sine wave "
           "and its many-to-many extension.")
params.check(URL_PARAMETERS)
wave_box = st.sidebar.container()
period, decay, period_strip, decay_strip = wave_ui(wave_box)
values, pressed = model_ui()
config = widgets.config_or_stop(ForecastConfig, **values)
strips_ui(config, period, decay, period_strip, decay_strip)
models = widgets.experiment_or_prompt(cache.forecasters, config, pressed, page="forecasting",
                                      what="The three strategies are",
                                      spinner="Training the recursive, vector and sequence-to-sequence models…")
if models is not None:
    forecasts_ui(models, config, period, decay)
    many_to_many_ui(models, config, period, decay)
    out_of_distribution_ui(config, period, decay)
