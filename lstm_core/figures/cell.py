"""
Plotly figures of the LSTM cell stepped through a wave, and of the gradient path.

`cell_figure` draws one unit's cell in the style of the classic LSTM
diagrams (colah's "Understanding LSTM Networks"): the cell-state line across
the top with × (forget) and + (write), the σ σ tanh σ boxes of the forget,
input, candidate and output gates fed by h_{t-1} and x_t, tanh on the cell
and × with the output gate giving h_t. The boxes are shaded by their value
on the heatmaps' scales (Cividis for gates on [0, 1], red negative and blue
positive for the signed states) and carry their numbers; an annotation
beside the diagram writes the equations with the numbers plugged in; a small
panel draws the wave and the unit's c and h with a cursor at the step.

The figure holds one animation frame per time step, a play/pause menu and a
time-step slider: the browser plays it, the server draws it once. A frame
changes only what moves: the box colours, the numbers, the cursor (traces)
and the equations (the layout's only annotation, so a frame's annotation
list replaces it whole). Streamlit's separate charts cannot follow one
figure's animation, so the wave cursor lives in this figure, as a subplot.

`gradient_path_figure` draws ∏ f (the LSTM's cell-state path) against a
SimpleRNN's ‖∂h_T/∂h_k‖ on a log axis, by steps before the end, with the
step a lag task must remember marked.

Texts come in English by default; a page passes them translated (`TEXTS`
holds every key, with `str.format` fields).
"""

from __future__ import annotations

import functools

import numpy as np
import plotly.colors as plotly_colors
import plotly.graph_objects as go

from .. import stepper
from .base import COLORS, MIN_FONT_SIZE, Spec, _layout, log_tick_labels, scatter
from .concepts import GATE_SCALES, MODEL_COLORS, _legend_below

TEXTS = {
    "title": "Layer {layer}, unit {unit}: the cell step by step",
    "heading": "Step t = {t}",
    "reads_wave": "reads x<sub>t</sub> = {x} (the wave), h<sub>t−1</sub> = {h}, c<sub>t−1</sub> = {c}",
    "reads_layer": "reads x<sub>t</sub> = layer {previous}'s h<sub>t</sub>: {count} values, ‖x<sub>t</sub>‖ = {norm}"
                   "<br>and h<sub>t−1</sub> = {h}, c<sub>t−1</sub> = {c}",
    "z": "z = x<sub>t</sub>W + h<sub>t−1</sub>U + b (U reads all {units} units' h<sub>t−1</sub>):",
    "input_layer": "x<sub>t</sub> = h<sub>t</sub> of layer {previous}<br>{count} values, ‖x<sub>t</sub>‖ = {norm}",
    "forget": "forget", "input": "input", "candidate": "candidate", "output": "output",
    "cell_state": "cell state",
    "wave": "wave", "cell_unit": "c (unit {unit})", "hidden_unit": "h (unit {unit})", "time_step": "time step",
    "play": "▶ play", "pause": "❚❚ pause", "step": "t = ",
}

# The diagram in data units (x right, y up). Boxes: centre x, centre y, width, height, colour scale.
BOXES = {
    "f": (3.0, 2.4, 1.3, 0.9, "gate"),
    "i": (4.6, 2.4, 1.3, 0.9, "gate"),
    "g": (6.2, 2.4, 1.3, 0.9, "signed"),
    "o": (7.8, 2.4, 1.3, 0.9, "gate"),
    "c_previous": (0.55, 6.2, 1.1, 0.9, "cell"),
    "c": (12.45, 6.2, 1.1, 0.9, "cell"),
    "h_previous": (0.55, 1.2, 1.1, 0.9, "signed"),
    "h": (12.45, 1.2, 1.1, 0.9, "signed"),
    "x": (2.0, -0.55, 1.3, 0.9, "input"),
}
BOX_LABELS = {"f": "f = σ", "i": "i = σ", "g": "g = tanh", "o": "o = σ", "c_previous": "c<sub>t−1</sub>",
              "c": "c<sub>t</sub>", "h_previous": "h<sub>t−1</sub>", "h": "h<sub>t</sub>", "x": "x<sub>t</sub>"}
WIDE_INPUT = 2.6  # the input box of a layer after the first says what it reads in two lines
OPERATIONS = ((3.0, 6.2, "×"), (6.2, 6.2, "+"), (6.2, 4.3, "×"), (9.6, 3.4, "×"))
TANH_OVAL = (9.6, 4.9, 0.65, 0.32)
WIRES = [  # polylines, drawn under the boxes and the operation circles
    [(1.1, 1.2), (7.8, 1.2)], [(2.0, -0.1), (2.0, 1.2)],  # h_{t-1} and x_t join on one bus
    *[[(x, 1.2), (x, 1.95)] for x in (3.0, 4.6, 6.2, 7.8)],  # the bus feeds every gate
    [(3.0, 2.85), (3.0, 6.2)], [(4.6, 2.85), (4.6, 4.3), (6.2, 4.3)], [(6.2, 2.85), (6.2, 6.2)],
    [(7.8, 2.85), (7.8, 3.4), (9.6, 3.4)], [(9.6, 6.2), (9.6, 3.4)], [(9.6, 3.4), (9.6, 1.2), (11.9, 1.2)],
]
ARROWS = [(11.85, 6.2, "triangle-right"), (11.85, 1.2, "triangle-right"),
          *[(x, 1.88, "triangle-up") for x in (3.0, 4.6, 6.2, 7.8)]]
PRODUCTS = {"kept": (3.2, 5.75, "f·c<sub>t−1</sub> = {value}"), "written": (6.4, 4.75, "i·g = {value}"),
            "tanh_c": (10.35, 4.9, "tanh(c<sub>t</sub>) = {value}")}
GATE_NAMES = {"forget": 3.0, "input": 4.6, "candidate": 6.2, "output": 7.8}
X_RANGE, Y_RANGE = (-0.1, 13.1), (-1.15, 7.3)
DIAGRAM_WIDTH = 0.6  # of the figure's width; the equations and the wave panel share the rest
PANEL = {"x": (0.68, 1.0), "y": (0.0, 0.34)}
FRAME_MS = 400


def _rectangle(cx, cy, width, height):
    x0, x1, y0, y1 = cx - width / 2, cx + width / 2, cy - height / 2, cy + height / 2
    return [x0, x1, x1, x0, x0], [y0, y0, y1, y1, y0]


def _polylines(lines):
    xs, ys = [], []
    for line in lines:
        xs += [x for x, _ in line] + [None]
        ys += [y for _, y in line] + [None]
    return xs, ys


@functools.cache
def _scale(name: str):
    """A Plotly colour scale as (positions, rgb rows), for interpolating hundreds of fills quickly."""
    scale = plotly_colors.get_colorscale(name)
    rgb = [plotly_colors.unlabel_rgb(plotly_colors.convert_colors_to_same_type(color, "rgb")[0][0])
           for _, color in scale]
    return np.array([position for position, _ in scale], dtype=float), np.array(rgb, dtype=float)


def _color(value: float, scale: str, bound: float) -> str:
    """A box's fill: gates on Cividis over [0, 1], signed values on RdBu over [−bound, bound], the input white."""
    if scale == "input":
        return "white"
    name, low, high = GATE_SCALES["gate" if scale == "gate" else "signed"]
    if scale != "gate":
        low, high = -bound, bound
    position = float(np.clip((value - low) / (high - low), 0.0, 1.0))
    positions, rgb = _scale(name)
    red, green, blue = (round(float(np.interp(position, positions, rgb[:, channel]))) for channel in range(3))
    return f"rgb({red}, {green}, {blue})"


def _ink(fill: str) -> str:
    """Black on a light fill, white on a dark one."""
    if not fill.startswith("rgb"):
        return "#111"
    red, green, blue = (float(part) for part in fill[fill.index("(") + 1:-1].split(","))
    return "#111" if 0.299 * red + 0.587 * green + 0.114 * blue > 140 else "white"


def _box_text(name: str, values: dict, texts: dict) -> str:
    if name == "x" and values["x"] is None:
        return texts["input_layer"].format(previous=values["layer"] - 1, count=values["features"],
                                           norm=stepper.number(values["x_norm"], 2))
    return f"{BOX_LABELS[name]}<br><b>{stepper.number(values[name])}</b>"


def _frame_state(values: dict, bound: float, texts: dict, units: int):
    """What one step changes: box fills, the value texts with their ink, the cursor and the equations."""
    fills, labels, inks = {}, [], []
    for name, (_, _, _, _, scale) in BOXES.items():
        value = values[name] if values[name] is not None else 0.0
        fills[name] = _color(value, scale, bound)
        labels.append(_box_text(name, values, texts))
        inks.append(_ink(fills[name]))
    for name, (_, _, template) in PRODUCTS.items():
        labels.append(template.format(value=stepper.number(values[name])))
        inks.append("#111")
    return fills, labels, inks, equations_text(values, texts, units)


def equations_text(values: dict, texts: dict | None = None, units: int = 1) -> str:
    """The annotation of one step: what the unit reads, then its equations with the numbers in."""
    texts = {**TEXTS, **(texts or {})}
    n = stepper.number
    if values["x"] is not None:
        reads = texts["reads_wave"].format(x=n(values["x"]), h=n(values["h_previous"]), c=n(values["c_previous"]))
    else:
        reads = texts["reads_layer"].format(previous=values["layer"] - 1, count=values["features"],
                                            norm=n(values["x_norm"], 2), h=n(values["h_previous"]),
                                            c=n(values["c_previous"]))
    lines = [f"<b>{texts['heading'].format(t=values['t'])}</b>", reads, texts["z"].format(units=units)]
    return "<br>".join(lines + stepper.equations(values))


def cell_figure(steps: stepper.LayerSteps, unit: int, wave, *, texts: dict | None = None,
                height: int = 600) -> go.Figure:
    """The animated cell of unit `unit` of one layer (`stepper.LayerSteps`) reading `wave` (steps,).

    One frame per time step (named by the step), a play/pause menu and a slider; frame t's annotation
    holds step t's equations with its numbers.
    """
    texts = {**TEXTS, **(texts or {})}
    trace = steps.trace
    bound = max(1e-6, float(np.abs(trace.cell).max()))  # the cell heatmap's scale
    per_step = [stepper.step_values(steps, unit, t) for t in range(steps.steps)]
    states = [_frame_state(values, bound, texts, steps.units) for values in per_step]
    first_fills, first_labels, first_inks, first_equations = states[0]
    wide = per_step[0]["x"] is None
    spec = Spec()
    body_x, body_y = _rectangle(6.5, 3.65, 10.4, 6.7)
    spec.add(scatter(x=body_x, y=body_y, fill="toself", fillcolor="#F3F3F3", mode="lines",
                     line={"color": "#BBBBBB", "width": 1}, hoverinfo="skip", showlegend=False))
    wire_x, wire_y = _polylines(WIRES)
    spec.add(scatter(x=wire_x, y=wire_y, mode="lines", line={"color": "#555555", "width": 2},
                     hoverinfo="skip", showlegend=False))
    spec.add(scatter(x=[1.1, 11.9], y=[6.2, 6.2], mode="lines", line={"color": "#222222", "width": 5},
                     hoverinfo="skip", showlegend=False))  # the cell-state line
    spec.add(scatter(x=[a[0] for a in ARROWS], y=[a[1] for a in ARROWS], mode="markers",
                     marker={"symbol": [a[2] for a in ARROWS], "size": 11, "color": "#555555"},
                     hoverinfo="skip", showlegend=False))
    box_traces = {}
    for name, (cx, cy, width, height_, _) in BOXES.items():
        box_x, box_y = _rectangle(cx + (WIDE_INPUT - width) / 2 if name == "x" and wide else cx, cy,
                                  WIDE_INPUT if name == "x" and wide else width, height_)
        box_traces[name] = len(spec.data)
        spec.add(scatter(x=box_x, y=box_y, fill="toself", fillcolor=first_fills[name], mode="lines",
                         line={"color": "#333333", "width": 1.5}, hoverinfo="skip", showlegend=False))
    oval_angle = np.linspace(0, 2 * np.pi, 40)
    cx, cy, rx, ry = TANH_OVAL
    spec.add(scatter(x=cx + rx * np.cos(oval_angle), y=cy + ry * np.sin(oval_angle), fill="toself",
                     fillcolor="white", mode="lines", line={"color": "#333333", "width": 1.5},
                     hoverinfo="skip", showlegend=False))
    spec.add(scatter(x=[o[0] for o in OPERATIONS], y=[o[1] for o in OPERATIONS], mode="markers+text",
                     text=[o[2] for o in OPERATIONS], textfont={"size": 18, "color": "#111"},
                     marker={"size": 26, "color": "white", "line": {"color": "#333333", "width": 1.5}},
                     hoverinfo="skip", showlegend=False))
    static = [(cx, cy, "tanh")] + [(x, 0.8, texts[name]) for name, x in GATE_NAMES.items()]
    static.append((1.3, 6.6, texts["cell_state"]))
    spec.add(scatter(x=[s[0] for s in static], y=[s[1] for s in static], text=[s[2] for s in static],
                     mode="text", textposition=["middle center"] * (len(static) - 1) + ["middle right"],
                     textfont={"size": MIN_FONT_SIZE, "color": "#555555"}, hoverinfo="skip", showlegend=False))
    positions = [((cx + (WIDE_INPUT - w) / 2) if name == "x" and wide else cx, cy)
                 for name, (cx, cy, w, _, _) in BOXES.items()]
    positions += [(x, y) for x, y, _ in PRODUCTS.values()]
    value_trace = len(spec.data)
    spec.add(scatter(x=[p[0] for p in positions], y=[p[1] for p in positions], mode="text",
                     text=first_labels, textfont={"size": MIN_FONT_SIZE, "color": first_inks},
                     textposition=["middle center"] * len(BOXES) + ["middle right"] * len(PRODUCTS),
                     hoverinfo="skip", showlegend=False, cliponaxis=False))
    # The wave panel: the wave, the unit's c and h, a cursor at the step.
    time = np.arange(steps.steps)
    wave = np.asarray(wave, dtype=float)
    cell, hidden = trace.cell[:, unit], trace.hidden[:, unit]
    low = float(min(wave.min(), cell.min(), hidden.min(), 0.0))
    high = float(max(wave.max(), cell.max(), hidden.max(), 1.0))
    panel = {"xaxis": "x2", "yaxis": "y2"}
    spec.add(scatter(x=time, y=wave, name=texts["wave"], line={"color": COLORS["input"], "width": 2},
                     **panel))
    spec.add(scatter(x=time, y=cell, name=texts["cell_unit"].format(unit=unit),
                     line={"color": COLORS["accent"], "width": 2.5}, **panel))
    spec.add(scatter(x=time, y=hidden, name=texts["hidden_unit"].format(unit=unit),
                     line={"color": COLORS["accent"], "width": 1.5, "dash": "dot"}, **panel))
    cursor_trace = len(spec.data)

    def cursor(t):
        """The cursor's line and its points on the three curves, as plain dicts."""
        line = {"type": "scatter", "x": [t, t], "y": [low, high], "mode": "lines", "hoverinfo": "skip",
                "line": {"color": "#111111", "width": 1.5}, "showlegend": False, **panel}
        points = {"type": "scatter", "x": [t, t, t], "y": [float(wave[t]), float(cell[t]), float(hidden[t])],
                  "mode": "markers", "hoverinfo": "skip", "showlegend": False, **panel,
                  "marker": {"size": 8, "color": [COLORS["input"], COLORS["accent"], COLORS["accent"]]}}
        return [line, points]

    for part in cursor(0):
        spec.add(part)
    equation = dict(xref="paper", yref="paper", x=DIAGRAM_WIDTH + 0.03, y=1.0, xanchor="left", yanchor="top",
                    align="left", showarrow=False, font={"size": MIN_FONT_SIZE}, bgcolor="rgba(255,255,255,0.85)")
    moving = [box_traces[name] for name in BOXES] + [value_trace, cursor_trace, cursor_trace + 1]
    frames = []
    for t, (fills, labels, inks, text) in enumerate(states):
        data = [{"type": "scatter", "fillcolor": fills[name]} for name in BOXES]
        data.append({"type": "scatter", "text": labels, "textfont": {"size": MIN_FONT_SIZE, "color": inks}})
        frames.append({"name": str(t), "data": data + cursor(t), "traces": moving,
                       "layout": {"annotations": [{**equation, "text": text}]}})
    spec.frames = frames
    spec.add_annotation({"text": first_equations, **equation})
    title = texts["title"].format(layer=steps.layer, unit=unit)
    _layout(spec, title, "", "", height=height)
    spec.update_layout(dict(
        margin={"l": 10, "r": 10, "t": 60, "b": 120}, showlegend=True,
        legend={"orientation": "h", "x": PANEL["x"][0], "xanchor": "left", "y": PANEL["y"][1] + 0.02,
                "yanchor": "bottom", "font": {"size": MIN_FONT_SIZE}},
        xaxis={"domain": [0, DIAGRAM_WIDTH], "range": list(X_RANGE), "visible": False, "fixedrange": True},
        yaxis={"domain": [0, 1], "range": list(Y_RANGE), "visible": False, "fixedrange": True},
        xaxis2={"domain": list(PANEL["x"]), "anchor": "y2", "title": {"text": texts["time_step"],
                                                                      "font": {"size": MIN_FONT_SIZE}},
                "range": [-0.5, steps.steps - 0.5], "tickfont": {"size": MIN_FONT_SIZE}},
        yaxis2={"domain": list(PANEL["y"]), "anchor": "x2", "tickfont": {"size": MIN_FONT_SIZE},
                "range": [low - 0.05 * (high - low), high + 0.05 * (high - low)]},
        updatemenus=[{
            "type": "buttons", "direction": "left", "showactive": False, "x": 0.0, "xanchor": "left",
            "y": -0.02, "yanchor": "top", "pad": {"t": 10, "r": 10},
            "buttons": [
                {"label": texts["play"], "method": "animate",
                 "args": [None, {"frame": {"duration": FRAME_MS, "redraw": True}, "fromcurrent": True,
                                 "transition": {"duration": 0}}]},
                {"label": texts["pause"], "method": "animate",
                 "args": [[None], {"frame": {"duration": 0, "redraw": False}, "mode": "immediate",
                                   "transition": {"duration": 0}}]},
            ]}],
        sliders=[{
            "active": 0, "x": 0.2, "len": 0.8, "y": -0.02, "yanchor": "top", "pad": {"t": 10},
            "currentvalue": {"prefix": texts["step"], "font": {"size": MIN_FONT_SIZE}},
            "steps": [{"label": str(t), "method": "animate",
                       "args": [[str(t)], {"mode": "immediate", "frame": {"duration": 0, "redraw": True},
                                           "transition": {"duration": 0}}]} for t in range(steps.steps)],
        }],
    ))
    return spec.figure()


# -- the gradient path ------------------------------------------------------------------------

PATH_STYLES = {
    "unit": {"color": MODEL_COLORS["LSTM"], "width": 3},
    "median": {"color": MODEL_COLORS["LSTM"], "width": 2, "dash": "dash"},
    "max": {"color": MODEL_COLORS["LSTM"], "width": 1.5, "dash": "dot"},
    "SimpleRNN": {"color": MODEL_COLORS["SimpleRNN"], "width": 3},
}
FLOOR = 1e-30  # a product that underflows to 0 is drawn at the floor, not dropped from a log axis


def gradient_path_figure(series: dict, labels: dict | None = None, *, title: str = "Gradient along the path",
                         x_title: str = "steps before the end (T − k)",
                         y_title: str = "∂c_T/∂c_k or ‖∂h_T/∂h_k‖", marked: int | None = None,
                         marked_label: str = "the value to remember", height: int = 420) -> go.Figure:
    """Curves over k on a log axis, x = T − k: `series` maps a name of `PATH_STYLES` to values for k = 0 ... T.

    `marked` draws a vertical line that many steps before the end (the step a lag task must remember).
    """
    spec = Spec()
    for name, values in series.items():
        values = np.asarray(values, dtype=float)
        spec.add(scatter(x=stepper.steps_before_end(len(values)), y=np.maximum(values, FLOOR), mode="lines",
                         name=(labels or {}).get(name, name), line=PATH_STYLES.get(name, {})))
    if marked is not None:
        spec.add_vline(marked, {"color": COLORS["expected"], "dash": "dot", "width": 2}, label=marked_label,
                       position="top right")
    _legend_below(_layout(spec, title, x_title, y_title, height=height))
    shown = np.concatenate([np.maximum(np.asarray(values, dtype=float), FLOOR) for values in series.values()])
    spec.update_axes("y", {"type": "log", "exponentformat": "power", **log_tick_labels(shown)})
    return spec.update_layout({"font": {"size": MIN_FONT_SIZE}}).figure()
