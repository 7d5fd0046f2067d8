"""
Plotly figures of the concept lessons: unrolled diagrams, loss curves of
several models, gradient profiles, forecasts, error sweeps and gate heatmaps.

They follow `figures/base.py`: pure functions from arrays to figures, colours
from the same colour-blind-safe palette with the same meanings (input grey,
expected blue, predicted vermilion, training green), one colour per model
kept across a page (`MODEL_COLORS`).
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from .base import (COLORS, FONT_SIZE, MIN_FONT_SIZE, SERIES, Spec, _layout, colorscale, grid, log_tick_labels,
                   readable_layout, scatter)

# Blue, vermilion and green already mean expected, predicted and training: models get the other colours.
MODEL_COLORS = {
    "SimpleRNN": "#E69F00",  # orange
    "GRU": "#56B4E9",  # sky blue
    "LSTM": "#CC79A7",  # reddish purple
    "mlp": "#000000",
    "lstm": "#CC79A7",
    "recursive": COLORS["predicted"],
    "vector": "#E69F00",
    "seq2seq": "#CC79A7",
}
MODEL_DASHES = {"SimpleRNN": "dot", "GRU": "dash", "LSTM": "solid", "mlp": "dash", "lstm": "solid",
                "recursive": "dot", "vector": "dash", "seq2seq": "solid"}


UNIT_COLORS = ["#E69F00", "#56B4E9", "#CC79A7", "#000000", "#F0E442"]


def _legend_below(spec: Spec) -> Spec:
    """Put the legend under the x axis: long model names never run into the title of a half-width chart."""
    height = spec.layout.get("height") or 420
    return spec.update_layout({"legend": {"orientation": "h", "yanchor": "top", "y": -90 / height * 1.6,
                                          "xanchor": "left", "x": 0}, "margin": {"b": 130}})


def _color(name: str, index: int = 0) -> str:
    return MODEL_COLORS.get(name, SERIES[index % len(SERIES)])


# -- unrolled diagram -------------------------------------------------------------------------

def _arrow(spec: Spec, x0, y0, x1, y1, color, dash=False, width=2):
    spec.add_annotation({"x": x1, "y": y1, "ax": x0, "ay": y0, "xref": "x", "yref": "y", "axref": "x", "ayref": "y",
                         "text": "", "showarrow": True, "arrowhead": 3, "arrowsize": 1.2, "arrowwidth": width,
                         "arrowcolor": color, "opacity": 0.9 if not dash else 0.7})


def unrolled_figure(diagram, *, title: str = "") -> go.Figure:
    """The unrolled network: cells in a row, inputs below, outputs above, the loss on top.

    Inputs are grey, outputs vermilion; an output that enters the loss is
    joined to a blue "loss" box; an input that is the previous output fed
    back is drawn dashed with a curved arrow from that output.
    """
    spec = Spec()
    steps = diagram.steps
    for t in range(steps):
        encoder = diagram.encoder[t]
        spec.add_shape({"type": "rect", "x0": t - 0.32, "x1": t + 0.32, "y0": -0.3, "y1": 0.3,
                        "line": {"color": "#333", "width": 2}, "fillcolor": "#E8F1F8" if not encoder else "#F1F1F1"})
        spec.add_annotation({"x": t, "y": 0, "text": "cell" if not encoder else "cell<br>(encoder)", "showarrow": False,
                             "font": {"size": 14}})
        if t < steps - 1:
            _arrow(spec, t + 0.32, 0, t + 0.68, 0, "#333", width=3)
        has_input = diagram.inputs[t] or diagram.fed_back[t]
        if has_input:
            color = COLORS["predicted"] if diagram.fed_back[t] else COLORS["input"]
            spec.add_shape({"type": "circle", "x0": t - 0.2, "x1": t + 0.2, "y0": -1.45, "y1": -1.05,
                            "line": {"color": color, "width": 2, "dash": "dash" if diagram.fed_back[t] else "solid"},
                            "fillcolor": "white"})
            spec.add_annotation({"x": t, "y": -1.25, "text": diagram.input_labels[t], "showarrow": False,
                                 "font": {"color": color, "size": 14}})
            _arrow(spec, t, -1.05, t, -0.3, color)
        if diagram.outputs[t]:
            spec.add_shape({"type": "circle", "x0": t - 0.2, "x1": t + 0.2, "y0": 1.05, "y1": 1.45,
                            "line": {"color": COLORS["predicted"], "width": 2}, "fillcolor": "white"})
            spec.add_annotation({"x": t, "y": 1.25, "text": diagram.output_labels[t], "showarrow": False,
                                 "font": {"color": COLORS["predicted"], "size": 14}})
            _arrow(spec, t, 0.3, t, 1.05, COLORS["predicted"])
        if diagram.loss[t]:
            spec.add_shape({"type": "rect", "x0": t - 0.28, "x1": t + 0.28, "y0": 1.75, "y1": 2.1,
                            "line": {"color": COLORS["expected"], "width": 2}, "fillcolor": "#E6F0F7"})
            spec.add_annotation({"x": t, "y": 1.925, "text": "loss", "showarrow": False,
                                 "font": {"color": COLORS["expected"], "size": MIN_FONT_SIZE}})
            _arrow(spec, t, 1.45, t, 1.75, COLORS["expected"], width=1)
        if diagram.fed_back[t]:
            spec.add_shape({"type": "path",
                            "path": f"M {t - 1 + 0.2},1.25 C {t - 0.45},1.25 {t - 0.45},-1.25 {t - 0.2},-1.25",
                            "line": {"color": COLORS["predicted"], "dash": "dash", "width": 2}})
    # Legend entries (the shapes above are not traces).
    legend = [("input", COLORS["input"], "solid"), ("output", COLORS["predicted"], "solid"),
              ("enters the loss", COLORS["expected"], "solid")]
    if any(diagram.fed_back):
        legend.append(("output fed back as input", COLORS["predicted"], "dash"))
    for name, color, dash in legend:
        spec.add(scatter(x=[None], y=[None], mode="lines", name=name, line={"color": color, "dash": dash, "width": 3}))
    spec.update_axes("x", {"range": [-0.7, steps - 0.3], "visible": False})
    spec.update_axes("y", {"range": [-1.7, 2.3], "visible": False})
    spec.add_annotation({"x": -0.6, "y": -1.25, "text": "in", "showarrow": False, "xanchor": "left",
                         "font": {"color": COLORS["input"]}})
    spec.add_annotation({"x": -0.6, "y": 1.25, "text": "out", "showarrow": False, "xanchor": "left",
                         "font": {"color": COLORS["predicted"]}})
    _layout(spec, title or f"{diagram.shape}, unrolled over {steps} time step{'s' if steps > 1 else ''}", "", "",
            height=380)
    return spec.update_layout({"margin": {"l": 10, "r": 10, "t": 60, "b": 10}}).figure()


# -- curves -----------------------------------------------------------------------------------

def curves_figure(x, series: dict, *, title: str, x_title: str, y_title: str, log_y: bool = False,
                  labels: dict | None = None, height: int = 380, points: dict | None = None,
                  mark: tuple | None = None) -> go.Figure:
    """Several models' curves over the same x (loss curves, errors per step ahead...).

    Non-finite values are left out (a gap), never drawn as zero. `points` adds a model's single value
    (`name → (x, y)`) as a diamond in its colour; `mark` `(x, label)` a dotted vertical line labelled above.
    """
    spec = _curves(x, series, title=title, x_title=x_title, y_title=y_title, log_y=log_y, labels=labels,
                   height=height)
    for index, (name, (at, value)) in enumerate((points or {}).items(), start=len(series)):
        spec.add(scatter(x=[at], y=[value], mode="markers", name=(labels or {}).get(name, name),
                         marker={"size": 14, "symbol": "diamond", "color": _color(name, index)}))
    if mark is not None:
        spec.add_vline(mark[0], {"dash": "dot", "color": "#888"})
        spec.add_annotation({"x": mark[0], "y": 1.02, "yref": "paper", "text": mark[1], "showarrow": False})
    return spec.figure()


def _curves(x, series: dict, *, title: str, x_title: str, y_title: str, log_y: bool = False,
            labels: dict | None = None, height: int = 380) -> Spec:
    """`curves_figure` as plain dicts (`sweep_figure` draws on it)."""
    spec = Spec()
    for index, (name, values) in enumerate(series.items()):
        y = np.asarray(values, dtype=float)
        y = np.where(np.isfinite(y), y, np.nan)
        spec.add(scatter(x=np.asarray(x), y=y, mode="lines+markers" if len(y) <= 30 else "lines",
                         name=(labels or {}).get(name, name),
                         line={"color": _color(name, index), "dash": MODEL_DASHES.get(name, "solid"), "width": 3}))
    _legend_below(_layout(spec, title, x_title, y_title, height=height))
    if log_y:
        spec.update_axes("y", {"type": "log", "exponentformat": "power",
                               **log_tick_labels(np.concatenate([np.ravel(values) for values in series.values()]))})
    return spec


LABEL_GAP = 0.09  # direct labels on a log axis: at least this fraction of the axis' decades apart


def spread(values, gap: float) -> np.ndarray:
    """Positions for labels at `values` (one axis, any order), moved apart until neighbours are `gap` apart,
    as close to their values as that allows (the middle of a cluster stays where it is)."""
    values = np.asarray(values, dtype=float)
    order = np.argsort(values)
    placed = values[order].copy()
    for _ in range(len(placed)):  # a cluster pushed apart can meet the next one: repeat until settled
        for index in range(1, len(placed)):
            if placed[index] - placed[index - 1] < gap:
                middle = (placed[index] + placed[index - 1]) / 2
                placed[index - 1], placed[index] = middle - gap / 2, middle + gap / 2
    result = np.empty_like(placed)
    result[order] = placed
    return result


def direct_labels(spec: Spec, points: list, *, cell: tuple[str, str] | None = None, log_range: tuple,
                  xanchor: str = "left", size: int = FONT_SIZE) -> None:
    """Name lines where they are, not in a far legend: `points` are `(x, y, text, colour)` on a log y axis
    whose range is `log_range` (decades), in the panel of `cell`; labels too close to each other are spread
    apart."""
    if not points:
        return
    logs = np.log10(np.maximum([y for _, y, _, _ in points], 1e-300))
    placed = spread(logs, LABEL_GAP * (log_range[1] - log_range[0]))
    where = {"xref": cell[0], "yref": cell[1]} if cell is not None else {}
    for (x, _, text, color), y in zip(points, placed):
        spec.add_annotation({"x": x, "y": float(y), "text": f"<b>{text}</b>", "showarrow": False, "xanchor": xanchor,
                             "yanchor": "middle", "xshift": 8 if xanchor == "left" else -8,
                             "font": {"color": color, "size": size}, "bgcolor": "rgba(255,255,255,0.8)", **where})


def log_ticks(log_range: tuple) -> dict:
    """A log axis' ticks for its range (in decades): at whole decades, at most about eight of them, when it spans
    three or more; else 1, 2 and 5 times each decade, written out at full size (`base.log_tick_labels`)."""
    span = log_range[1] - log_range[0]
    if span >= 3:
        return {"dtick": max(1, int(np.ceil(span / 8)))}
    return log_tick_labels([10.0 ** log_range[0], 10.0 ** log_range[1]])


def _log_range(arrays, floor: float = 1e-30, pad: float = 0.3) -> tuple:
    every = np.concatenate([np.asarray(values, dtype=float).ravel() for values in arrays]) if arrays else np.zeros(0)
    every = every[np.isfinite(every) & (every > floor)]
    if not every.size:
        return (-8.0, 1.0)
    return (float(np.log10(every.min())) - pad, float(np.log10(every.max())) + pad)


def gradient_figure(series: dict, initial: dict | None = None, *, marked_step: int | None = None,
                    title: str = "Gradient of the loss with respect to each input step",
                    before: str = "before training", after: str = "after training") -> go.Figure:
    """Mean ||d loss / d x_t|| per time step and cell on a log scale, read from a projector at the back of a room.

    Two panels on one y axis, before training (`initial`) and after (`series`): three thick lines each, named
    where they end on the left, the early steps, where the cells part (no legend to look up).
    `marked_step` draws a vertical line at the step whose value the model must remember.
    """
    panels = [(before, initial)] if initial else []
    panels.append((after, series))
    spec, cells = grid(1, len(panels), [name for name, _ in panels], shared_yaxes=True, horizontal_spacing=0.04)
    log_range = _log_range([values for _, profiles in panels for values in profiles.values()])
    for col, (panel, profiles) in enumerate(panels, start=1):
        cell = cells[(1, col)]
        suffix = "before training" if col < len(panels) else "trained"
        points = []
        for index, (name, values) in enumerate(profiles.items()):
            values = np.maximum(np.asarray(values, dtype=float), 1e-30)
            steps = np.arange(len(values))
            spec.add(scatter(x=steps, y=values, mode="lines", name=f"{name} {suffix}", showlegend=False,
                             line={"color": _color(name, index), "width": 5,
                                   "dash": MODEL_DASHES.get(name, "solid")}), cell)
            points.append((0, float(values[0]), name, _color(name, index)))
        direct_labels(spec, points, cell=cell, log_range=log_range)
        if marked_step is not None:
            spec.add_vline(marked_step, {"dash": "dot", "color": COLORS["input"], "width": 2}, cell)
            # (an annotation's y on a log axis is in decades)
            spec.add_annotation({"x": marked_step, "y": log_range[1], "text": "marked value", "showarrow": False,
                                 "yanchor": "top", "xanchor": "left", "xshift": 4, "font": {"color": COLORS["input"]},
                                 "xref": cell[0], "yref": cell[1]})
        spec.update_axes("x", {"title": {"text": "time step of the input"}}, cell)
    spec.update_axes("y", {"type": "log", "range": list(log_range), "exponentformat": "power", **log_ticks(log_range)})
    spec.update_axes("y", {"title": {"text": "gradient norm (log scale)"}}, cells[(1, 1)])
    spec.update_layout({"title": {"text": title}, "height": 480, "font": {"size": FONT_SIZE}, "showlegend": False,
                        "margin": {"l": 80, "r": 20, "t": 90, "b": 60}})
    for annotation in spec.layout["annotations"][:len(panels)]:  # the panels' titles, as large as the rest
        annotation["font"] = {"size": FONT_SIZE + 2}
    readable_layout(spec.layout)
    return spec.figure()


def explode_figure(steps, losses, norms, *, diverged_step: int | None = None, message: str = "",
                   title: str = "Training step by step") -> go.Figure:
    """The loss (top) and the gradient norm before clipping (bottom) at every step, log scales.

    A NaN or infinite value is not drawn (it has no place on a log scale):
    the step where it happened is marked on both panels and named.
    """
    spec, cells = grid(2, 1, shared_xaxes=True, vertical_spacing=0.08)
    steps = np.asarray(steps)
    for row, (name, values, color) in enumerate((("loss (mean squared error)", losses, COLORS["training"]),
                                                 ("gradient norm (before clipping)", norms, COLORS["predicted"])),
                                                start=1):
        values = np.asarray(values, dtype=float)
        finite = np.isfinite(values) & (values > 0)
        spec.add(scatter(x=steps[finite], y=values[finite], mode="lines+markers", name=name, marker={"size": 4},
                         line={"color": color, "width": 2}), cells[(row, 1)])
        spec.update_axes("y", {"type": "log", "exponentformat": "power", "title": {"text": name.split(" (")[0]},
                               **log_tick_labels(values[finite])}, cells[(row, 1)])
    if diverged_step is not None:
        for row in (1, 2):
            spec.add_vline(diverged_step, {"color": COLORS["predicted"], "width": 3}, cells[(row, 1)])
        spec.add_annotation({"x": diverged_step, "y": 1.0, "xref": "x", "yref": "paper",
                             "text": message or f"NaN at step {diverged_step}", "showarrow": False, "xanchor": "right",
                             "yanchor": "bottom", "font": {"color": COLORS["predicted"], "size": 14},
                             "bgcolor": "white"})
    spec.update_axes("x", {"title": {"text": "training step"}}, cells[(2, 1)])
    # (The template is the default one, plotly_white: naming it again would validate all of it again, ~20 ms.)
    spec.update_layout({"title": {"text": title}, "height": 520, "font": {"size": FONT_SIZE},
                        "margin": {"l": 70, "r": 20, "t": 80, "b": 50}, "showlegend": False})
    readable_layout(spec.layout)
    return spec.figure()


# -- forecasts --------------------------------------------------------------------------------

def forecast_figure(inputs, truth, forecasts: dict, *, labels: dict | None = None, title: str = "",
                    fan=None, focus: int | None = None) -> go.Figure:
    """The input wave, its true continuation and each strategy's forecast.

    `fan` is an optional `[(t, forecast), ...]` of forecasts made at earlier
    time steps (the many-to-many model), drawn as thin faded lines. With
    `focus`, the axes start `focus` steps before the end of the input and
    the value axis fits what is shown (double-click shows the whole wave).
    """
    return _forecast(inputs, truth, forecasts, labels=labels, title=title, fan=fan, focus=focus).figure()


def _forecast(inputs, truth, forecasts: dict, *, labels: dict | None = None, title: str = "", fan=None,
              focus: int | None = None) -> Spec:
    """`forecast_figure` as plain dicts (`replay.forecast_replay_figure` animates it)."""
    inputs, truth = np.asarray(inputs).ravel(), np.asarray(truth).ravel()
    length = len(inputs)
    ahead = np.arange(length, length + len(truth))
    spec = Spec()
    spec.add(scatter(x=np.arange(length), y=inputs, mode="lines+markers", name="input",
                     line={"color": COLORS["input"]}, marker={"size": 4}))
    if fan:
        for index, (t, values) in enumerate(fan):
            spec.add(scatter(x=np.arange(t + 1, t + 1 + len(values)), y=np.asarray(values), mode="lines",
                             name="forecast made at earlier steps", showlegend=index == 0, legendgroup="fan",
                             opacity=0.5, line={"color": _color("seq2seq"), "width": 1.5}))
    spec.add(scatter(x=ahead, y=truth, mode="lines+markers", name="true continuation",
                     line={"color": COLORS["expected"], "width": 4}, marker={"size": 8}))
    for index, (name, values) in enumerate(forecasts.items()):
        spec.add(scatter(x=ahead, y=np.asarray(values).ravel(), mode="lines+markers",
                         name=(labels or {}).get(name, name),
                         line={"color": _color(name, index), "dash": MODEL_DASHES.get(name, "dash"), "width": 3},
                         marker={"size": 7, "symbol": "x"}))
    spec.add_vline(length - 0.5, {"dash": "dot", "color": "#888"})
    if focus is None:
        spec.update_axes("y", {"range": [-0.1, 1.15]})
    else:
        start = max(0, length - focus)
        shown = np.concatenate([inputs[start:], truth,
                                *[np.asarray(v, dtype=float).ravel() for v in forecasts.values()]])
        shown = shown[np.isfinite(shown)]
        low, high = (float(shown.min()), float(shown.max())) if shown.size else (0.0, 1.0)
        pad = max(0.02, 0.1 * (high - low))
        spec.update_axes("x", {"range": [start - 0.5, length + len(truth) - 0.5]})
        spec.update_axes("y", {"range": [low - pad, high + pad]})
    return _legend_below(_layout(spec, title, "time step", "value", height=460))


def range_figure(low: float, high: float, train_low: float, train_high: float, value: float, *,
                 name: str, fmt: str = "g", label: str | None = None) -> go.Figure:
    """A slider-wide strip: the training range shaded green, the chosen value as a marker.

    `label` replaces the range's caption ("trained 10–20"), e.g. in another language.
    """
    inside = train_low <= value <= train_high
    spec = Spec()
    spec.add_shape({"type": "rect", "x0": low, "x1": high, "y0": 0.35, "y1": 0.65, "fillcolor": "#EEEEEE",
                    "line": {"width": 0}, "layer": "below"})
    spec.add_shape({"type": "rect", "x0": train_low, "x1": train_high, "y0": 0.25, "y1": 0.75,
                    "fillcolor": COLORS["training"], "opacity": 0.55, "line": {"width": 0}, "layer": "below"})
    spec.add(scatter(x=[value], y=[0.5], mode="markers", name=name, showlegend=False,
                     marker={"size": 16, "symbol": "diamond",
                             "color": COLORS["expected"] if inside else COLORS["predicted"],
                             "line": {"color": "white", "width": 1}}))
    spec.add_annotation({"x": (train_low + train_high) / 2, "y": 0.95,
                         "text": label or f"trained {train_low:{fmt}}–{train_high:{fmt}}", "showarrow": False,
                         "font": {"size": MIN_FONT_SIZE, "color": COLORS["training"]}})
    spec.update_axes("x", {"range": [low, high], "showgrid": False, "tickfont": {"size": MIN_FONT_SIZE}})
    spec.update_axes("y", {"range": [0, 1.1], "visible": False})
    # (The template is the default one, plotly_white: naming it again would validate all of it again, ~20 ms.)
    spec.update_layout({"height": 100, "margin": {"l": 10, "r": 10, "t": 5, "b": 30}, "showlegend": False,
                        "font": {"size": MIN_FONT_SIZE}})
    readable_layout(spec.layout)
    return spec.figure()


def sweep_figure(values, errors: dict, train_range, chosen: float, *, field: str, labels: dict | None = None,
                 title: str | None = None) -> go.Figure:
    """Each strategy's error across a period (or decay) axis, the training range shaded, the chosen value marked.

    `field` names the x axis; `title` replaces the English title made from it.
    """
    spec = _curves(values, errors, title=title or f"Error of the forecast as the {field} changes",
                   x_title=field, y_title="mean absolute error", labels=labels)
    spec.add_vrect(train_range[0], train_range[1],
                   {"fillcolor": COLORS["training"], "opacity": 0.12, "line": {"width": 0}},
                   label="training range", position="top left")
    spec.add_vline(chosen, {"dash": "dot", "color": COLORS["input"]})
    return spec.figure()


# -- inside the cell --------------------------------------------------------------------------

GATE_SCALES = {"gate": ("Cividis", 0.0, 1.0), "signed": ("RdBu", -1.0, 1.0)}  # RdBu: red negative, blue positive


def heatmap_figure(values, *, title: str, signed: bool, height: int = 300) -> go.Figure:
    """Time step × unit heatmap: gates on [0, 1] (Cividis), signed states on a diverging scale centred on 0."""
    values = np.asarray(values, dtype=float)
    scale, low, high = GATE_SCALES["signed" if signed else "gate"]
    if signed:
        bound = max(1e-6, float(np.nanmax(np.abs(values)))) if values.size else 1.0
        low, high = -bound, bound
    spec = Spec()
    spec.add({"type": "heatmap", "z": values.T, "x": np.arange(values.shape[0]), "y": np.arange(values.shape[1]),
              "colorscale": colorscale(scale), "zmin": low, "zmax": high, "colorbar": {"thickness": 12}})
    _layout(spec, title, "time step", "unit", height=height)
    return spec.update_layout({"margin": {"l": 60, "r": 10, "t": 50, "b": 45}}).figure()


def gates_figure(columns: dict, *, marked_step: int | None = None, height_per_row: int = 230) -> go.Figure:
    """Gates side by side: `columns` maps a column's title (a cell) to `{gate title: (steps, units) values}`.

    Row r of every column holds the r-th gate of each cell (e.g. the GRU's update gate z beside the LSTM's
    forget gate f); a column with fewer gates leaves its last rows empty. One colour scale (Cividis, 0 to 1)
    for all, as every gate is a sigmoid.
    """
    names = list(columns)
    rows = max(len(gates) for gates in columns.values())
    titles = []
    for row in range(rows):
        for name in names:
            gates = list(columns[name])
            titles.append(gates[row] if row < len(gates) else "")
    spec, cells = grid(rows, len(names), titles, horizontal_spacing=0.08, vertical_spacing=0.12)
    scale, low, high = GATE_SCALES["gate"]
    for col, name in enumerate(names, start=1):
        for row, values in enumerate(columns[name].values(), start=1):
            values = np.asarray(values, dtype=float)
            cell = cells[(row, col)]
            spec.add({"type": "heatmap", "z": values.T, "x": np.arange(values.shape[0]),
                      "y": np.arange(values.shape[1]), "coloraxis": "coloraxis", "name": list(columns[name])[row - 1]},
                     cell)
            if marked_step is not None:  # framed, not covered: the marked step's column is what to look at
                spec.add_vrect(marked_step - 0.5, marked_step + 0.5,
                               {"line": {"color": "white", "width": 2}, "fillcolor": "rgba(0,0,0,0)"}, cell)
            spec.update_axes("y", {"title": {"text": "unit"}}, cell)
        spec.update_axes("x", {"title": {"text": "time step"}}, cells[(len(columns[name]), col)])
    spec.update_layout({"coloraxis": {"colorscale": colorscale(scale), "cmin": low, "cmax": high,
                                      "colorbar": {"thickness": 14}},
                        "height": rows * height_per_row + 80, "font": {"size": FONT_SIZE},
                        "margin": {"l": 70, "r": 20, "t": 50, "b": 50}})
    for annotation in spec.layout.get("annotations", []):  # the panels' titles
        annotation["font"] = {"size": FONT_SIZE}
    readable_layout(spec.layout)
    return spec.figure()


def units_figure(wave, cell, units, *, title: str = "Cell state of chosen units against the wave",
                 envelope=None, unit_label: str = "unit {unit}") -> go.Figure:
    """The input wave (grey, right axis) and the cell state of each chosen unit (left axis).

    `unit_label` names each unit's line (a `str.format` template with `{unit}`, e.g. a translation).
    """
    spec = Spec()
    steps = np.arange(len(wave))
    spec.add(scatter(x=steps, y=np.asarray(wave), name="input wave", yaxis="y2",
                     line={"color": COLORS["input"], "width": 2}, opacity=0.7))
    if envelope is not None:
        spec.add(scatter(x=steps, y=0.5 + 0.5 * np.asarray(envelope), name="envelope (decay)", yaxis="y2",
                         line={"color": COLORS["input"], "width": 1, "dash": "dot"}, opacity=0.7))
    cell = np.asarray(cell)
    for index, unit in enumerate(units):
        spec.add(scatter(x=steps, y=cell[:, unit], name=unit_label.format(unit=unit),
                         line={"color": UNIT_COLORS[index % len(UNIT_COLORS)], "width": 3}))
    _legend_below(_layout(spec, title, "time step", "cell state c"))
    spec.update_layout({"yaxis2": {"overlaying": "y", "side": "right", "title": {"text": "wave value"},
                                   "showgrid": False, "range": [-0.05, 1.05], "tickmode": "array",
                                   "tickvals": [0, 0.25, 0.5, 0.75, 1]}})
    readable_layout(spec.layout)
    return spec.figure()
