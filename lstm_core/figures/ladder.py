"""
The training-size lab's figures: small multiples (one panel per size, same
axes) and the held-out error against training size on a log scale.

The panels are sized for a projector: at most `PANELS_PER_ROW` a row, each
row `ROW_PIXELS` tall, so that on a 1600×1000 window every drawing is a
square about 300 pixels wide. Errors are written by `evaluate.format_error`,
as in the lab's sentence and table.
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from ..evaluate import format_error
from ..experiments.sine import BOOK_MAE as BOOK_SINE_MAE
from ..ladder import ERROR_NAMES, NOUNS, Rung
from .base import COLORS, FONT_SIZE, Spec, grid, readable_layout, scatter

PANELS_PER_ROW = 3
ROW_PIXELS = 380  # a panel and its two-line title
GAP_PIXELS = 90  # between rows: the next row's title
EDGE_PIXELS = 140  # the figure's title above the panels and the axis labels below


def _style(spec: Spec, title: str, height: int) -> Spec:
    # (The template is the default one, plotly_white: naming it again would validate all of it again, ~20 ms.)
    spec.update_layout({"title": {"text": title}, "height": height, "font": {"size": FONT_SIZE},
                        "margin": {"l": 50, "r": 20, "t": 100, "b": 40},
                        "legend": {"orientation": "h", "yanchor": "top", "y": -0.08, "xanchor": "center", "x": 0.5}})
    readable_layout(spec.layout)
    return spec


def _grid(count: int, titles: list[str]) -> tuple[Spec, list, int]:
    """`(figure, axes of each panel, figure height)`: `PANELS_PER_ROW` a row, `ROW_PIXELS` each."""
    columns = min(count, PANELS_PER_ROW)
    rows = math.ceil(count / columns)
    height = EDGE_PIXELS + rows * ROW_PIXELS + (rows - 1) * GAP_PIXELS
    plotted = height - 100 - 40  # without _style's top and bottom margins
    spec, cells = grid(rows, columns, titles, horizontal_spacing=0.06,
                       vertical_spacing=GAP_PIXELS / plotted if rows > 1 else 0.1)
    return spec, [cells[(index // columns + 1, index % columns + 1)] for index in range(count)], height


def panel_title(experiment: str, rung: Rung) -> str:
    short = "MAE" if experiment == "sine" else "error"
    return f"{rung.size:,} {NOUNS[experiment]}<br>{short} {format_error(rung.error)}"


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
    return rectangle_panels(free_drawings, completions, titles or [panel_title("rectangles", rung) for rung in ladder],
                            title=title)


def rectangle_panels(free_drawings, completions, titles: list[str], *, title: str = "") -> go.Figure:
    """One panel per model, on the book's axes and in the same trace order as `rectangle_panels_figure`
    (`rectangle_panel_frames` animates either): `free_drawings[i]` (4, 2), `completions[i]` (k, 4, 2)."""
    spec, panels, height = _grid(len(titles), titles)
    for index, (cell, free, completed) in enumerate(zip(panels, free_drawings, completions)):
        first = index == 0
        for drawing in np.asarray(completed, dtype=float).reshape(-1, 4, 2):
            closed = _closed(drawing)
            spec.add(scatter(x=closed[:, 0], y=closed[:, 1], mode="lines", name="completed from a given first corner",
                             legendgroup="completed", showlegend=first, line={"color": COLORS["accent"], "width": 2}),
                     cell)
            first = False
        corners = np.asarray(completed, dtype=float).reshape(-1, 4, 2)[:, 1]
        spec.add(scatter(x=corners[:, 0], y=corners[:, 1], mode="markers", name="given first corner",
                         legendgroup="given", showlegend=index == 0, marker={"color": COLORS["input"], "size": 9}),
                 cell)
        closed = _closed(free)
        spec.add(scatter(x=closed[:, 0], y=closed[:, 1], mode="lines+markers", name="drawn from [0, 0]",
                         legendgroup="free", showlegend=index == 0, fill="toself",
                         line={"color": COLORS["predicted"], "width": 3}, marker={"size": 7}), cell)
    spec.update_axes("x", {"range": [-0.1, 1.1], "constrain": "domain", "dtick": 0.5})
    spec.update_axes("y", {"range": [-0.1, 1.1], "constrain": "domain", "dtick": 0.5})
    for x, y in panels:
        spec.update_axes("y", {"scaleanchor": x}, (x, y))
    return _style(spec, title, height=height).figure()


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
    spec, panels, height = _grid(len(ladder), titles or [panel_title("sine", rung) for rung in ladder])
    for index, (cell, predicted) in enumerate(zip(panels, predictions)):
        first = index == 0
        spec.add(scatter(x=shown, y=inputs[shown], mode="lines", name="input", legendgroup="input", showlegend=first,
                         line={"color": COLORS["input"]}), cell)
        spec.add(scatter(x=outputs, y=expected, mode="lines+markers", name="expected", legendgroup="expected",
                         showlegend=first, line={"color": COLORS["expected"], "width": 3}, marker={"size": 7}), cell)
        spec.add(scatter(x=outputs, y=np.asarray(predicted, dtype=float).ravel(), mode="lines+markers",
                         name="predicted", legendgroup="predicted", showlegend=first,
                         line={"color": COLORS["predicted"], "width": 3, "dash": "dash"},
                         marker={"size": 8, "symbol": "x"}), cell)
        spec.add_vline(length - 0.5, {"dash": "dot", "color": "#888"}, cell)
    # The same y axis for every panel, zoomed on what they show, so small differences are visible.
    values = np.concatenate([inputs[shown], expected, *[np.asarray(p, dtype=float).ravel() for p in predictions]])
    low, high = max(-0.05, float(values.min()) - 0.05), min(1.15, float(values.max()) + 0.05)
    spec.update_axes("y", {"range": [low, high]})
    spec.update_axes("x", {"dtick": 10})
    return _style(spec, title, height=height).figure()


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
    spec = Spec()
    spec.add(scatter(
        x=sizes, y=errors, mode="lines+markers+text", name=error_name, text=[format_error(e) for e in errors],
        textposition="top center", line={"color": COLORS["predicted"], "width": 3}, marker={"size": 12},
        hovertemplate=f"%{{x:,}} {noun or NOUNS[experiment]}<br>%{{fullData.name}} %{{text}}<extra></extra>"))
    if experiment == "sine":
        spec.add_hline(BOOK_SINE_MAE, {"dash": "dash", "color": COLORS["expected"]},
                       label=book_note or f"book: {BOOK_SINE_MAE} after 10,000 examples", position="bottom right")
    top = max(errors + ([BOOK_SINE_MAE] if experiment == "sine" else [])) if errors else 1.0
    spec.update_axes("x", {"type": "log", "title": {"text": f"training size ({NOUNS[experiment]}, log scale)"},
                           "tickvals": sizes, "ticktext": [f"{s:,}" for s in sizes]})
    spec.update_axes("y", {"title": {"text": f"{error_name} (lower is better)"}, "range": [0, top * 1.2],
                           "rangemode": "tozero"})
    _style(spec, f"{error_name[0].upper()}{error_name[1:]} against training size", height=420)
    return spec.update_layout({"margin": {"t": 60}, "showlegend": False}).figure()


def rectangle_panel_frames(free_drawings, completions) -> list[dict]:
    """The new values of every trace of `rectangle_panels_figure` for other drawings, in its trace order."""
    frame = []
    for free, completed in zip(free_drawings, completions):
        completed = np.asarray(completed, dtype=float).reshape(-1, 4, 2)
        for drawing in completed:
            closed = _closed(drawing)
            frame.append({"x": closed[:, 0].tolist(), "y": closed[:, 1].tolist()})
        frame.append({"x": completed[:, 1, 0].tolist(), "y": completed[:, 1, 1].tolist()})
        closed = _closed(free)
        frame.append({"x": closed[:, 0].tolist(), "y": closed[:, 1].tolist()})
    return frame


def sine_panel_frames(predictions) -> list[dict]:
    """The new values of the predicted traces of `sine_panels_figure` (every third trace) for other predictions."""
    return [{"y": np.asarray(predicted, dtype=float).ravel().tolist()} for predicted in predictions]


def replay_layout(fig: go.Figure) -> go.Figure:
    """Room for a replay (`figures.replay.animate`) around a panels figure, the panels keeping their size: the
    legend goes above the panels' titles (at the bottom it would sit on the play buttons), the buttons and the
    slider below the panels."""
    spec, top, bottom = Spec.of(fig), 190, 150
    height = spec.layout["height"] - 140 + top + bottom  # _style's margins were 100 + 40
    plotted = height - top - bottom
    return spec.update_layout({"legend": {"y": 1 + 70 / plotted, "yanchor": "bottom", "x": 1.0, "xanchor": "right"},
                               "margin": {"t": top, "b": bottom}, "height": height}).figure()
