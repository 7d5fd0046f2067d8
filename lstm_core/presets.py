"""
Presets: named settings of a lesson that show one idea each.

A preset is a set of widget values (`units`, `train_size`, `period`, ...,
the same short names as the URL parameters). The pages show a menu of them
with two or three sentences of commentary each (in the UI catalogues, under
`preset.<lesson>.<name>`), and `python -m lstm_core prewarm` can train the
models they need before class.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .config import RectangleConfig, SineConfig


@dataclass(frozen=True)
class Preset:
    name: str
    values: dict = field(default_factory=dict)


SINE = [
    Preset("book", dict(units=20, depth=2, train_size=10_000, epochs=2, seed=0, period=15, decay=0.05)),
    Preset("too_small", dict(units=2, depth=1, train_size=100, epochs=1, seed=0, period=15, decay=0.05)),
    Preset("out_of_range", dict(units=20, depth=2, train_size=10_000, epochs=2, seed=0, period=35, decay=0.0)),
    Preset("shallow", dict(units=20, depth=1, train_size=10_000, epochs=2, seed=0, period=12, decay=0.08)),
]

RECTANGLES = [
    Preset("book", dict(units=10, train_size=25_000, seed=0)),
    Preset("few_rectangles", dict(units=10, train_size=100, seed=0)),
    Preset("one_cell", dict(units=1, train_size=25_000, seed=0)),
]

# Sequence problems: one preset per problem type worth a diagram, and the MLP on a wave longer than its window
# (that one trains a WindowConfig, not through the model store: it is not in PRESETS).
SEQUENCE_PROBLEMS = [
    Preset("damped_sine", dict(problem="sequence prediction", shape="many-to-one", feedback=False, steps=5)),
    Preset("rectangles", dict(problem="sequence generation", shape="one-to-many", feedback=True, steps=3)),
    Preset("seq2seq", dict(problem="sequence-to-sequence prediction", shape="many-to-many (unequal lengths)",
                           feedback=False, steps=5)),
    Preset("window_longer", dict(window=20, units=20, train_size=2_048, epochs=6, seed=0,
                                 test_length=60, period=15, decay=0.02)),
]

# Inside the LSTM: the sine lesson's models (same store entries), read on a chosen wave.
INSIDE_LSTM = [
    Preset("book", dict(units=20, depth=2, train_size=10_000, epochs=2, seed=0,
                        period=15, decay=0.05)),
    Preset("out_of_range", dict(units=20, depth=2, train_size=10_000, epochs=2,
                                seed=0, period=35, decay=0.0)),
    Preset("small", dict(units=4, depth=1, train_size=10_000, epochs=2, seed=0,
                         period=15, decay=0.05)),
]

# The training-size lab: whole ladders (the lab's widget keys). Not in PRESETS: a preset is a ladder of
# configurations, not one; the book's two ladders are prewarmed anyway (`prewarm.default_configs`).
BOOK_SIZES = [100, 500, 1_000, 5_000, 10_000]
TRAINING_SIZE = [
    Preset("book", dict(experiment="rectangles", units=10, epochs=1,
                        seed=0, sizes=list(BOOK_SIZES))),
    Preset("sine", dict(experiment="sine", units=20, depth=2, epochs=2,
                        seed=0, sizes=list(BOOK_SIZES), period=15, decay=0.05)),
    Preset("small_model", dict(experiment="rectangles", units=2, epochs=1,
                               seed=0, sizes=list(BOOK_SIZES))),
    Preset("other_seed", dict(experiment="rectangles", units=10, epochs=1,
                              seed=1, sizes=list(BOOK_SIZES))),
]

# RNN, GRU and LSTM (the cells page's widget keys): a vanishing and a harmless lag for the three cells, an
# exploding SGD run and the same with clipping. Not in PRESETS: they train concept experiments, not stored models.
_CELLS_DEFAULT = dict(task="lag", length=50, lag=20, units=16, train_size=2_048,
                      epochs=8, seed=4, learning_rate=1e-2)
CELLS = [
    Preset("vanishing", dict(_CELLS_DEFAULT)),
    Preset("short_lag", dict(_CELLS_DEFAULT, lag=5)),
    Preset("exploding", dict(explode_cell="SimpleRNN", explode_learning_rate=2.0, explode_clip=False)),
    Preset("clipped", dict(explode_cell="SimpleRNN", explode_learning_rate=2.0, explode_clip=True)),
]

# Forecasting (the page's widget keys): the default, a long horizon, a wave outside the training periods and the
# same wave once the training periods cover it. Not in PRESETS either (ForecastConfig, not the model store).
_FORECASTING_DEFAULT = dict(period=15, decay=0.05, horizon=10, units=20, depth=1,
                            train_size=2_048, epochs=6, seed=0,
                            period_range=(10, 20), decay_range=(0.01, 0.1))
FORECASTING = [
    Preset("default", dict(_FORECASTING_DEFAULT)),
    Preset("long_horizon", dict(_FORECASTING_DEFAULT, horizon=20)),
    Preset("out_of_range", dict(_FORECASTING_DEFAULT, period=35)),
    Preset("wider_training", dict(_FORECASTING_DEFAULT, period=35, period_range=(5, 40))),
]

PRESETS = {"sine": SINE, "rectangles": RECTANGLES, "inside_lstm": INSIDE_LSTM}
MODEL_FIELDS = {"sine": ("units", "depth", "train_size", "epochs", "seed"),
                "rectangles": ("units", "train_size", "seed"),
                "inside_lstm": ("units", "depth", "train_size", "epochs", "seed")}


def config_of(lesson: str, preset: Preset):
    """The model configuration a preset trains (its other values only change the view)."""
    values = {k: v for k, v in preset.values.items() if k in MODEL_FIELDS[lesson]}
    return RectangleConfig(**values) if lesson == "rectangles" else SineConfig(**values)


def configs() -> list:
    """Every model configuration the presets need, without repeats."""
    found = []
    for lesson, presets in PRESETS.items():
        for preset in presets:
            config = config_of(lesson, preset)
            if config not in found:
                found.append(config)
    return found
