"""
The training-size ladder: one model trained on more and more data.

Chapter 11 of the book shows the rectangles its generative LSTM draws after
100, 500, 1,000, 5,000 and 10,000 training rectangles, and says they get
better with more data. A *ladder* makes that an experiment: the same
architecture, seed and number of epochs, trained once for each training-set
size (each rung is an ordinary configuration, so the model store keeps it
and a size already trained is never trained again).

This module turns the trained rungs into what the training-size lab shows
(its figures are in `figures/ladder.py`): the table, and one plain sentence computed
from those same errors, such as "100× more rectangles cut the consistency
error from 0.32 to 0.041" (its numbers are computed here, its wording is in
the UI catalogues, in English and Chinese). Every error the lab shows, in
its sentence, chart, panels and table, is written by one function,
`format_error`, so the same figure reads the same everywhere.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .engine.config import ConfigError
from .evaluate import format_error
from .experiments.rectangles import RectangleConfig
from .experiments.sine import SineConfig

# The book's rectangle figures (11.5-11.7); the page offers up to the largest training size.
DEFAULT_SIZES = (100, 500, 1_000, 5_000, 10_000)
SIZE_CHOICES = (100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 25_000)
ERROR_NAMES = {"sine": "held-out MAE", "rectangles": "consistency error"}
PART_NAMES = {"free": "drawn from [0, 0]", "completions": "completions"}  # a rectangle model's two figures apart
NOUNS = {"sine": "training waves", "rectangles": "rectangles"}


def ladder_configs(base, sizes) -> list:
    """One configuration per training size: `base` with `train_size` replaced, smallest first.

    Repeated sizes count once. Raises ConfigError (field `train_size`) if
    there is no size or a size is out of the allowed range.
    """
    unique = sorted(set(sizes))
    if not unique:
        raise ConfigError("train_size", "choose at least one training size")
    return [base.replace(train_size=int(size)) for size in unique]


def default_ladders(sizes=DEFAULT_SIZES) -> list:
    """The ladders the training-size lab shows by default: both experiments at their default settings."""
    return ladder_configs(SineConfig(), sizes) + ladder_configs(RectangleConfig(), sizes)


def train_ladder(trainer, configs, on_update=None) -> list:
    """Every rung through `trainer` (memory, store, or trained now), smallest first.

    `on_update(config, status)` reports the training of each rung.
    """
    results = []
    for config in configs:
        update = None if on_update is None else (lambda status, config=config: on_update(config, status))
        results.append(trainer.get(config, on_update=update))
    return results


@dataclass(frozen=True)
class Rung:
    """What the lab shows about one trained size."""

    size: int
    error: float
    epochs: int
    seconds: float
    source: str
    parts: tuple = ()  # (name, error) of the figures the headline error is made of (a rectangle model's two)


def rungs(trained_models) -> list[Rung]:
    """The trained models of a ladder as rungs, smallest training set first."""
    found = []
    for t in trained_models:
        # The figures a headline is made of are stored beside it as `<headline>_<part>` (a rectangle model's two).
        parts = tuple((name, float(t.metrics[f"{t.error_metric}_{name}"])) for name in PART_NAMES
                      if f"{t.error_metric}_{name}" in t.metrics)
        found.append(Rung(size=t.config.train_size, error=t.error, epochs=len(t.history), seconds=t.seconds,
                          source=t.source, parts=parts))
    return sorted(found, key=lambda rung: rung.size)


def table_rows(experiment: str, ladder: list[Rung]) -> list[dict]:
    """One row per size for the page's table: size, error (and a rectangle model's two figures apart, named by
    `PART_NAMES`), epochs, training seconds, where it came from. Errors as `format_error` writes them."""
    return [{
        "training size": rung.size,
        ERROR_NAMES[experiment]: format_error(rung.error),
        **{PART_NAMES[name]: format_error(value) for name, value in rung.parts},
        "epochs": rung.epochs,
        "training seconds": round(rung.seconds, 1),
        "model": {"store": "from the store", "memory": "in memory"}.get(rung.source, "trained now"),
    } for rung in ladder]


# -- the sentence ---------------------------------------------------------------------------------
def _times(ratio: float) -> str:
    return f"{ratio:,.0f}×" if ratio >= 10 else f"{ratio:.2g}×"


SENTENCE = "training_size.sentence."  # the catalogue keys of the sentence's parts (ui/locales/*.json)


def summary(experiment: str, ladder: list[Rung]) -> list[tuple[str, dict]]:
    """What the error curve shows, as the parts of one or two sentences: `(key, fields)` pairs.

    The numbers are computed here, already formatted as text (`times`, the
    errors `a` and `b`, `factor`, `size`, `value`); the wording of each part is
    the UI catalogue's text of `SENTENCE + key` in the reader's language, where
    `{noun}` and `{error}` name the experiment's examples and error (see
    `summary_sentence`). The parts: `none`, `one`; then `cut_smaller`, `cut`,
    `rose` or `same`; then possibly `lowest`, `every_step` or `worse_first`.
    """
    if not ladder:
        return [("none", {})]
    points = sorted(ladder, key=lambda rung: rung.size)
    if len(points) == 1:
        return [("one", {"size": f"{points[0].size:,}", "value": format_error(points[0].error)})]
    small, large = points[0], points[-1]
    a, b = format_error(small.error), format_error(large.error)
    pair = {"times": _times(large.size / small.size), "a": a, "b": b}
    if large.error < small.error * 0.95:
        factor = small.error / large.error if large.error > 0 else math.inf
        if math.isfinite(factor) and factor >= 1.5:
            parts = [("cut_smaller", {**pair, "factor": f"{factor:.1f}"})]
        else:
            parts = [("cut", pair)]
    elif large.error > small.error * 1.05:
        parts = [("rose", pair)]
    else:
        parts = [("same", pair)]
    best = min(points, key=lambda rung: rung.error)
    errors = [rung.error for rung in points]
    if best is not large and best is not small:
        parts.append(("lowest", {"value": format_error(best.error), "size": f"{best.size:,}"}))
    elif len(points) > 2 and all(later < earlier for earlier, later in zip(errors, errors[1:])):
        parts.append(("every_step", {}))
    else:
        worst = max(points[1:-1], key=lambda rung: rung.error, default=None)
        if worst is not None and worst.error > max(small.error, large.error) * 1.05:
            parts.append(("worse_first", {"value": format_error(worst.error), "size": f"{worst.size:,}"}))
    return parts


def summary_sentence(experiment: str, ladder: list[Rung], text) -> str:
    """The sentence of `summary` in one language: `text(key, **fields)` gives a catalogue's text
    (the page passes `ui.i18n.t`). `{noun}` and `{error}` are its texts of
    `training_size.noun.<experiment>` and `training_size.error.<experiment>`."""
    words = {"noun": text(f"training_size.noun.{experiment}"), "error": text(f"training_size.error.{experiment}")}
    return "".join(text(SENTENCE + key, **words, **fields) for key, fields in summary(experiment, ladder))


def replay_moments(examples: list) -> tuple[np.ndarray, np.ndarray]:
    """One replay of every size at once, at the same number of examples seen.

    `examples[r]` are the examples seen at each snapshot of size `r`. The moments are the
    snapshots of the size that saw the most (log-spaced up to its end); at moment m size `r` shows its
    last snapshot taken at or before it (its trained model once it has seen all its examples).
    Returns `(moments (M,), indices (M, R))`.
    """
    longest = max(range(len(examples)), key=lambda r: examples[r][-1])
    moments = np.asarray(examples[longest], dtype=np.int64)
    indices = np.stack([np.clip(np.searchsorted(np.asarray(seen), moments, side="right") - 1, 0, len(seen) - 1)
                        for seen in examples], axis=1)
    return moments, indices
