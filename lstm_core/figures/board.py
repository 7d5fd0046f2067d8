"""
The class board's chart: every run of one experiment, its held-out error
against its number of parameters (both on log scales), coloured by its
training size and marked by its recipe, with the Pareto front (the lowest
error reached at each size) as a staircase and the book's result where there
is one.

A point carries its store key (`customdata`), so a click can open the lesson
on that run. Its hover text is given by the caller, in the page's language:
it shows what the students typed (a nickname), which `lstm_core.board`
allows only as letters, digits and a few marks, so plotly has no tag to
render in it.
"""

from __future__ import annotations

import math

import plotly.graph_objects as go

from .base import COLORS, FONT_SIZE, Spec, colorscale, log_tick_labels, readable_layout, scatter

MARKERS = {"book": "diamond", "fast": "circle", "": "circle"}  # the sine recipes; one marker for the others
TEXTS = {  # English; a page passes the texts of its language
    "title": "Every run of the class: held-out error against parameters",
    "x": "parameters (log scale)",
    "y": "held-out error (log scale)",
    "size": "training<br>examples",
    "marker.book": "book recipe",
    "marker.fast": "fast recipe",
    "marker.": "a run",
    "front": "lowest error for its size (Pareto front)",
    "book": "the book",
    "book.hover": "the book",
    "book_model": "the book's model",
}


def board_figure(rows, front, hover: list[str], *, texts: dict | None = None, book: dict | None = None,
                 book_model: int | None = None) -> go.Figure:
    """Every row of one experiment (`lstm_core.board.Row`), `front` (its Pareto front), `hover` (one text per
    row); `book` = `{"parameters", "error"}` draws the book's result as a star, `book_model` the book's model
    size as a dotted vertical line (an experiment whose book prints no comparable number)."""
    texts = {**TEXTS, **(texts or {})}
    spec = Spec()
    sizes = sorted({row.train_size for row in rows})
    low, high = math.log10(sizes[0]) if sizes else 2.0, math.log10(sizes[-1]) if sizes else 4.0
    for marker in dict.fromkeys(row.marker for row in rows):
        members = [(row, text) for row, text in zip(rows, hover) if row.marker == marker]
        spec.add(scatter(
            x=[row.parameters for row, _ in members], y=[row.error for row, _ in members], mode="markers",
            name=texts[f"marker.{marker}"], customdata=[[row.key] for row, _ in members],
            hovertext=[text for _, text in members], hovertemplate="%{hovertext}<extra></extra>",
            marker={"symbol": MARKERS.get(marker, "circle"), "size": 14, "opacity": 0.85,
                    "color": [math.log10(row.train_size) for row, _ in members], "coloraxis": "coloraxis",
                    "line": {"width": 1, "color": "#333333"}}))
    if front:
        right = max(row.parameters for row in rows)
        xs = [row.parameters for row in front] + ([right] if right > front[-1].parameters else [])
        ys = [row.error for row in front] + ([front[-1].error] if right > front[-1].parameters else [])
        spec.add(scatter(x=xs, y=ys, mode="lines", name=texts["front"], hoverinfo="skip",
                         line={"color": COLORS["predicted"], "width": 2, "dash": "dash", "shape": "hv"}))
    if book is not None:
        spec.add(scatter(
            x=[book["parameters"]], y=[book["error"]], mode="markers", name=texts["book"],
            hovertext=[texts["book.hover"]], hovertemplate="%{hovertext}<extra></extra>",
            marker={"symbol": "star", "size": 22, "color": "#000000", "line": {"width": 1, "color": "#ffffff"}}))
    if book_model is not None and rows:
        errors = [row.error for row in rows]
        spec.add(scatter(
            x=[book_model, book_model], y=[min(errors) * 0.8, max(errors) * 1.25], mode="lines",
            name=texts["book_model"], hoverinfo="skip", line={"color": COLORS["input"], "width": 2, "dash": "dot"}))
    spec.update_layout({
        "title": {"text": texts["title"]}, "height": 560, "font": {"size": FONT_SIZE},
        "margin": {"l": 70, "r": 20, "t": 110, "b": 60},
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "left", "x": 0.0},
        "coloraxis": {"colorscale": colorscale("Viridis"), "cmin": low, "cmax": high if high > low else low + 1,
                      "colorbar": {"title": {"text": texts["size"]}, "tickvals": [math.log10(s) for s in sizes],
                                   "ticktext": [f"{s:,}" for s in sizes]}},
        "clickmode": "event+select", "hovermode": "closest"})
    every_x = [row.parameters for row in rows] + ([book["parameters"]] if book else []) + (
        [book_model] if book_model else [])
    every_y = [row.error for row in rows] + ([book["error"]] if book else [])
    spec.update_axes("x", {"type": "log", "title": {"text": texts["x"]}, **log_tick_labels(every_x)})
    spec.update_axes("y", {"type": "log", "title": {"text": texts["y"]}, **log_tick_labels(every_y)})
    readable_layout(spec.layout)
    return spec.figure()
