"""
Figures of the gradient through time (`experiments/through_time.py`).

`profile_figure`: ‖∂h_T/∂h_k‖ against the steps back from the end on a log
axis, the median over held-out sequences as one thick line beside its bound
scale^(T−k), both named where they end. `clipping_figure`: the loss and the
gradient norm before clipping at every training step, without clipping and
with `clipnorm`, one colour each, the clip value drawn on the norms and a
loss that overflowed marked where it did. Texts come in from the page in its
language; the English defaults are for the command line and the tests.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from .base import COLORS, FONT_SIZE, Spec, grid, readable_layout, scatter
from .concepts import _log_range, direct_labels, log_ticks

PROFILE_COLOR = COLORS["expected"]
BOUND_COLOR = COLORS["input"]
RUN_COLORS = ("#D55E00", "#0072B2")  # without clipping, with clipping


def profile_figure(steps_back, median, bound, *, title: str = "Gradient through time at the start of training",
                   x_title: str = "steps back from the last step (T − k)",
                   y_title: str = "‖∂h_T/∂h_k‖ (log scale)", median_label: str = "median of the sequences",
                   bound_label: str = "bound scale^(T−k)") -> go.Figure:
    """The median ‖∂h_T/∂h_k‖ at each distance T − k (thick), its bound scale^(T−k) (dashed), log scale."""
    steps_back = np.asarray(steps_back, dtype=float)
    median = np.maximum(np.asarray(median, dtype=float), 1e-300)
    bound = np.maximum(np.asarray(bound, dtype=float), 1e-300)
    log_range = _log_range([median, bound], floor=1e-300)
    spec = Spec()
    spec.add_hline(1.0, {"color": "#BBBBBB", "width": 1})
    spec.add(scatter(x=steps_back, y=bound, mode="lines", name=bound_label,
                     line={"color": BOUND_COLOR, "width": 3, "dash": "dash"}))
    spec.add(scatter(x=steps_back, y=median, mode="lines", name=median_label,
                     line={"color": PROFILE_COLOR, "width": 6}))
    far = int(np.argmax(steps_back))
    direct_labels(spec, [(steps_back[far], bound[far], bound_label, BOUND_COLOR),
                         (steps_back[far], median[far], median_label, PROFILE_COLOR)],
                  log_range=log_range, xanchor="right")
    spec.update_axes("y", {"type": "log", "range": list(log_range), "exponentformat": "power",
                           "title": {"text": y_title}, **log_ticks(log_range)})
    spec.update_axes("x", {"title": {"text": x_title}, "range": [-0.5, float(steps_back.max()) + 0.5]})
    spec.update_layout({"title": {"text": title}, "height": 440, "font": {"size": FONT_SIZE}, "showlegend": False,
                        "margin": {"l": 80, "r": 20, "t": 70, "b": 60}})
    readable_layout(spec.layout)
    return spec.figure()


def clipping_figure(runs: list, *, clipnorm: float, title: str = "Training without and with clipping",
                    x_title: str = "training step", loss_title: str = "loss (MSE)",
                    norm_title: str = "gradient norm before clipping", clip_label: str | None = None,
                    overflow_label: str = "overflow at step {step}") -> go.Figure:
    """The loss (top) and the gradient norm before clipping (bottom) at every step of each run, log scales.

    `runs` is `[(label, steps, losses, norms, diverged_step), ...]` (the run without clipping first). A NaN or
    infinite value is left out (it has no place on a log scale); a run that overflowed gets a cross on the
    loss panel at the step where it did, named by `overflow_label` (a template with `{step}`). `clip_label`
    names the line of the clip value on the norms (default `clip value 1`).
    """
    spec, cells = grid(2, 1, shared_xaxes=True, vertical_spacing=0.1)
    panels = {1: [], 2: []}
    for index, (label, steps, losses, norms, diverged_step) in enumerate(runs):
        color = RUN_COLORS[index % len(RUN_COLORS)]
        steps = np.asarray(steps, dtype=float)
        for row, values in ((1, losses), (2, norms)):
            values = np.asarray(values, dtype=float)
            finite = np.isfinite(values) & (values > 0)
            spec.add(scatter(x=steps[finite], y=values[finite], mode="lines", name=label,
                             line={"color": color, "width": 4}), cells[(row, 1)])
            if finite.any():
                last = np.flatnonzero(finite)[-1]
                panels[row].append((steps[last], values[last], label, color))
        if diverged_step is not None:
            finite = np.asarray(losses, dtype=float)
            finite = finite[np.isfinite(finite) & (finite > 0)]
            height = float(finite.max()) if finite.size else 1.0
            spec.add(scatter(x=[diverged_step], y=[height], mode="markers+text",
                             name=overflow_label.format(step=diverged_step),
                             text=[overflow_label.format(step=diverged_step)], textposition="bottom right",
                             marker={"symbol": "x", "size": 16, "color": color, "line": {"width": 2}},
                             textfont={"color": color, "size": FONT_SIZE}), cells[(1, 1)])
    if clipnorm > 0:
        last = max((float(np.max(steps)) for _, steps, *_ in runs if len(steps)), default=1.0)
        spec.add_hline(clipnorm, {"color": COLORS["input"], "dash": "dot", "width": 2}, cells[(2, 1)])
        panels[2].append((last, clipnorm, clip_label or f"clip value {clipnorm:g}", COLORS["input"]))
    for row, title_text in ((1, loss_title), (2, norm_title)):
        cell = cells[(row, 1)]
        traces = [trace["y"] for trace in spec.data if trace["yaxis"] == cell[1]]
        low, high = _log_range([*traces, [clipnorm] if row == 2 and clipnorm > 0 else []], pad=0.4)
        log_range = (low, high + 0.08 * (high - low))  # room above the highest line for its label
        spec.update_axes("y", {"type": "log", "exponentformat": "power", "title": {"text": title_text},
                               "range": list(log_range), **log_ticks(log_range)}, cell)
        direct_labels(spec, panels[row], cell=cell, log_range=log_range, xanchor="right")
    spec.update_axes("x", {"title": {"text": x_title}}, cells[(2, 1)])
    spec.update_layout({"title": {"text": title}, "height": 600, "font": {"size": FONT_SIZE}, "showlegend": False,
                        "margin": {"l": 80, "r": 20, "t": 70, "b": 60}})
    readable_layout(spec.layout)
    return spec.figure()
