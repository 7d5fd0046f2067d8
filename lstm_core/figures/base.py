"""
Plotly figures: pure functions from arrays to figures, the same on every page.

Colours come from the Okabe-Ito palette, which colour-blind students can tell
apart, and each kind of series keeps its colour everywhere: the input in grey,
what is expected in blue, what the model predicts in vermilion, training
curves in green. Type is large enough to read from the back of a classroom:
`FONT_SIZE` for a figure's text, and nothing (a tick, a legend, an annotation,
a number in a diagram) below `MIN_FONT_SIZE` pixels, which a projected
1600-pixel-wide window still shows legibly (`tests/core/test_figures.py`
builds every figure and checks it).
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

# The default template is applied without re-validating it: 2 ms a figure instead of the ~25 ms
# of `template="plotly_white"` on each (measured in benchmarks/app_reruns.py). Same JSON.
pio.templates.default = "plotly_white"

COLORS = {
    "input": "#555555",
    "expected": "#0072B2",
    "predicted": "#D55E00",
    "training": "#009E73",
    "pinned": "#999999",
    "accent": "#CC79A7",
    "other": "#E69F00",
}
SERIES = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]
FONT_SIZE = 16
MIN_FONT_SIZE = 14  # the smallest text any figure draws: ticks, legends, annotations, numbers in a diagram


def readable(fig: go.Figure) -> go.Figure:
    """Give every axis's tick labels and title, the legend and a shared colour bar a size of their own (unless
    already set). Streamlit's chart theme sets them to 13.5 px as template defaults, which beat the figure's
    `font` but not the figure's own values. Call it once the figure has all its axes."""
    for name in [key for key in fig.layout if key.startswith(("xaxis", "yaxis"))]:
        axis = fig.layout[name]
        axis.tickfont.size = axis.tickfont.size or MIN_FONT_SIZE
        axis.title.font.size = axis.title.font.size or FONT_SIZE
    fig.layout.legend.font.size = fig.layout.legend.font.size or MIN_FONT_SIZE
    if fig.layout.coloraxis.to_plotly_json():
        bar = fig.layout.coloraxis.colorbar
        bar.tickfont.size = bar.tickfont.size or MIN_FONT_SIZE
        bar.title.font.size = bar.title.font.size or MIN_FONT_SIZE
    return fig


def log_tick_labels(values) -> dict:
    """A log axis' ticks, written out, for `values`: each decade if they span three or more, else 1, 2 and 5 times
    each decade. Left to itself Plotly labels the 2s and 5s between decades at three quarters of the tick size."""
    values = np.asarray(values, dtype=float).ravel()
    values = values[np.isfinite(values) & (values > 0)]
    if not values.size:
        return {"dtick": 1}
    low, high = int(np.floor(np.log10(values.min()))), int(np.ceil(np.log10(values.max())))
    if high - low >= 3:
        ticks = [(10.0 ** k, f"10<sup>{k}</sup>") for k in range(low, high + 1)]
    else:
        ticks = [(m * 10.0 ** k, f"{m * 10.0 ** k:g}") for k in range(low, high + 1) for m in (1, 2, 5)]
        ticks = [(v, text) for v, text in ticks if values.min() / 2.5 <= v <= values.max() * 2.5]
    return {"tickvals": [v for v, _ in ticks], "ticktext": [text for _, text in ticks]}


def _layout(fig: go.Figure, title: str, x_title: str, y_title: str, height: int = 420) -> go.Figure:
    fig.update_layout(
        title=title, height=height, font={"size": FONT_SIZE},
        margin={"l": 60, "r": 20, "t": 60, "b": 50},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1.0},
    )
    fig.update_xaxes(title_text=x_title)
    fig.update_yaxes(title_text=y_title)
    return readable(fig)


def sine_prediction_figure(inputs, expected, predicted=None, *, title: str = "Damped sine wave",
                           pinned=None, pinned_label: str = "pinned prediction") -> go.Figure:
    """The input steps, the expected next values and the model's prediction of them.

    A dotted vertical line marks where the input ends and the output begins.
    `pinned` is an earlier prediction to show faded beside the current one.
    """
    inputs, expected = np.asarray(inputs).ravel(), np.asarray(expected).ravel()
    length = len(inputs)
    out_steps = np.arange(length, length + len(expected))
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=np.arange(length), y=inputs, mode="lines+markers", name="input",
                             line={"color": COLORS["input"]}, marker={"size": 5}))
    # Expected values as open circles, predictions as smaller dots: where they agree, both stay visible.
    fig.add_trace(go.Scatter(x=out_steps, y=expected, mode="lines+markers", name="expected",
                             line={"color": COLORS["expected"], "width": 3},
                             marker={"symbol": "circle-open", "size": 11, "line": {"width": 2.5}}))
    if pinned is not None:
        fig.add_trace(go.Scatter(x=out_steps, y=np.asarray(pinned).ravel(), mode="lines+markers",
                                 name=pinned_label, opacity=0.45,
                                 line={"color": COLORS["pinned"], "dash": "dot", "width": 3}))
    if predicted is not None:
        fig.add_trace(go.Scatter(x=out_steps, y=np.asarray(predicted).ravel(), mode="lines+markers",
                                 name="predicted", line={"color": COLORS["predicted"], "width": 2, "dash": "dash"},
                                 marker={"size": 7}))
    fig.add_vline(x=length - 0.5, line={"dash": "dot", "color": "#888"})
    fig.add_annotation(x=length - 0.5, y=1.08, text="input | output", showarrow=False, yref="y")
    fig.update_yaxes(range=[-0.05, 1.15])
    return _layout(fig, title, "time step", "value")


def loss_figure(history=None, curve=None, *, title: str = "Training loss (MAE)", pinned=None) -> go.Figure:
    """Training loss: a fine curve `[[examples seen, loss], ...]` and/or one point per epoch.

    `history` is the loss at the end of each epoch (x = epoch); `curve` wins
    the x axis when given (x = examples seen).
    """
    fig = go.Figure()
    if pinned is not None and len(pinned):
        p = np.asarray(pinned, dtype=float)
        fig.add_trace(go.Scatter(x=p[:, 0], y=p[:, 1], mode="lines", name="pinned run", opacity=0.45,
                                 line={"color": COLORS["pinned"], "dash": "dot"}))
    if curve is not None and len(curve):
        c = np.asarray(curve, dtype=float)
        fig.add_trace(go.Scatter(x=c[:, 0], y=c[:, 1], mode="lines", name="training loss",
                                 line={"color": COLORS["training"], "width": 3}))
        x_title = "training examples seen"
    else:
        h = np.asarray(history if history is not None else [], dtype=float)
        fig.add_trace(go.Scatter(x=np.arange(1, len(h) + 1), y=h, mode="lines+markers", name="loss per epoch",
                                 line={"color": COLORS["training"], "width": 3}, marker={"size": 10}))
        x_title = "epoch"
    return _layout(fig, title, x_title, "mean absolute error", height=340)


def _closed(points) -> np.ndarray:
    points = np.asarray(points, dtype=float).reshape(-1, 2)
    return np.concatenate([points, points[:1]], axis=0)


def rectangles_figure(drawings, labels=None, *, title: str = "Rectangles drawn by the model",
                      pinned=None, height: int = 480) -> go.Figure:
    """Closed polygons on the book's axes (-0.1 to 1.1), one colour per drawing.

    Each drawing is (4, 2): the start and three generated corners. The start
    point is marked with a circle.
    """
    drawings = np.asarray(drawings, dtype=float).reshape(-1, 4, 2)
    labels = labels or [f"drawing {i + 1}" for i in range(len(drawings))]
    fig = go.Figure()
    if pinned is not None:
        for i, drawing in enumerate(np.asarray(pinned, dtype=float).reshape(-1, 4, 2)):
            closed = _closed(drawing)
            fig.add_trace(go.Scatter(x=closed[:, 0], y=closed[:, 1], mode="lines", opacity=0.4,
                                     name="pinned run", showlegend=i == 0, legendgroup="pinned",
                                     line={"color": COLORS["pinned"], "dash": "dot", "width": 3}))
    for i, (drawing, label) in enumerate(zip(drawings, labels)):
        closed = _closed(drawing)
        color = SERIES[i % len(SERIES)]
        fig.add_trace(go.Scatter(x=closed[:, 0], y=closed[:, 1], mode="lines+markers", name=label,
                                 fill="toself", opacity=0.85, line={"color": color, "width": 3},
                                 marker={"size": [12, 8, 8, 8, 0]}))
    fig.update_xaxes(range=[-0.1, 1.1], constrain="domain")
    fig.update_yaxes(range=[-0.1, 1.1], scaleanchor="x", scaleratio=1)
    return _layout(fig, title, "x", "y", height=height)


def layer_table_rows(rows) -> list[dict]:
    """Layer rows ready for a table: output shapes as text, plus a total row."""
    table = [{"layer": r["layer"], "output shape": str(tuple(r["output_shape"])).replace("None", "batch"),
              "parameters": int(r["parameters"])} for r in rows]
    table.append({"layer": "total", "output shape": "", "parameters": sum(r["parameters"] for r in table)})
    return table
