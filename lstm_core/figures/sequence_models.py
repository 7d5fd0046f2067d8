"""
Figures of the sequence-models lesson: a wave with a gap and its fills
(bidirectional RNNs), forecasts of several steps (the encoder-decoder
against the per-step forecaster, a model running free against the same
model fed the true values), their errors at each step, and each figure's
replay over the moments of training.

Pure functions from arrays to figures, in the palette of `base` (the input
grey, what is true blue); each model keeps one colour and dash across the
lesson (`COLORS`). The page passes the models' names in its language
(`labels`) and the titles; the few fixed texts are translated by the page
(`ui.i18n.figure`).
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from .base import COLORS as BASE_COLORS, FONT_SIZE, Spec, merge, readable_layout, scatter
from .replay import ROOM, add_animation

# Blue is the truth and grey the input everywhere: the models get the palette's other colours.
COLORS = {
    "unidirectional": "#E69F00",
    "bidirectional": "#CC79A7",
    "interpolation": "#555555",
    "encoder_decoder": "#000000",
    "per_step": "#CC79A7",  # the forecasting lesson's colour of its sequence-to-sequence strategy
    "free_running": BASE_COLORS["predicted"],
    "teacher_forced": BASE_COLORS["training"],  # fed the true values, as in training
}
DASHES = {"unidirectional": "dot", "bidirectional": "solid", "interpolation": "dash", "encoder_decoder": "dash",
          "per_step": "solid", "free_running": "dot", "teacher_forced": "solid"}
SYMBOLS = {"unidirectional": "triangle-up", "bidirectional": "diamond", "interpolation": "circle-open",
           "encoder_decoder": "x", "per_step": "diamond", "free_running": "x", "teacher_forced": "circle"}


def _layout(spec: Spec, title: str, x_title: str, y_title: str, height: int) -> Spec:
    spec.update_layout({"title": {"text": title}, "height": height, "font": {"size": FONT_SIZE},
                        "margin": {"l": 60, "r": 20, "t": 110, "b": 50},
                        "legend": {"orientation": "h", "x": 1.0, "xanchor": "right", "y": 1.02, "yanchor": "bottom"}})
    spec.update_axes("x", {"title": {"text": x_title}})
    spec.update_axes("y", {"title": {"text": y_title}})
    readable_layout(spec.layout)
    return spec


def _fit_values(*arrays) -> list[float]:
    """A value axis that holds every finite value shown (clipped to [-1.5, 2.5]), with a margin."""
    shown = np.concatenate([np.asarray(a, dtype=float).ravel() for a in arrays])
    shown = np.clip(shown[np.isfinite(shown)], -1.5, 2.5)
    low, high = (float(shown.min()), float(shown.max())) if shown.size else (0.0, 1.0)
    pad = max(0.03, 0.08 * (high - low))
    return [low - pad, high + pad]


def _controls_below(spec: Spec) -> Spec:
    """The replay's play buttons and moment slider under the x axis's title, not on it."""
    spec.update_layout({"height": spec.layout["height"] + 70, "margin": {"b": 200 + ROOM}})
    spec.layout["updatemenus"][0]["y"] = spec.layout["sliders"][0]["y"] = -0.2  # the buttons under the slider
    return spec


def _line(name: str, label: str, x, y, *, markers: bool = True) -> dict:
    return scatter(x=np.asarray(x), y=np.asarray(y, dtype=float).ravel(), mode="lines+markers" if markers else "lines",
                   name=label, line={"color": COLORS.get(name, "#333"), "dash": DASHES.get(name, "solid"), "width": 3},
                   marker={"size": 10, "symbol": SYMBOLS.get(name, "circle")})


# -- bidirectional: a gap and its fills ------------------------------------------------------

def gap_figure(wave, start: int, fills: dict, *, labels: dict, title: str) -> go.Figure:
    """The wave with its gap (shaded): the points the models read (grey), the missing values (blue) and each
    fill of the gap (`fills[name]` (gap,)), joined to the gap's neighbours so each fill reads as a path."""
    return _gap(wave, start, fills, labels=labels, title=title).figure()


def _gap(wave, start: int, fills: dict, *, labels: dict, title: str) -> Spec:
    """`gap_figure` as plain dicts (`gap_replay_figure` animates it)."""
    wave = np.asarray(wave, dtype=float).ravel()
    gap = len(next(iter(fills.values())))
    steps = np.arange(len(wave))
    seen = wave.copy()
    seen[start:start + gap] = np.nan
    spec = Spec()
    spec.add_vrect(start - 0.5, start + gap - 0.5, {"fillcolor": "#EEEEEE", "line": {"width": 0}, "layer": "below"})
    spec.add(scatter(x=steps, y=seen, mode="lines+markers", name="what the models read",
                     line={"color": BASE_COLORS["input"], "width": 2}, marker={"size": 7}, connectgaps=False))
    around = np.arange(start - 1, start + gap + 1)  # the gap and its two neighbours
    spec.add(scatter(x=around, y=wave[around], mode="lines+markers", name="missing values (truth)",
                     line={"color": BASE_COLORS["expected"], "width": 4}, marker={"size": 12}))
    for name, values in fills.items():
        path = np.concatenate([[wave[start - 1]], np.asarray(values, dtype=float).ravel(), [wave[start + gap]]])
        spec.add(_line(name, labels.get(name, name), around, path))
    spec.update_axes("y", {"range": _fit_values(wave, *fills.values())})
    return _layout(spec, title, "time step", "value", 460)


def gap_replay_figure(wave, start: int, moments: list[dict], *, labels: dict, title: str, moment_labels: list[str],
                      texts: dict | None = None, active: int | None = None, still: dict | None = None) -> go.Figure:
    """`gap_figure` at each moment of training: the models' fills (`moments[k][name]` (gap,)) move, the fills that
    need no training (`still`, e.g. the straight line) stay."""
    wave = np.asarray(wave, dtype=float).ravel()
    models = list(moments[-1])
    spec = _gap(wave, start, {**moments[-1], **(still or {})}, labels=labels, title=title)
    first = 2  # the traces after the read points and the truth, in the order of `models`
    gap = len(moments[-1][models[0]])

    def path(values) -> list[float]:
        return [float(wave[start - 1]), *map(float, np.asarray(values).ravel()), float(wave[start + gap])]

    frames = [[{"y": path(moment[name])} for name in models] for moment in moments]
    spec.update_axes("y", {"range": _fit_values(wave, *[m[name] for m in moments for name in models],
                                                *(still or {}).values())})
    add_animation(spec, frames, traces=list(range(first, first + len(models))), labels=moment_labels, active=active,
                  texts=texts)
    return _controls_below(spec).figure()


# -- forecasts: encoder-decoder, free running against teacher forcing ------------------------

def forecast_figure(inputs, truth, forecasts: dict, *, labels: dict, title: str, focus: int | None = 25,
                    markers_only: tuple = ()) -> go.Figure:
    """The input, its true continuation and each model's values for it (`forecasts[name]` (H,)); `markers_only`
    names values that are not one path but one prediction per step (teacher forcing: each from true inputs).
    With `focus`, the axes start `focus` steps before the end of the input (double-click shows it all)."""
    return _forecast(inputs, truth, forecasts, labels=labels, title=title, focus=focus,
                     markers_only=markers_only).figure()


def _forecast(inputs, truth, forecasts: dict, *, labels: dict, title: str, focus: int | None = 25,
              markers_only: tuple = ()) -> Spec:
    """`forecast_figure` as plain dicts (`forecast_replay_figure` animates it)."""
    inputs, truth = np.asarray(inputs, dtype=float).ravel(), np.asarray(truth, dtype=float).ravel()
    length = len(inputs)
    ahead = np.arange(length, length + len(truth))
    spec = Spec()
    spec.add(scatter(x=np.arange(length), y=inputs, mode="lines+markers", name="input",
                     line={"color": BASE_COLORS["input"]}, marker={"size": 5}))
    spec.add(scatter(x=ahead, y=truth, mode="lines+markers", name="true continuation",
                     line={"color": BASE_COLORS["expected"], "width": 4}, marker={"size": 9}))
    for name, values in forecasts.items():
        trace = _line(name, labels.get(name, name), ahead, values)
        if name in markers_only:
            merge(trace, {"mode": "markers", "marker": {"size": 12, "line": {"color": "white", "width": 1}}})
        spec.add(trace)
    spec.add_vline(length - 0.5, {"dash": "dot", "color": "#888"})
    start = 0 if focus is None else max(0, length - focus)
    spec.update_axes("x", {"range": [start - 0.5, length + len(truth) - 0.5]})
    spec.update_axes("y", {"range": _fit_values(inputs[start:], truth, *forecasts.values())})
    return _layout(spec, title, "time step", "value", 460)


def forecast_replay_figure(inputs, truth, moments: list[dict], *, labels: dict, title: str, moment_labels: list[str],
                           texts: dict | None = None, active: int | None = None, focus: int | None = 25,
                           markers_only: tuple = ()) -> go.Figure:
    """`forecast_figure` at each moment of training (`moments[k][name]` (H,)), on axes that hold every moment."""
    names = list(moments[-1])
    spec = _forecast(inputs, truth, moments[-1], labels=labels, title=title, focus=focus, markers_only=markers_only)
    inputs = np.asarray(inputs, dtype=float).ravel()
    start = 0 if focus is None else max(0, len(inputs) - focus)
    spec.update_axes("y", {"range": _fit_values(inputs[start:], truth, *[m[name] for m in moments for name in names])})
    frames = [[{"y": np.asarray(moment[name], dtype=float).ravel().tolist()} for name in names] for moment in moments]
    first = len(spec.data) - len(names)
    add_animation(spec, frames, traces=list(range(first, len(spec.data))), labels=moment_labels, active=active,
                  texts=texts)
    return _controls_below(spec).figure()


# -- errors -----------------------------------------------------------------------------------

def errors_figure(x, errors: dict, *, labels: dict, title: str, x_title: str,
                  y_title: str = "mean absolute error") -> go.Figure:
    """Each model's held-out error at each step (`errors[name]` (len(x),)): by missing step, or by step ahead.
    A non-finite value is left out (a gap), never drawn as zero."""
    spec = Spec()
    for name, values in errors.items():
        y = np.asarray(values, dtype=float)
        spec.add(_line(name, labels.get(name, name), x, np.where(np.isfinite(y), y, np.nan)))
    if len(x) <= 12:  # every step labelled
        spec.update_axes("x", {"tickmode": "array", "tickvals": [int(v) for v in x]})
    spec.update_axes("y", {"rangemode": "tozero"})
    return _layout(spec, title, x_title, y_title, 400).figure()
