"""
The registry: every experiment LSTM Explorer trains, declared once.

Each module here declares one experiment (its configuration class, model,
data, recipe, scores, description and, where there is one, its equivalent
Keras script) as an `engine.experiment.Experiment` named `EXPERIMENT`. The
command line, prewarm, the trainer, the store and the pages find experiments
here, by name or by configuration. Adding an experiment is one new module and
one line in `EXPERIMENTS`.
"""

from __future__ import annotations

from ..engine.config import ConfigError
from . import bidirectional, cells, encoder_decoder, explode, forecasting, rectangles, sine, through_time, window

EXPERIMENTS = {experiment.name: experiment for experiment in (
    sine.EXPERIMENT,
    rectangles.EXPERIMENT,
    window.EXPERIMENT,
    cells.EXPERIMENT,
    explode.EXPERIMENT,
    forecasting.EXPERIMENT,
    through_time.EXPERIMENT,
    bidirectional.EXPERIMENT,
    encoder_decoder.EXPERIMENT,
)}


def of(config):
    """The experiment a configuration belongs to."""
    experiment = EXPERIMENTS.get(getattr(config, "experiment", None))
    if experiment is None or not isinstance(config, experiment.config):
        raise TypeError(f"not the configuration of a registered experiment: {config!r}")
    return experiment


def config_from_dict(values: dict):
    """Rebuild a configuration from `{"experiment": name, **fields}` (as the store writes it)."""
    name = values.get("experiment")
    if name not in EXPERIMENTS:
        raise ConfigError("experiment", f"experiment must be one of {', '.join(sorted(EXPERIMENTS))} (got {name!r})")
    return EXPERIMENTS[name].config.from_dict(values)


def describe(config) -> str:
    return of(config).describe(config)


def keras_script(config) -> str:
    """The equivalent Keras script of a configuration; ValueError if its experiment has none."""
    experiment = of(config)
    if experiment.script is None:
        raise ValueError(f"the {experiment.name} experiment has no equivalent Keras script")
    return experiment.script(config)


def view(trained):
    """What a page reads of a trained model (the Trained itself for the book experiments)."""
    experiment = of(trained.config)
    return trained if experiment.view is None else experiment.view(trained)


def layers(config) -> list[dict]:
    return of(config).layers(config)


SineConfig = sine.SineConfig
RectangleConfig = rectangles.RectangleConfig
WindowConfig = window.WindowConfig
CellsConfig = cells.CellsConfig
ExplodeConfig = explode.ExplodeConfig
ForecastConfig = forecasting.ForecastConfig
ThroughTimeConfig = through_time.ThroughTimeConfig
BidirectionalConfig = bidirectional.BidirectionalConfig
EncoderDecoderConfig = encoder_decoder.EncoderDecoderConfig
