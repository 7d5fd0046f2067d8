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
    Preset("out_of_range", dict(units=20, depth=2, train_size=10_000, epochs=2, seed=0, period=35, decay=0.15)),
    Preset("shallow", dict(units=20, depth=1, train_size=10_000, epochs=2, seed=0, period=12, decay=0.08)),
]

RECTANGLES = [
    Preset("book", dict(units=10, train_size=25_000, seed=0)),
    Preset("few_rectangles", dict(units=10, train_size=100, seed=0)),
    Preset("one_cell", dict(units=1, train_size=25_000, seed=0)),
]

PRESETS = {"sine": SINE, "rectangles": RECTANGLES}
MODEL_FIELDS = {"sine": ("units", "depth", "train_size", "epochs", "seed"),
                "rectangles": ("units", "train_size", "seed")}


def config_of(lesson: str, preset: Preset):
    """The model configuration a preset trains (its other values only change the view)."""
    values = {k: v for k, v in preset.values.items() if k in MODEL_FIELDS[lesson]}
    return SineConfig(**values) if lesson == "sine" else RectangleConfig(**values)


def configs() -> list:
    """Every model configuration the presets need, without repeats."""
    found = []
    for lesson, presets in PRESETS.items():
        for preset in presets:
            config = config_of(lesson, preset)
            if config not in found:
                found.append(config)
    return found
