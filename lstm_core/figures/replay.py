"""
Replay figures: a lesson's main figure as it was at each snapshot of the
training, animated in the browser.

Each figure is one Plotly figure with one animation frame per snapshot, its
own play and pause buttons and a slider of moments ("after 1,200 of 20,000
examples"), so playing it costs the server nothing: the frames are computed
once per view and the browser moves through them. Below the lesson's view,
the training loss carries a cursor at the same moment, so students see which
part of the curve a drawing belongs to. The figure opens on `active` (by
default the last frame: the trained model, the same view the page drew
before replay existed).
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from .base import (COLORS, FONT_SIZE, Spec, _closed, axis_name, bar, grid, log_tick_labels, merge, readable_layout,
                   scatter)

TEXTS = {"play": "▶ Play", "pause": "❚❚ Pause", "moment": "Moment of training: "}
FRAME_MS = 400  # long enough to see each drawing; the whole replay of ~30 moments lasts about 12 s


def moment_labels(examples, total: int, template: str = "after {seen:,} of {total:,} examples") -> list[str]:
    """The slider's label of each moment (the page passes its language's `template`; the rectangle pages pass
    rectangles seen, as their training-size sliders count them)."""
    return [template.format(seen=int(seen), total=int(total)) for seen in examples]


def loss_at(curve, examples) -> np.ndarray:
    """The training loss curve's value at each moment (`examples` seen); the first report's before it."""
    curve = np.asarray(curve, dtype=float).reshape(-1, 2)
    if not len(curve):
        return np.full(len(examples), np.nan)
    return np.interp(np.asarray(examples, dtype=float), curve[:, 0], curve[:, 1])


def animate(fig: go.Figure, frames: list[list[dict]], *, traces: list[int], labels: list[str], active: int | None = None,
            texts: dict | None = None, redraw: bool = False, frame_ms: int = FRAME_MS,
            titles: list[list[str]] | None = None) -> go.Figure:
    """`fig` with one animation frame per moment (`add_animation` says how), built again as a new figure: a
    figure built by `lstm_core.figures` that a page lays out before animating it (the training-size lab)."""
    spec = Spec.of(fig)
    add_animation(spec, frames, traces=traces, labels=labels, active=active, texts=texts, redraw=redraw,
                  frame_ms=frame_ms, titles=titles)
    return spec.figure()


def add_animation(spec: Spec, frames: list[list[dict]], *, traces: list[int], labels: list[str],
                  active: int | None = None, texts: dict | None = None, redraw: bool = False,
                  frame_ms: int = FRAME_MS, titles: list[list[str]] | None = None,
                  layouts: list[dict] | None = None) -> int:
    """Add one animation frame per moment: `frames[k]` holds the new values of the traces at `traces`.

    The traces are first set to frame `active` (default: the last), play and pause buttons and a slider
    of `labels` are added. `redraw` is needed for traces Plotly cannot move smoothly (bars, heatmaps) and
    for `titles`: the texts of the figure's first annotations (its panels' titles) at each moment.
    `layouts[k]` is more of moment k's layout (an axis's range). Returns the moment shown first.
    """
    texts = {**TEXTS, **(texts or {})}
    active = len(frames) - 1 if active is None else int(np.clip(active, 0, len(frames) - 1))
    for index, update in zip(traces, frames[active]):
        merge(spec.data[index], update)
    moments = [{} for _ in frames]
    if titles is not None:
        redraw = True
        annotations = spec.layout.get("annotations", [])
        moments = [{"annotations": [{**a, "text": text} for a, text in zip(annotations, moment)]
                    + annotations[len(moment):]} for moment in titles]
        for annotation, text in zip(annotations, titles[active]):
            annotation["text"] = text
    for moment, more in zip(moments, layouts or []):
        merge(moment, more)
    # A frame without a layout of its own leaves it out: Plotly drops an empty one anyway, after validating it.
    spec.frames = [{"name": str(k), "data": [dict(update) for update in frame], "traces": list(traces),
                    **({"layout": moment} if moment else {})} for k, (frame, moment) in enumerate(zip(frames, moments))]
    margin = spec.layout.get("margin") or {}
    spec.update_layout({"updatemenus": [play_buttons(texts, redraw, frame_ms)],
                        "sliders": [moment_slider(labels, texts, redraw, active)],
                        "margin": {"b": margin.get("b", 80) + ROOM},
                        **({"height": spec.layout["height"] + ROOM} if spec.layout.get("height") else {})})
    return active


SLIDER_Y, SLIDER_PAD = -0.04, 50  # the slider's top, under the plot, and its label's distance below that
BUTTONS_BELOW = 116  # pixels from the slider's top to the buttons: under its label, rail and ticks
ROOM = 60  # pixels the buttons' row adds to a figure's bottom margin (and height)


def play_buttons(texts: dict, redraw: bool, frame_ms: int = FRAME_MS) -> dict:
    """The play and pause buttons, under the slider's left end, so that the slider's rail and its moment label
    have the figure's whole width, however narrow the window."""
    return {
        "type": "buttons", "direction": "left", "showactive": False, "x": 0.0, "xanchor": "left",
        "y": SLIDER_Y, "yanchor": "top", "pad": {"r": 10, "t": BUTTONS_BELOW}, "font": {"size": FONT_SIZE},
        "buttons": [
            {"label": texts["play"], "method": "animate",
             "args": [None, {"frame": {"duration": frame_ms, "redraw": redraw}, "fromcurrent": True,
                             "transition": {"duration": 0}, "mode": "immediate"}]},
            {"label": texts["pause"], "method": "animate",
             "args": [[None], {"frame": {"duration": 0, "redraw": redraw}, "transition": {"duration": 0},
                               "mode": "immediate"}]},
        ]}


def moment_slider(labels: list[str], texts: dict, redraw: bool, active: int) -> dict:
    """The slider of moments, the figure's whole width above the buttons, opened on `active`."""
    still = {"duration": 0, "redraw": redraw}
    return {
        "active": active, "x": 0.0, "len": 1.0, "y": SLIDER_Y, "yanchor": "top", "pad": {"t": SLIDER_PAD},
        "currentvalue": {"prefix": texts["moment"], "font": {"size": FONT_SIZE, "color": "#333"}},
        "font": {"color": "rgba(0,0,0,0)"},  # ticks only: ~30 labels would overlap; the current one is shown above
        "steps": [{"label": label, "method": "animate",
                   "args": [[str(k)], {"frame": still, "transition": {"duration": 0}, "mode": "immediate"}]}
                  for k, label in enumerate(labels)]}


def _loss_panel(spec: Spec, cell: tuple[str, str], curve, examples, *, pinned_curve=None) -> tuple[int, list]:
    """The loss curve in the panel of `cell`, with a cursor trace; returns (cursor trace index, its frames)."""
    if pinned_curve is not None and len(pinned_curve):
        p = np.asarray(pinned_curve, dtype=float)
        spec.add(scatter(x=p[:, 0], y=p[:, 1], mode="lines", name="pinned run", opacity=0.45,
                         line={"color": COLORS["pinned"], "dash": "dot"}), cell)
    c = np.asarray(curve, dtype=float).reshape(-1, 2)
    spec.add(scatter(x=c[:, 0], y=c[:, 1], mode="lines", name="training loss",
                     line={"color": COLORS["training"], "width": 3}), cell)
    losses = loss_at(curve, examples)
    cursor = spec.add(scatter(x=[examples[-1]], y=[losses[-1]], mode="markers", name="this moment",
                              marker={"color": COLORS["accent"], "size": 16, "symbol": "diamond",
                                      "line": {"color": "black", "width": 1}}), cell)
    spec.update_axes("x", {"title": {"text": "training examples seen"}}, cell)
    spec.update_axes("y", {"title": {"text": "training loss"}}, cell)
    return cursor, [{"x": [float(x)], "y": [float(y)]} for x, y in zip(examples, losses)]


def _finish(spec: Spec, title: str, height: int) -> Spec:
    spec.update_layout({"title": {"text": title}, "height": height, "font": {"size": FONT_SIZE},
                        "margin": {"l": 60, "r": 20, "t": 80, "b": 150},
                        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "right", "x": 1.0}})
    readable_layout(spec.layout)
    return spec


ERROR_FLOOR = 1e-4  # an error drawn on the log axis is at least this (an exact 0 has no place there)


ZOOM_SPAN = 0.1  # the zoom's value axis spans at least this: a 0.01 error is a tenth of its height, not all of it


def _zoomed(*values) -> list[float]:
    """The zoom's value range at one moment: it holds `values` (finite ones, clipped to [-1.5, 2.5]), with a margin."""
    shown = np.concatenate([np.asarray(v, dtype=float).ravel() for v in values if v is not None])
    shown = np.clip(shown[np.isfinite(shown)], -1.5, 2.5)
    low, high = (float(shown.min()), float(shown.max())) if shown.size else (0.0, 1.0)
    middle, half = (low + high) / 2, max(high - low, ZOOM_SPAN) / 2 * 1.25
    return [middle - half, middle + half]


def sine_replay_figure(inputs, expected, predictions, examples, curve, *, labels: list[str], title: str,
                       texts: dict | None = None, active: int | None = None, pinned=None, pinned_curve=None
                       ) -> go.Figure:
    """The prediction of the test wave's next values at each moment (`predictions` (K, output)), above the loss
    curve with a cursor at the same moment (`examples` (K,) seen).

    Beside them, the output window zoomed (the expected values as open circles, the prediction as smaller
    filled dots joined to them by thin lines, so neither hides the other) above the absolute error at each
    output step (log scale, one axis for every moment).
    """
    inputs, expected = np.asarray(inputs).ravel(), np.asarray(expected).ravel()
    predictions = np.asarray(predictions, dtype=float).reshape(len(examples), -1)
    length = len(inputs)
    out_steps = np.arange(length, length + len(expected))
    spec, cells = grid(2, 2, ("", "the output steps, zoomed", "", "error at each output step"),
                       row_heights=[0.6, 0.4], column_widths=[0.66, 0.34], vertical_spacing=0.2,
                       horizontal_spacing=0.09)
    wave_panel, zoom_panel, loss_panel, error_panel = cells[(1, 1)], cells[(1, 2)], cells[(2, 1)], cells[(2, 2)]
    expected_marker = {"symbol": "circle-open", "size": 11, "line": {"width": 2.5}}
    spec.add(scatter(x=np.arange(length), y=inputs, mode="lines+markers", name="input",
                     line={"color": COLORS["input"]}, marker={"size": 5}), wave_panel)
    spec.add(scatter(x=out_steps, y=expected, mode="lines+markers", name="expected", legendgroup="expected",
                     line={"color": COLORS["expected"], "width": 3}, marker=expected_marker), wave_panel)
    spec.add(scatter(x=out_steps, y=expected, mode="markers", name="expected", legendgroup="expected",
                     showlegend=False, marker={**expected_marker, "size": 20, "line": {"width": 3},
                                               "color": COLORS["expected"]}), zoom_panel)
    if pinned is not None:
        for panel in (wave_panel, zoom_panel):
            spec.add(scatter(x=out_steps, y=np.asarray(pinned).ravel(), mode="lines+markers", name="pinned prediction",
                             legendgroup="pinned", showlegend=panel == wave_panel, opacity=0.45,
                             line={"color": COLORS["pinned"], "dash": "dot", "width": 3}), panel)
    predicted_style = {"color": COLORS["predicted"], "width": 2, "dash": "dash"}
    predicted = spec.add(scatter(x=out_steps, y=predictions[-1], mode="lines+markers", name="predicted",
                                 legendgroup="predicted", line=predicted_style, marker={"size": 7}), wave_panel)
    zoomed = spec.add(scatter(x=out_steps, y=predictions[-1], mode="markers", name="predicted", legendgroup="predicted",
                              showlegend=False, marker={"size": 11, "color": COLORS["predicted"]}), zoom_panel)

    def gaps(values) -> dict:
        """Thin lines from each expected value to its prediction: the error, drawn where it is."""
        xs, ys = [], []
        for step, want, got in zip(out_steps, expected, values):
            xs += [float(step), float(step), None]
            ys += [float(want), float(got), None]
        return {"x": xs, "y": ys}

    gap = spec.add(scatter(**gaps(predictions[-1]), mode="lines", name="error", showlegend=False,
                           hoverinfo="skip", line={"color": COLORS["predicted"], "width": 2}), zoom_panel)
    errors = np.maximum(np.abs(predictions - expected[None, :]), ERROR_FLOOR)
    bars = spec.add(bar(x=out_steps, y=errors[-1], name="error", showlegend=False,
                        marker={"color": COLORS["predicted"]}, text=[f"{e:.3f}" for e in errors[-1]],
                        textposition="outside", cliponaxis=False), error_panel)
    spec.add_vline(length - 0.5, {"dash": "dot", "color": "#888"}, wave_panel)
    low, high = min(-0.05, float(np.nanmin(predictions, initial=0))), max(1.15, float(np.nanmax(predictions, initial=1)))
    spec.update_axes("y", {"range": [max(low, -1.5), min(high, 2.5)], "title": {"text": "value"}}, wave_panel)
    spec.update_axes("x", {"title": {"text": "time step"}}, wave_panel)
    # The zoom follows the moment (each frame sets its range): the five values fill it at every moment.
    zooms = [_zoomed(expected, values, pinned) for values in predictions]
    ticks = {"tickvals": out_steps.tolist(), "ticktext": [str(k) for k in range(1, len(out_steps) + 1)],
             "range": [out_steps[0] - 0.6, out_steps[-1] + 0.6]}
    spec.update_axes("x", {"title": {"text": "output step"}, **ticks}, zoom_panel)
    spec.update_axes("x", {"title": {"text": "output step"}, **ticks}, error_panel)
    finite = errors[np.isfinite(errors)]
    top = float(np.log10(min(finite.max(), 10.0))) if finite.size else 0.0
    spec.update_axes("y", {"type": "log", "exponentformat": "power", "title": {"text": "absolute error (log scale)"},
                           "range": [np.log10(max(float(finite.min()) if finite.size else ERROR_FLOOR, ERROR_FLOOR))
                                     - 0.2, top + 0.45], **log_tick_labels(finite)}, error_panel)
    cursor, cursors = _loss_panel(spec, loss_panel, curve, examples, pinned_curve=pinned_curve)
    frames = [[{"y": list(map(float, values))}, {"y": list(map(float, values))}, gaps(values),
               {"type": "bar", "y": list(map(float, error)), "text": [f"{e:.3f}" for e in error]}, moment]
              for values, error, moment in zip(predictions, errors, cursors)]
    height, top = 780, 130
    _finish(spec, title, height)
    # The title at the top, the legend under it and above the zoom's title, hung by its top: a second row, in a
    # narrow window, grows down toward the panels' titles (there is room for it), not up into the title.
    plotted = height - top - spec.layout["margin"]["b"]
    spec.update_layout({"title": {"yref": "container", "y": 1.0, "yanchor": "top", "pad": {"t": 12}},
                        "legend": {"y": 1 + (top - 52) / plotted, "yanchor": "top"}, "margin": {"t": top}})
    shown = add_animation(spec, frames, traces=[predicted, zoomed, gap, bars, cursor], labels=labels, active=active,
                          texts=texts, redraw=True,
                          layouts=[{axis_name(zoom_panel[1]): {"range": zoom_range}} for zoom_range in zooms])
    spec.update_axes("y", {"range": zooms[shown]}, zoom_panel)
    return spec.figure()


def rectangles_replay_figure(free, completed, examples, curve, *, labels: list[str], title: str,
                             completed_labels: list[str], free_label: str = "drawn from [0, 0]",
                             texts: dict | None = None, active: int | None = None, pinned_curve=None,
                             panel_titles=("Drawn from [0, 0]", "Completed from a given first corner")) -> go.Figure:
    """The drawing from [0,0] (`free` (K, 4, 2)) and the completions (`completed` (K, w, 4, 2)) at each moment,
    beside each other, above the loss curve with a cursor at the same moment. `examples` (K,) and the curve's
    x are rectangles seen (`experiments.rectangles.rectangles_seen`), as the slider of training rectangles
    counts them."""
    free, completed = np.asarray(free, dtype=float), np.asarray(completed, dtype=float)
    spec, cells = grid(2, 2, panel_titles, specs=[[{}, {}], [{"colspan": 2}, None]], row_heights=[0.6, 0.4],
                       vertical_spacing=0.16, horizontal_spacing=0.08)
    animated = []
    series = [("free", 0, free[:, None], [free_label])] + [("done", 1, completed, completed_labels)]
    palette = [COLORS["predicted"], "#0072B2", "#009E73", "#CC79A7", "#E69F00", "#56B4E9"]
    for kind, column, drawings, names in series:
        for index, name in enumerate(names):
            shape = _closed(drawings[-1, index])
            trace = spec.add(scatter(x=shape[:, 0], y=shape[:, 1], mode="lines+markers", name=name, legendgroup=kind,
                                     marker={"size": 8},
                                     line={"width": 3, "color": palette[(index + column) % len(palette)]}),
                             cells[(1, column + 1)])
            animated.append((trace, drawings[:, index]))
    for column in (1, 2):
        cell = cells[(1, column)]
        spec.update_axes("x", {"range": [-0.1, 1.1], "title": {"text": "x"}}, cell)
        spec.update_axes("y", {"range": [-0.1, 1.1], "title": {"text": "y"}, "scaleanchor": cell[0]}, cell)
    cursor, cursors = _loss_panel(spec, cells[(2, 1)], curve, examples, pinned_curve=pinned_curve)
    spec.update_axes("x", {"title": {"text": "training rectangles seen"}}, cells[(2, 1)])
    frames = []
    for k, moment in enumerate(cursors):
        frame = []
        for _, drawings in animated:
            shape = _closed(drawings[k])
            frame.append({"x": list(map(float, shape[:, 0])), "y": list(map(float, shape[:, 1]))})
        frames.append([*frame, moment])
    _finish(spec, title, 760)
    # A vertical legend at the right: across the top it would cover the panels' titles.
    spec.update_layout({"legend": {"orientation": "v", "x": 1.02, "xanchor": "left", "y": 1.0, "yanchor": "top"},
                        "margin": {"r": 230}})
    add_animation(spec, frames, traces=[index for index, _ in animated] + [cursor], labels=labels, active=active,
                  texts=texts)
    return spec.figure()


def legend_below(fig: go.Figure) -> go.Figure:
    """A still rectangles figure (`figures.rectangles_figure`, no play controls) with its legend under the axes,
    where no title or panel title is: at the top a legend of five drawings runs into the title."""
    spec = Spec.of(fig)
    return spec.update_layout({"legend": {"orientation": "h", "x": 0.0, "xanchor": "left", "y": -0.18,
                                          "yanchor": "top"},
                               "margin": {"b": 150}, "height": (spec.layout.get("height") or 480) + 90}).figure()


def cells_replay_figure(examples, errors: dict, gradients: dict, *, labels: list[str], title: str,
                        texts: dict | None = None, active: int | None = None, marked_step: int | None = None,
                        guess: float | None = None, error_title: str = "held-out error",
                        gradient_title: str = "gradient norm per input step (log scale)") -> go.Figure:
    """Each cell's gradient profile (`gradients[cell]` (K, length)) and held-out error (`errors[cell]` (K,)) at each
    moment: watch which cell keeps a gradient at the early steps as it learns. `guess` marks the error of always
    answering the mean."""
    from .concepts import _color

    cells = list(errors)
    spec, panels = grid(1, 2, (gradient_title, error_title), column_widths=[0.64, 0.36], horizontal_spacing=0.1)
    profile_panel, error_panel = panels[(1, 1)], panels[(1, 2)]
    profiles = {cell: np.maximum(np.asarray(gradients[cell], dtype=float), 1e-30) for cell in cells}
    for index, cell in enumerate(cells):
        spec.add(scatter(x=np.arange(profiles[cell].shape[1]), y=profiles[cell][-1], mode="lines", name=cell,
                         line={"color": _color(cell, index), "width": 3}), profile_panel)
    values = np.asarray([errors[cell] for cell in cells], dtype=float)  # (cells, K)
    bars = spec.add(bar(x=cells, y=values[:, -1], marker={"color": [_color(c, i) for i, c in enumerate(cells)]},
                        text=[f"{v:.3f}" for v in values[:, -1]], textposition="outside", showlegend=False),
                    error_panel)
    if marked_step is not None:
        spec.add_vline(marked_step, {"dash": "dot", "color": COLORS["input"]}, profile_panel)
    if guess is not None:
        spec.add_hline(guess, {"dash": "dash", "color": COLORS["input"]}, error_panel, label="guessing",
                       position="top left")
    every = np.concatenate([p.ravel() for p in profiles.values()])
    every = every[np.isfinite(every) & (every > 1e-30)]
    low, high = (np.log10(every.min()) - 0.3, np.log10(every.max()) + 0.3) if len(every) else (-8, 1)
    spec.update_axes("y", {"type": "log", "range": [low, high], **log_tick_labels(every)}, profile_panel)
    spec.update_axes("x", {"title": {"text": "time step of the input"}}, profile_panel)
    top = float(np.nanmax(np.append(values[np.isfinite(values)], guess or 0))) if np.isfinite(values).any() else 1.0
    spec.update_axes("y", {"range": [0, top * 1.25]}, error_panel)
    frames = [[*({"y": profiles[cell][k].tolist()} for cell in cells),
               {"y": values[:, k].tolist(), "text": [f"{v:.3f}" for v in values[:, k]]}]
              for k in range(len(examples))]
    add_animation(_finish(spec, title, 560), frames, traces=[*range(len(cells)), bars], labels=labels, active=active,
                  texts=texts, redraw=True)
    return spec.figure()


def forecast_replay_figure(inputs, truth, forecasts: list[dict], *, labels: list[str], title: str,
                           names: dict | None = None, texts: dict | None = None, active: int | None = None,
                           focus: int = 25) -> go.Figure:
    """Each strategy's forecast of one wave at each moment (`forecasts[k]` {strategy: (H,)}), on axes that hold
    every moment's forecasts."""
    from .concepts import _forecast

    spec = _forecast(inputs, truth, forecasts[-1], labels=names, title=title, focus=focus)
    strategies = list(forecasts[-1])
    first = len(spec.data) - len(strategies)
    inputs, truth = np.asarray(inputs, dtype=float).ravel(), np.asarray(truth, dtype=float).ravel()
    shown = np.concatenate([inputs[-focus:], truth, *[np.asarray(f[s], dtype=float).ravel() for f in forecasts
                                                      for s in strategies]])
    shown = np.clip(shown[np.isfinite(shown)], -1.5, 2.5)
    low, high = float(shown.min()), float(shown.max())
    pad = max(0.02, 0.1 * (high - low))
    spec.update_axes("y", {"range": [low - pad, high + pad]})
    # The legend above the chart: below it, where the still figure keeps it, sit the play buttons and the slider.
    spec.update_layout({"margin": {"t": 120, "b": 150}, "height": spec.layout["height"] + 60,
                        "legend": {"orientation": "h", "x": 1.0, "xanchor": "right", "y": 1.02, "yanchor": "bottom"}})
    frames = [[{"y": np.asarray(moment[s], dtype=float).ravel().tolist()} for s in strategies] for moment in forecasts]
    add_animation(spec, frames, traces=list(range(first, len(spec.data))), labels=labels, active=active, texts=texts)
    return spec.figure()


def errors_figure(errors: dict, *, title: str, guess: float | None = None,
                  error_title: str = "held-out error") -> go.Figure:
    """One bar per model: its held-out error now (a live training's view)."""
    from .concepts import _color

    names = list(errors)
    spec = Spec()
    spec.add(bar(x=names, y=[errors[n] for n in names], text=[f"{errors[n]:.3f}" for n in names],
                 textposition="outside", marker={"color": [_color(n, i) for i, n in enumerate(names)]}))
    if guess is not None:
        spec.add_hline(guess, {"dash": "dash", "color": COLORS["input"]}, label="guessing", position="top left")
    top = max([v for v in errors.values() if np.isfinite(v)] + [guess or 0, 1e-3])
    spec.update_axes("y", {"range": [0, top * 1.25], "title": {"text": error_title}})
    spec.update_layout({"title": {"text": title}, "height": 380, "font": {"size": FONT_SIZE}, "showlegend": False,
                        "margin": {"l": 60, "r": 20, "t": 60, "b": 40}})
    readable_layout(spec.layout)
    return spec.figure()
