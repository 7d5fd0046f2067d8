"""
Presets: named settings of a lesson that show one idea each.

A preset is the configurations it trains (experiment configurations, the
same the store keys them by) and the view it shows of them (`view`: a test
wave's `period` and `decay`, a diagram's `problem` and `shape`, ...). The
pages turn a preset into their controls (`ui/presets.py`) and show its two or
three sentences of commentary (in the UI catalogues, under
`preset.<lesson>.<name>`); `python -m lstm_core prewarm` trains every
preset's configurations before class.

They are declared at the built-in ceilings (`at_ceilings`), the same on every
server; under a teacher's lower limits the pages lower a preset's values to
them, and prewarm leaves out what the limits forbid.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .engine.config import ConfigError, at_ceilings
from .experiments import EXPERIMENTS, BidirectionalConfig, CellsConfig, EncoderDecoderConfig, ExplodeConfig, \
    ForecastConfig, RectangleConfig, SineConfig, ThroughTimeConfig, WindowConfig
from .ladder import DEFAULT_SIZES, ladder_configs


@dataclass(frozen=True)
class Preset:
    name: str
    configs: tuple = ()  # what it trains, in the order the page shows them
    view: dict = field(default_factory=dict)  # how the page shows them (a test wave, a diagram)
    # The page's controls it moves away from the lesson's default (their keys): its note names each of them, and
    # tests/pages/test_page_presets.py checks this list against what choosing the preset really changes.
    changes: tuple = ()


with at_ceilings():
    _BOOK_WAVE = dict(period=15, decay=0.05)

    SINE = [
        Preset("fast", (SineConfig(),), _BOOK_WAVE),  # first: the lesson's default
        Preset("book", (SineConfig(recipe="book", epochs=1),), _BOOK_WAVE, changes=("recipe", "epochs")),
        Preset("too_small", (SineConfig(units=2, depth=1, train_size=100, epochs=1),), _BOOK_WAVE,
               changes=("units", "depth", "train_size", "epochs")),
        Preset("out_of_range", (SineConfig(),), dict(period=35, decay=0.0), changes=("period", "decay")),
        Preset("shallow", (SineConfig(depth=1),), _BOOK_WAVE, changes=("depth",)),
    ]

    # Each with the other framing of the same rectangles, units and seed: the page compares the two.
    RECTANGLES = [
        Preset("book", (RectangleConfig(), RectangleConfig(framing="sequence"))),
        Preset("sequence", (RectangleConfig(framing="sequence"), RectangleConfig()), changes=("framing",)),
        Preset("few_rectangles", (RectangleConfig(train_size=100),
                                  RectangleConfig(train_size=100, framing="sequence")), changes=("train_size",)),
        Preset("one_cell", (RectangleConfig(units=1), RectangleConfig(units=1, framing="sequence")),
               changes=("units",)),
    ]

    # Sequence problems: one preset per problem type worth a diagram, and the MLP on a wave longer than its window.
    SEQUENCE_PROBLEMS = [
        # The damped sine: chapter 1 calls a forecast of several values sequence-to-sequence; chapter 7's model
        # that makes it is many-to-one (one output of 5 values).
        Preset("damped_sine", view=dict(problem="sequence-to-sequence prediction", shape="many-to-one", feedback=False,
                                        steps=5), changes=("problem",)),
        Preset("rectangles", view=dict(problem="sequence generation", shape="one-to-many", feedback=True, steps=3),
               changes=("problem", "shape", "feedback", "steps")),
        Preset("seq2seq", view=dict(problem="sequence-to-sequence prediction", shape="many-to-many (unequal lengths)",
                                    feedback=False, steps=5), changes=("problem", "shape")),
        Preset("window_longer", (WindowConfig(window=20),), dict(test_length=60, period=15, decay=0.02),
               changes=("window", "test_length", "decay")),
    ]

    # Inside the LSTM: the sine lesson's models (same store entries), read on a chosen wave.
    INSIDE_LSTM = [
        Preset("book", (SineConfig(),), _BOOK_WAVE),
        Preset("out_of_range", (SineConfig(),), dict(period=35, decay=0.0), changes=("period", "decay")),
        Preset("small", (SineConfig(units=4, depth=1),), _BOOK_WAVE, changes=("units", "depth")),
    ]

    # The training-size lab: whole ladders, one configuration per size.
    TRAINING_SIZE = [
        Preset("book", tuple(ladder_configs(RectangleConfig(), DEFAULT_SIZES))),
        Preset("sine", tuple(ladder_configs(SineConfig(), DEFAULT_SIZES)), _BOOK_WAVE, changes=("experiment",)),
        Preset("small_model", tuple(ladder_configs(RectangleConfig(units=2), DEFAULT_SIZES)), changes=("units",)),
        Preset("other_seed", tuple(ladder_configs(RectangleConfig(seed=1), DEFAULT_SIZES)), changes=("seed",)),
    ]

    # RNN, GRU and LSTM: a vanishing and a harmless lag for the three cells, a diverging SGD run and the same
    # clipped, and the gradient through time of a SimpleRNN started large or small (each run without and with
    # clipping, as its section trains them).
    CELLS = [
        Preset("vanishing", (CellsConfig(),)),
        Preset("short_lag", (CellsConfig(lag=5),), changes=("lag",)),
        Preset("exploding", (ExplodeConfig(cell="SimpleRNN", learning_rate=2.0),)),
        Preset("clipped", (ExplodeConfig(cell="SimpleRNN", learning_rate=2.0, clipnorm=1.0),),
               changes=("explode_clip",)),
        Preset("through_time_exploding", (ThroughTimeConfig(scale=2.0), ThroughTimeConfig(scale=2.0).clipped())),
        Preset("through_time_vanishing", (ThroughTimeConfig(scale=0.8), ThroughTimeConfig(scale=0.8).clipped()),
               changes=("through_scale",)),
    ]

    # Forecasting: the default, a long horizon, a wave outside the training periods and the same wave once the
    # training periods cover it.
    FORECASTING = [
        Preset("default", (ForecastConfig(),), _BOOK_WAVE),
        Preset("long_horizon", (ForecastConfig(horizon=20),), _BOOK_WAVE, changes=("horizon",)),
        Preset("out_of_range", (ForecastConfig(),), dict(period=35, decay=0.05), changes=("period",)),
        Preset("wider_training", (ForecastConfig(period_range=(5, 40)),), dict(period=35, decay=0.05),
               changes=("period", "period_range")),
    ]

    # The class board: which experiment's runs to project (it trains nothing).
    BOARD = [
        Preset("sine", view={"experiment": "sine"}),
        Preset("rectangles", view={"experiment": "rectangles"}, changes=("experiment",)),
    ]

    # Sequence models: each preset sets one section's model (a gap, Tx and Ty, a horizon) and the shared controls
    # to their defaults; the teacher-forcing ones are the forecasting lesson's models, read another way.
    SEQUENCE_MODELS = [
        Preset("bidirectional", (BidirectionalConfig(),), _BOOK_WAVE),
        Preset("one_missing", (BidirectionalConfig(gap=1),), _BOOK_WAVE, changes=("gap",)),
        Preset("long_gap", (BidirectionalConfig(gap=10),), _BOOK_WAVE, changes=("gap",)),
        Preset("encoder_decoder", (EncoderDecoderConfig(),), _BOOK_WAVE),
        Preset("long_output", (EncoderDecoderConfig(input_steps=15, output_steps=25),), _BOOK_WAVE,
               changes=("input_steps", "output_steps")),
        Preset("long_input", (EncoderDecoderConfig(input_steps=50, output_steps=5),), _BOOK_WAVE,
               changes=("input_steps", "output_steps")),
        Preset("teacher_forcing", (ForecastConfig(),), _BOOK_WAVE),
        Preset("teacher_forcing_long", (ForecastConfig(horizon=20),), _BOOK_WAVE, changes=("horizon",)),
    ]

PRESETS = {"sine": SINE, "rectangles": RECTANGLES, "sequence_problems": SEQUENCE_PROBLEMS,
           "inside_lstm": INSIDE_LSTM, "training_size": TRAINING_SIZE, "cells": CELLS, "forecasting": FORECASTING,
           "sequence_models": SEQUENCE_MODELS, "board": BOARD}


def allowed(config) -> bool:
    """True if `config` is within this server's limits (the teacher's may be below the ceilings)."""
    try:
        config.replace()  # validated again, against the limits of now
    except ConfigError:
        return False
    return True


def configs() -> list:
    """Every configuration the presets train that this server's limits allow, each once, in lesson order."""
    found = []
    for presets in PRESETS.values():
        for preset in presets:
            found.extend(config for config in preset.configs if config not in found and allowed(config))
    return found


def defaults() -> list:
    """What every lesson shows before anyone moves a control: each experiment's default configuration
    (those this server's limits allow)."""
    with at_ceilings():
        found = [experiment.config() for experiment in EXPERIMENTS.values()]
    return [config for config in found if allowed(config)]
