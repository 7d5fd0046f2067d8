"""
The training-size ladder: one model trained on more and more data.

Chapter 11 of the book shows the rectangles its generative LSTM draws after
100, 500, 1,000, 5,000 and 10,000 training rectangles, and says they get
better with more data. A *ladder* makes that an experiment: the same
architecture, seed and number of epochs, trained once for each training-set
size (each rung is an ordinary configuration, so the model store keeps it
and a size already trained is never trained again).

This module turns the trained rungs into what the training-size lab shows:
small multiples (one panel per size, same axes), the held-out error against
training size on a log scale, the table, and one plain sentence computed
from those same errors, such as "100× more rectangles cut the consistency
error from 0.32 to 0.041" (its numbers are computed here, its wording is in
the UI catalogues, in English and Chinese).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .config import BOOK_SINE_MAE, ConfigError, RectangleConfig, SineConfig
from .figures import COLORS, FONT_SIZE

# The book's rectangle figures (11.5-11.7); the page offers up to the largest training size.
DEFAULT_SIZES = (100, 500, 1_000, 5_000, 10_000)
SIZE_CHOICES = (100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 25_000)
ERROR_NAMES = {"sine": "held-out MAE", "rectangles": "consistency error"}
NOUNS = {"sine": "training waves", "rectangles": "rectangles"}
PANELS_PER_ROW = 5


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


def rungs(trained_models) -> list[Rung]:
    """The trained models of a ladder as rungs, smallest training set first."""
    found = [Rung(size=t.config.train_size, error=t.error, epochs=len(t.history), seconds=t.seconds,
                  source=t.source) for t in trained_models]
    return sorted(found, key=lambda rung: rung.size)


def table_rows(experiment: str, ladder: list[Rung]) -> list[dict]:
    """One row per size for the page's table: size, error, epochs, training seconds, where it came from."""
    return [{
        "training size": rung.size,
        ERROR_NAMES[experiment]: round(rung.error, 4),
        "epochs": rung.epochs,
        "training seconds": round(rung.seconds, 1),
        "model": "from the store" if rung.source == "store" else "trained now",
    } for rung in ladder]


# -- the sentence ---------------------------------------------------------------------------------
def _times(ratio: float) -> str:
    return f"{ratio:,.0f}×" if ratio >= 10 else f"{ratio:.2g}×"


def format_error(value: float) -> str:
    return f"{value:.2g}"


def format_pair(first: float, second: float) -> tuple[str, str]:
    """Two errors with two significant digits, or more until they read differently (up to four)."""
    for digits in (2, 3, 4):
        a, b = f"{first:.{digits}g}", f"{second:.{digits}g}"
        if a != b:
            break
    return a, b


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
    a, b = format_pair(small.error, large.error)
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


# -- figures --------------------------------------------------------------------------------------
def _style(fig: go.Figure, title: str, height: int) -> go.Figure:
    fig.update_layout(
        title=title, height=height, font={"size": FONT_SIZE}, template="plotly_white",
        margin={"l": 50, "r": 20, "t": 100, "b": 40},
        legend={"orientation": "h", "yanchor": "top", "y": -0.08, "xanchor": "center", "x": 0.5},
    )
    return fig


def _grid(count: int, titles: list[str]):
    columns = min(count, PANELS_PER_ROW)
    rows = math.ceil(count / columns)
    fig = make_subplots(rows=rows, cols=columns, subplot_titles=titles, horizontal_spacing=0.04,
                        vertical_spacing=0.16 if rows > 1 else 0.1)
    positions = [(index // columns + 1, index % columns + 1) for index in range(count)]
    return fig, positions, rows


def panel_title(experiment: str, rung: Rung) -> str:
    short = "MAE" if experiment == "sine" else "error"
    return f"{rung.size:,} {NOUNS[experiment]}<br>{short} {rung.error:.3f}"


def _closed(drawing) -> np.ndarray:
    drawing = np.asarray(drawing, dtype=float).reshape(-1, 2)
    return np.concatenate([drawing, drawing[:1]], axis=0)


def rectangle_panels_figure(ladder: list[Rung], free_drawings, completions,
                            title: str = "What each model draws", titles: list[str] | None = None) -> go.Figure:
    """One panel per size, on the book's axes: the rectangle drawn from `[0,0]` (filled) and the
    rectangles completed from given first corners `[w, 0]` (thin lines, the given corner in grey).

    `free_drawings[i]` is (4, 2) and `completions[i]` is (k, 4, 2) for `ladder[i]`; `titles` replace
    the panels' `panel_title`s (a page passes them in its language).
    """
    fig, positions, rows = _grid(len(ladder), titles or [panel_title("rectangles", rung) for rung in ladder])
    for index, ((row, col), free, completed) in enumerate(zip(positions, free_drawings, completions)):
        first = index == 0
        for drawing in np.asarray(completed, dtype=float).reshape(-1, 4, 2):
            closed = _closed(drawing)
            fig.add_trace(go.Scatter(
                x=closed[:, 0], y=closed[:, 1], mode="lines", name="completed from a given first corner",
                legendgroup="completed", showlegend=first, line={"color": COLORS["accent"], "width": 2}),
                row=row, col=col)
            first = False
        corners = np.asarray(completed, dtype=float).reshape(-1, 4, 2)[:, 1]
        fig.add_trace(go.Scatter(
            x=corners[:, 0], y=corners[:, 1], mode="markers", name="given first corner", legendgroup="given",
            showlegend=index == 0, marker={"color": COLORS["input"], "size": 9}), row=row, col=col)
        closed = _closed(free)
        fig.add_trace(go.Scatter(
            x=closed[:, 0], y=closed[:, 1], mode="lines+markers", name="drawn from [0, 0]", legendgroup="free",
            showlegend=index == 0, fill="toself", line={"color": COLORS["predicted"], "width": 3},
            marker={"size": 7}), row=row, col=col)
    fig.update_xaxes(range=[-0.1, 1.1], constrain="domain", dtick=0.5)
    fig.update_yaxes(range=[-0.1, 1.1], constrain="domain", dtick=0.5)
    for index in range(len(ladder)):
        suffix = "" if index == 0 else str(index + 1)
        fig.layout[f"yaxis{suffix}"].scaleanchor = f"x{suffix}"
    return _style(fig, title, height=130 + 270 * rows)


def sine_panels_figure(ladder: list[Rung], inputs, expected, predictions, *, context: int = 20,
                       title: str = "The same test wave, predicted by each model",
                       titles: list[str] | None = None) -> go.Figure:
    """One panel per size, same axes: the last `context` input steps (grey), the 5 expected values
    (blue) and each model's 5 predicted values (vermilion). `predictions[i]` belongs to `ladder[i]`;
    `titles` replace the panels' `panel_title`s."""
    inputs, expected = np.asarray(inputs, dtype=float).ravel(), np.asarray(expected, dtype=float).ravel()
    length = len(inputs)
    shown = np.arange(max(0, length - context), length)
    outputs = np.arange(length, length + len(expected))
    fig, positions, rows = _grid(len(ladder), titles or [panel_title("sine", rung) for rung in ladder])
    for index, ((row, col), predicted) in enumerate(zip(positions, predictions)):
        first = index == 0
        fig.add_trace(go.Scatter(x=shown, y=inputs[shown], mode="lines", name="input", legendgroup="input",
                                 showlegend=first, line={"color": COLORS["input"]}), row=row, col=col)
        fig.add_trace(go.Scatter(x=outputs, y=expected, mode="lines+markers", name="expected",
                                 legendgroup="expected", showlegend=first,
                                 line={"color": COLORS["expected"], "width": 3}, marker={"size": 7}), row=row, col=col)
        fig.add_trace(go.Scatter(x=outputs, y=np.asarray(predicted, dtype=float).ravel(), mode="lines+markers",
                                 name="predicted", legendgroup="predicted", showlegend=first,
                                 line={"color": COLORS["predicted"], "width": 3, "dash": "dash"},
                                 marker={"size": 8, "symbol": "x"}), row=row, col=col)
        fig.add_vline(x=length - 0.5, line={"dash": "dot", "color": "#888"}, row=row, col=col)
    # The same y axis for every panel, zoomed on what they show, so small differences are visible.
    values = np.concatenate([inputs[shown], expected, *[np.asarray(p, dtype=float).ravel() for p in predictions]])
    low, high = max(-0.05, float(values.min()) - 0.05), min(1.15, float(values.max()) + 0.05)
    fig.update_yaxes(range=[low, high])
    fig.update_xaxes(dtick=10)
    return _style(fig, title, height=150 + 280 * rows)


def error_curve_figure(experiment: str, ladder: list[Rung], *, noun: str | None = None,
                       book_note: str | None = None) -> go.Figure:
    """The held-out error against training size: log scale on x, one labelled point per size.

    For the sine, a dashed line marks the book's MAE (10,000 examples). A page in another language
    passes `noun` (the examples' name in the hover text) and `book_note` (the dashed line's label);
    the hover names the error by the trace's name, so translating the trace translates it.
    """
    sizes = [rung.size for rung in ladder]
    errors = [rung.error for rung in ladder]
    error_name = ERROR_NAMES[experiment]
    fig = go.Figure(go.Scatter(
        x=sizes, y=errors, mode="lines+markers+text", name=error_name, text=[f"{e:.3f}" for e in errors],
        textposition="top center", line={"color": COLORS["predicted"], "width": 3}, marker={"size": 12},
        hovertemplate=f"%{{x:,}} {noun or NOUNS[experiment]}<br>%{{fullData.name}} %{{y:.4f}}<extra></extra>"))
    if experiment == "sine":
        fig.add_hline(y=BOOK_SINE_MAE, line={"dash": "dash", "color": COLORS["expected"]},
                      annotation_text=book_note or f"book: {BOOK_SINE_MAE} after 10,000 examples",
                      annotation_position="bottom right")
    top = max(errors + ([BOOK_SINE_MAE] if experiment == "sine" else [])) if errors else 1.0
    fig.update_xaxes(type="log", title_text=f"training size ({NOUNS[experiment]}, log scale)",
                     tickvals=sizes, ticktext=[f"{s:,}" for s in sizes])
    fig.update_yaxes(title_text=f"{error_name} (lower is better)", range=[0, top * 1.2], rangemode="tozero")
    fig = _style(fig, f"{error_name[0].upper()}{error_name[1:]} against training size", height=420)
    fig.update_layout(margin={"t": 60}, showlegend=False)
    return fig
