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

Every figure is written as plain dicts (a `Spec`: traces, layout, animation
frames) and handed to Plotly once, in one `go.Figure(data=, layout=,
frames=)` that validates all of it: the figure one built call by call
(`make_subplots`, `add_trace`, `update_xaxes(title_text=...)`, `add_vline`)
would be, at a fifth to a tenth of the cost, a third for an animated figure
(whose frames Plotly still validates one by one; `benchmarks/figures.py`).
`grid`, `merge`, `Spec.add_vline` and the others stand in for Plotly's own
calls and are tested against them. A server skips even that one validation,
frames included (`VALIDATE`, set off by `ui/cache.py`: the largest part of a
slider move's page run); the tests build every figure with it and check that
the JSON is the same without it.
"""

from __future__ import annotations

import copy
import functools
import json

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
from plotly.subplots import make_subplots

# The default template is applied without re-validating it: 2 ms a figure instead of the ~25 ms
# of `template="plotly_white"` on each (measured in benchmarks/app_reruns.py). Same JSON.
pio.templates.default = "plotly_white"

VALIDATE = True  # validate every figure as it is built (a server skips it: ui/cache.py)

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


class Spec:
    """A figure being built as plain dicts: its traces, layout and animation frames, written as nested dicts
    (`{"title": {"text": ...}}`, never `title_text` nor the shorthand `"title": "..."`, which `merge` would not
    merge as Plotly does) and handed to Plotly once, by `figure()`.

    Building a figure through Plotly's objects validates it again at each step (`add_trace`, `update_layout`
    and `update_xaxes` each parse their `title_font_size` paths, copy and check), and every lesson builds its
    figures on every rerun, holding the interpreter lock every student's page run needs. One `go.Figure(data=,
    layout=, frames=)` validates everything once, with the same checks: the same figure, 5 to 10 times sooner,
    3 times for an animated one (Plotly still validates each frame's traces one by one)."""

    def __init__(self, layout: dict | None = None):
        self.data: list[dict] = []
        self.layout: dict = layout if layout is not None else {}
        self.frames: list[dict] = []

    @classmethod
    def of(cls, fig: go.Figure) -> Spec:
        """A built figure as plain dicts again, to add to it and build it once more."""
        if isinstance(fig, Prebuilt):  # its dicts, copied: the figure it came from stays as it was
            spec = cls({key: value for key, value in copy.deepcopy(fig.spec["layout"]).items() if key != "template"})
            spec.data, spec.frames = copy.deepcopy(fig.spec["data"]), copy.deepcopy(fig.spec.get("frames", []))
            return spec
        layout = fig.layout.to_plotly_json()
        if fig.layout.template == pio.templates[pio.templates.default]:
            layout.pop("template")  # go.Figure puts the default back without validating it again (see above)
        spec = cls(layout)
        spec.data = [trace.to_plotly_json() for trace in fig.data]
        spec.frames = [frame.to_plotly_json() for frame in fig.frames]
        return spec

    def add(self, trace: dict, cell: tuple[str, str] | None = None) -> int:
        """Append `trace`, on the subplot whose axes are `cell` (`("x2", "y2")`, from `grid`); its index."""
        self.data.append(trace if cell is None else {**trace, "xaxis": cell[0], "yaxis": cell[1]})
        return len(self.data) - 1

    def update_layout(self, update: dict) -> Spec:
        merge(self.layout, update)
        return self

    def update_axes(self, letter: str, update: dict, cell: tuple[str, str] | None = None) -> Spec:
        """Merge `update` into the `letter` ("x" or "y") axis of `cell`, or, without a cell, into every axis of
        that letter (`xaxis` always, as `update_xaxes` does)."""
        if cell is not None:
            names = [axis_name(cell[0 if letter == "x" else 1])]
        else:
            names = [f"{letter}axis"] + [key for key in self.layout if key.startswith(f"{letter}axis")
                                         and key != f"{letter}axis"]
        for name in names:
            merge(self.layout.setdefault(name, {}), update)
        return self

    def add_shape(self, shape: dict) -> Spec:
        self.layout.setdefault("shapes", []).append(shape)
        return self

    def add_annotation(self, annotation: dict) -> Spec:
        self.layout.setdefault("annotations", []).append(annotation)
        return self

    def add_vline(self, x, line: dict, cell: tuple[str, str] = ("x", "y"), label: str | None = None,
                  position: str = "top right") -> Spec:
        """What `fig.add_vline` adds (with `row`/`col` for `cell`, `annotation_text=label` at `position`): a vertical
        line across the whole height of the panel, and its label."""
        self.add_shape({"type": "line", "line": line, "x0": x, "x1": x, "xref": cell[0], "y0": 0, "y1": 1,
                        "yref": f"{cell[1]} domain"})
        if label is not None:
            top, left = _corner(position)
            self.add_annotation({"text": label, "showarrow": False, "x": x, "xanchor": "right" if left else "left",
                                 "xref": cell[0], "y": 1 if top else 0, "yanchor": "top" if top else "bottom",
                                 "yref": f"{cell[1]} domain"})
        return self

    def add_hline(self, y, line: dict, cell: tuple[str, str] = ("x", "y"), label: str | None = None,
                  position: str = "top right") -> Spec:
        """What `fig.add_hline` adds (as `add_vline`): a horizontal line across the whole width, and its label."""
        self.add_shape({"type": "line", "line": line, "x0": 0, "x1": 1, "xref": f"{cell[0]} domain", "y0": y, "y1": y,
                        "yref": cell[1]})
        if label is not None:
            top, left = _corner(position)
            self.add_annotation({"text": label, "showarrow": False, "x": 0 if left else 1,
                                 "xanchor": "left" if left else "right", "xref": f"{cell[0]} domain", "y": y,
                                 "yanchor": "bottom" if top else "top", "yref": cell[1]})
        return self

    def add_vrect(self, x0, x1, style: dict, cell: tuple[str, str] = ("x", "y"), label: str | None = None,
                  position: str = "top right") -> Spec:
        """What `fig.add_vrect` adds (as `add_vline`, `style` its fill, line and layer): a band across the whole
        height, and its label inside it."""
        self.add_shape({"type": "rect", "x0": x0, "x1": x1, "xref": cell[0], "y0": 0, "y1": 1,
                        "yref": f"{cell[1]} domain", **style})
        if label is not None:
            top, left = _corner(position)
            self.add_annotation({"text": label, "showarrow": False, "x": min(x0, x1) if left else max(x0, x1),
                                 "xanchor": "left" if left else "right", "xref": cell[0], "y": 1 if top else 0,
                                 "yanchor": "top" if top else "bottom", "yref": f"{cell[1]} domain"})
        return self

    def figure(self) -> go.Figure:
        """The Plotly figure, every trace, the layout and every frame validated once (unless `VALIDATE` is off:
        then the dicts themselves, as a `Prebuilt` figure)."""
        if VALIDATE:
            return go.Figure(data=self.data, layout=self.layout, frames=self.frames or None)
        figure = {"data": _typed({"data": self.data})["data"], "layout": self.layout}
        if self.frames:
            figure["frames"] = [_typed(frame) for frame in self.frames]
        return Prebuilt(figure)


class Prebuilt(go.Figure):
    """A figure already in the form Plotly sends: what `Spec.figure()` gives a server (`VALIDATE` off).

    `go.Figure` makes an object of every trace and frame, and its `to_dict`, which `st.plotly_chart` calls,
    copies the whole figure again, on every slider move (`benchmarks/slider_moves.py` measures what it costs).
    This figure keeps the dicts `Spec` made and gives them as they are, with the default template, as
    `go.Figure` adds it, and arrays in Plotly's base64 form (converted in place: a figure shared by several
    students is converted once). `tests/core/test_figures.py` checks Streamlit sends the same JSON as for the
    validated figure. Only `to_dict` (and what Plotly builds on it: `to_json`, `to_html`) and `data` are meant to
    be used; `Spec.of` makes a `Spec` of it again.
    """

    def __init__(self, spec: dict):  # not go.Figure's: nothing is built
        self.__dict__["spec"] = spec

    def to_dict(self) -> dict:
        from _plotly_utils.utils import convert_to_base64

        spec = self.spec
        if "template" not in spec["layout"] and pio.templates.default:
            spec = {**spec, "layout": {**spec["layout"], "template": _template(pio.templates.default)}}
        convert_to_base64(spec)
        return spec

    def to_plotly_json(self) -> dict:
        return self.to_dict()

    @property
    def data(self) -> tuple:
        """The traces, as dicts (a page counts them)."""
        return tuple(self.spec["data"])


@functools.cache
def _template(name: str) -> dict:
    return pio.templates[name].to_plotly_json()


def _typed(frame: dict) -> dict:
    """A frame whose traces name their type, as validation names them (a trace without one is a scatter)."""
    if all("type" in trace for trace in frame.get("data", ())):
        return frame
    return {**frame, "data": [trace if "type" in trace else {"type": "scatter", **trace} for trace in frame["data"]]}


@functools.cache
def _colorscale(name: str) -> tuple:
    from _plotly_utils.basevalidators import ColorscaleValidator  # what validation makes of a name, to the last digit

    return tuple((position, color) for position, color in ColorscaleValidator("colorscale", "").validate_coerce(name))


def colorscale(name: str) -> list:
    """A named Plotly colour scale as the `[position, colour]` list Plotly's validation would make of the name
    (a figure built without validation must send the same)."""
    return [[position, color] for position, color in _colorscale(name)]


def scatter(**properties) -> dict:
    return {"type": "scatter", **properties}


def bar(**properties) -> dict:
    return {"type": "bar", **properties}


def merge(target: dict, update: dict) -> dict:
    """`update` written into `target` as Plotly's `update_layout` and `trace.update` write it: a dict into a dict
    key by key, anything else replacing what is there unless equal to it (Plotly then keeps the value it has: a
    numpy array stays an array, an int an int). What is written is a copy: a dict passed twice is never shared."""
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            target[key] = merge(dict(target[key]), value)  # a copy: the dict there may be shared (a style constant)
        elif key not in target or not _equal(target[key], value):
            target[key] = copy.deepcopy(value) if isinstance(value, (dict, list)) else value
    return target


def _equal(one, other) -> bool:
    """Plotly's equality of two property values (`BasePlotlyType._vals_equal`): numpy arrays by their items,
    lists, tuples and dicts item by item."""
    if isinstance(one, np.ndarray) or isinstance(other, np.ndarray):
        return bool(np.array_equal(one, other))
    if isinstance(one, (list, tuple)):
        return (isinstance(other, (list, tuple)) and len(one) == len(other)
                and all(_equal(a, b) for a, b in zip(one, other)))
    if isinstance(one, dict):
        return (isinstance(other, dict) and one.keys() == other.keys()
                and all(_equal(one[key], other[key]) for key in one))
    return one == other


def _corner(position: str) -> tuple[bool, bool]:
    """(top?, left?) of a label's `annotation_position`: the four corners are the positions drawn here."""
    if position not in ("top left", "top right", "bottom left", "bottom right"):
        raise ValueError(f"a label goes in a corner, not at {position!r}")
    return position.startswith("top"), position.endswith("left")


def axis_name(reference: str) -> str:
    """The layout key of an axis reference: "x" -> "xaxis", "y2" -> "yaxis2"."""
    return f"{reference[0]}axis{reference[1:]}"


@functools.lru_cache(maxsize=64)
def _grid(options: str) -> tuple[dict, dict]:
    """`make_subplots(**options)`'s layout (without the template, which `go.Figure` adds) and each cell's axes."""
    options = json.loads(options)
    fig = make_subplots(**options)
    layout = fig.layout.to_plotly_json()
    layout.pop("template", None)
    cells = {}
    for row in range(1, options["rows"] + 1):
        for col in range(1, options["cols"] + 1):
            subplot = fig.get_subplot(row, col)
            if subplot is not None:
                cells[(row, col)] = (subplot.xaxis.plotly_name.replace("axis", ""),
                                     subplot.yaxis.plotly_name.replace("axis", ""))
    return layout, cells


def grid(rows: int, cols: int, titles=(), **options) -> tuple[Spec, dict]:
    """A `Spec` laid out exactly as `make_subplots(rows, cols, subplot_titles=titles, **options)` lays out a
    figure, and the axes of each `(row, col)` (for `Spec.add`). The layout is computed once per arrangement
    (make_subplots takes ~30 ms a call) and the titles, which change with the page's language and numbers,
    written in: a panel's title is an annotation, one per non-empty title, in order."""
    placeholders = ["title" if title else "" for title in titles]
    key = json.dumps({"rows": rows, "cols": cols, **({"subplot_titles": placeholders} if titles else {}), **options},
                     sort_keys=True)
    layout, cells = _grid(key)
    layout = copy.deepcopy(layout)
    for annotation, title in zip(layout.get("annotations", []), [title for title in titles if title]):
        annotation["text"] = title
    return Spec(layout), cells


def _font_size(owner: dict, key: str, size: int) -> None:
    """`owner[key]["size"]` set to `size` unless it has one."""
    font = owner.setdefault(key, {})
    font["size"] = font.get("size") or size


def readable_layout(layout: dict) -> dict:
    """Give every axis's tick labels and title, the legend and a shared colour bar a size of their own (unless
    already set). Streamlit's chart theme sets them to 13.5 px as template defaults, which beat the figure's
    `font` but not the figure's own values. Call it once the layout has all its axes."""
    names = ["xaxis", "yaxis"] + [key for key in layout if key.startswith(("xaxis", "yaxis"))
                                  and key not in ("xaxis", "yaxis")]
    for name in names:
        axis = layout.setdefault(name, {})
        _font_size(axis, "tickfont", MIN_FONT_SIZE)
        _font_size(axis.setdefault("title", {}), "font", FONT_SIZE)
    _font_size(layout.setdefault("legend", {}), "font", MIN_FONT_SIZE)
    if layout.get("coloraxis"):
        colorbar = layout["coloraxis"].setdefault("colorbar", {})
        _font_size(colorbar, "tickfont", MIN_FONT_SIZE)
        _font_size(colorbar.setdefault("title", {}), "font", MIN_FONT_SIZE)
    return layout


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


def _layout(spec: Spec, title: str, x_title: str, y_title: str, height: int = 420) -> Spec:
    spec.update_layout({"title": {"text": title}, "height": height, "font": {"size": FONT_SIZE},
                        "margin": {"l": 60, "r": 20, "t": 60, "b": 50},
                        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1.0}})
    spec.update_axes("x", {"title": {"text": x_title}})
    spec.update_axes("y", {"title": {"text": y_title}})
    readable_layout(spec.layout)
    return spec


def sine_prediction_figure(inputs, expected, predicted=None, *, title: str = "Damped sine wave",
                           pinned=None, pinned_label: str = "pinned prediction") -> go.Figure:
    """The input steps, the expected next values and the model's prediction of them.

    A dotted vertical line marks where the input ends and the output begins.
    `pinned` is an earlier prediction to show faded beside the current one.
    """
    inputs, expected = np.asarray(inputs).ravel(), np.asarray(expected).ravel()
    length = len(inputs)
    out_steps = np.arange(length, length + len(expected))
    spec = Spec()
    spec.add(scatter(x=np.arange(length), y=inputs, mode="lines+markers", name="input",
                     line={"color": COLORS["input"]}, marker={"size": 5}))
    # Expected values as open circles, predictions as smaller dots: where they agree, both stay visible.
    spec.add(scatter(x=out_steps, y=expected, mode="lines+markers", name="expected",
                     line={"color": COLORS["expected"], "width": 3},
                     marker={"symbol": "circle-open", "size": 11, "line": {"width": 2.5}}))
    if pinned is not None:
        spec.add(scatter(x=out_steps, y=np.asarray(pinned).ravel(), mode="lines+markers", name=pinned_label,
                         opacity=0.45, line={"color": COLORS["pinned"], "dash": "dot", "width": 3}))
    if predicted is not None:
        spec.add(scatter(x=out_steps, y=np.asarray(predicted).ravel(), mode="lines+markers", name="predicted",
                         line={"color": COLORS["predicted"], "width": 2, "dash": "dash"}, marker={"size": 7}))
    spec.add_vline(length - 0.5, {"dash": "dot", "color": "#888"})
    spec.add_annotation({"x": length - 0.5, "y": 1.08, "text": "input | output", "showarrow": False, "yref": "y"})
    spec.update_axes("y", {"range": [-0.05, 1.15]})
    return _layout(spec, title, "time step", "value").figure()


def loss_figure(history=None, curve=None, *, title: str = "Training loss (MAE)", pinned=None,
                x_title: str | None = None) -> go.Figure:
    """Training loss: a fine curve `[[examples seen, loss], ...]` and/or one point per epoch.

    `history` is the loss at the end of each epoch (x = epoch); `curve` wins
    the x axis when given (x = examples seen); `x_title` renames the x axis.
    """
    spec = Spec()
    if pinned is not None and len(pinned):
        p = np.asarray(pinned, dtype=float)
        spec.add(scatter(x=p[:, 0], y=p[:, 1], mode="lines", name="pinned run", opacity=0.45,
                         line={"color": COLORS["pinned"], "dash": "dot"}))
    if curve is not None and len(curve):
        c = np.asarray(curve, dtype=float)
        spec.add(scatter(x=c[:, 0], y=c[:, 1], mode="lines", name="training loss",
                         line={"color": COLORS["training"], "width": 3}))
        default_x = "training examples seen"
    else:
        h = np.asarray(history if history is not None else [], dtype=float)
        spec.add(scatter(x=np.arange(1, len(h) + 1), y=h, mode="lines+markers", name="loss per epoch",
                         line={"color": COLORS["training"], "width": 3}, marker={"size": 10}))
        default_x = "epoch"
    return _layout(spec, title, x_title or default_x, "mean absolute error", height=340).figure()


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
    spec = Spec()
    if pinned is not None:
        for i, drawing in enumerate(np.asarray(pinned, dtype=float).reshape(-1, 4, 2)):
            closed = _closed(drawing)
            spec.add(scatter(x=closed[:, 0], y=closed[:, 1], mode="lines", opacity=0.4, name="pinned run",
                             showlegend=i == 0, legendgroup="pinned",
                             line={"color": COLORS["pinned"], "dash": "dot", "width": 3}))
    for i, (drawing, label) in enumerate(zip(drawings, labels)):
        closed = _closed(drawing)
        color = SERIES[i % len(SERIES)]
        spec.add(scatter(x=closed[:, 0], y=closed[:, 1], mode="lines+markers", name=label, fill="toself",
                         opacity=0.85, line={"color": color, "width": 3}, marker={"size": [12, 8, 8, 8, 0]}))
    spec.update_axes("x", {"range": [-0.1, 1.1], "constrain": "domain"})
    spec.update_axes("y", {"range": [-0.1, 1.1], "scaleanchor": "x", "scaleratio": 1})
    return _layout(spec, title, "x", "y", height=height).figure()


def layer_table_rows(rows) -> list[dict]:
    """Layer rows ready for a table: output shapes as text, plus a total row."""
    table = [{"layer": r["layer"], "output shape": str(tuple(r["output_shape"])).replace("None", "batch"),
              "parameters": int(r["parameters"])} for r in rows]
    table.append({"layer": "total", "output shape": "", "parameters": sum(r["parameters"] for r in table)})
    return table
