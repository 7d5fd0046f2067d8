"""figures: pure functions from arrays to Plotly figures (base, concept lessons, training-size lab), built as plain
dicts by helpers that must write what Plotly's own calls write (`make_subplots`, `add_vline`, `update_layout`)."""

import json
import math

import numpy as np

from lstm_core import figures
from lstm_core.figures import concepts
from lstm_core.figures import ladder as ladder_figures
from lstm_core.ladder import Rung
from lstm_core.problems import SHAPES, unrolled


def rungs(sizes, errors):
    return [Rung(size=s, error=e, epochs=1, seconds=1.0, source="trained") for s, e in zip(sizes, errors)]


def test_a_diagram_draws_one_cell_per_step_and_one_loss_box_per_output_in_the_loss():
    for shape in SHAPES:
        diagram = unrolled(shape, 5, feedback=True)
        figure = concepts.unrolled_figure(diagram)
        loss_boxes = [a for a in figure.layout.annotations if a.text == "loss"]
        assert len(loss_boxes) == sum(diagram.loss), shape
        cells = [s for s in figure.layout.shapes if s.type == "rect" and s.y0 == -0.3]
        assert len(cells) == diagram.steps
        fed_back = [s for s in figure.layout.shapes if s.type == "path"]
        assert len(fed_back) == sum(diagram.fed_back)
        assert ("output fed back as input" in [t.name for t in figure.data]) == any(diagram.fed_back)


def test_the_training_size_lab_has_one_panel_and_one_curve_point_per_size():
    sizes, errors = [100, 500, 1_000, 5_000, 10_000, 25_000], [0.4, 0.2, 0.1, 0.05, 0.03, 0.02]
    ladder_rungs = rungs(sizes, errors)
    free = np.tile(np.array([[0, 0], [0.5, 0], [0.5, 0.5], [0, 0.5]], float), (6, 1, 1))
    completed = np.tile(free[:1], (6, 3, 1, 1))
    figure = ladder_figures.rectangle_panels_figure(ladder_rungs, free, completed)
    titles = [a.text for a in figure.layout.annotations]
    assert [t.split()[0] for t in titles] == [f"{s:,}" for s in sizes]
    assert figure.layout.xaxis6.range == (-0.1, 1.1) and figure.layout.yaxis.range == (-0.1, 1.1)
    free_traces = [t for t in figure.data if t.name == "drawn from [0, 0]"]
    assert len(free_traces) == 6 and sum(t.showlegend for t in free_traces) == 1
    translated = ladder_figures.rectangle_panels_figure(ladder_rungs, free, completed, titles=list("abcdef"))
    assert [a.text for a in translated.layout.annotations] == list("abcdef")

    inputs, expected = np.linspace(0, 1, 50), np.linspace(1, 0, 5)
    sine = ladder_figures.sine_panels_figure(ladder_rungs[:3], inputs, expected, [expected + 0.1] * 3)
    assert len([t for t in sine.data if t.name == "predicted"]) == 3
    y_ranges = {tuple(sine.layout[f"yaxis{'' if i == 0 else i + 1}"].range) for i in range(3)}
    assert len(y_ranges) == 1  # the same axes in every panel
    assert len(sine.layout.annotations) >= 3

    curve = ladder_figures.error_curve_figure("sine", ladder_rungs)
    assert list(curve.data[0].x) == sizes and list(curve.data[0].y) == errors
    assert curve.layout.xaxis.type == "log"
    assert [shape.y0 for shape in curve.layout.shapes] == [ladder_figures.BOOK_SINE_MAE]  # the book's MAE line
    assert not ladder_figures.error_curve_figure("rectangles", ladder_rungs).layout.shapes


def test_the_loss_figure_prefers_the_fine_curve_and_fades_a_pinned_run():
    by_epoch = figures.loss_figure([0.3, 0.2, 0.1])
    assert list(by_epoch.data[0].x) == [1, 2, 3] and by_epoch.layout.xaxis.title.text == "epoch"
    curve = figures.loss_figure([0.3], curve=[[20, 0.5], [40, 0.25]], pinned=[[20, 0.6], [40, 0.4]])
    assert [t.name for t in curve.data] == ["pinned run", "training loss"]
    assert list(curve.data[1].x) == [20, 40] and curve.layout.xaxis.title.text == "training examples seen"


def test_rectangles_are_drawn_closed_on_the_books_axes():
    drawing = np.array([[0, 0], [0.5, 0], [0.5, 0.4], [0, 0.4]])
    figure = figures.rectangles_figure([drawing], ["one"])
    assert list(figure.data[0].x) == [0, 0.5, 0.5, 0, 0] and list(figure.data[0].y) == [0, 0, 0.4, 0.4, 0]
    assert figure.layout.xaxis.range == (-0.1, 1.1)


def test_a_layer_table_gets_a_total_row_and_readable_shapes():
    rows = figures.layer_table_rows([{"layer": "lstm_1", "output_shape": (None, 50, 20), "parameters": 1760},
                                     {"layer": "dense", "output_shape": (None, 5), "parameters": 105}])
    assert rows[0]["output shape"] == "(batch, 50, 20)"
    assert rows[-1] == {"layer": "total", "output shape": "", "parameters": 1865}


def test_a_diverged_step_is_marked_and_non_finite_values_are_not_drawn():
    steps = np.arange(1, 6)
    losses = np.array([1.0, 10.0, 1e6, math.inf, math.nan])
    figure = concepts.explode_figure(steps, losses, losses, diverged_step=4, message="overflow at step 4")
    assert [list(trace.x) for trace in figure.data] == [[1, 2, 3], [1, 2, 3]]
    assert "overflow at step 4" in [a.text for a in figure.layout.annotations]
    assert not concepts.explode_figure(steps[:3], losses[:3], losses[:3]).layout.annotations
    curves = concepts.curves_figure([1, 2], {"LSTM": [0.5, math.nan]}, title="", x_title="", y_title="")
    assert math.isnan(curves.data[0].y[1])  # a gap, never drawn as zero


def test_a_curves_figures_points_and_mark_are_what_plotlys_own_calls_add():
    series, labels = {"seq2seq": [0.3, 0.2, 0.1]}, {"seq2seq": "seq2seq", "vector": "vector output"}
    built = concepts.curves_figure([1, 2, 3], series, title="t", x_title="x", y_title="y", labels=labels,
                                   points={"vector": (3, 0.25)}, mark=(2, "window"))
    by_hand = concepts.curves_figure([1, 2, 3], series, title="t", x_title="x", y_title="y", labels=labels)
    by_hand.add_scatter(x=[3], y=[0.25], mode="markers", name="vector output",
                        marker={"size": 14, "symbol": "diamond", "color": concepts.MODEL_COLORS["vector"]})
    by_hand.add_vline(x=2, line={"dash": "dot", "color": "#888"})
    by_hand.add_annotation(x=2, y=1.02, yref="paper", text="window", showarrow=False)
    assert _canonical(built) == _canonical(by_hand)
    assert figures.loss_figure([0.3], [[20, 0.5]], x_title="rectangles seen").layout.xaxis.title.text == "rectangles seen"


# -- every figure readable on a projector -----------------------------------------------------------------------

def _steps(units: int = 3, length: int = 12):
    from lstm_core import stepper

    rng = np.random.default_rng(0)
    return stepper.layer_steps(rng.normal(size=(1, 4 * units)), rng.normal(size=(units, 4 * units)) * 0.3,
                               rng.normal(size=4 * units) * 0.1, rng.random((length, 1)))


def _builders() -> dict:
    """Every figure function of `lstm_core.figures`, by `module.name`, each with tiny fake data."""
    from lstm_core import board as class_board
    from lstm_core.experiments import SineConfig
    from lstm_core.figures import base, board, cell, replay, sequence_models, through_time

    rng = np.random.default_rng(0)
    wave, expected = rng.random(50), rng.random(5)
    moments, examples = rng.random((6, 5)), np.array([20, 40, 80, 160, 320, 640])
    curve = np.c_[np.linspace(20, 640, 8), np.linspace(0.3, 0.05, 8)]
    drawing = np.array([[0, 0], [0.5, 0], [0.5, 0.4], [0, 0.4]], float)
    profiles = {cell_name: rng.random(20) for cell_name in ("SimpleRNN", "GRU", "LSTM")}
    ladder_rungs = rungs([100, 500, 1_000], [0.3, 0.1, 0.05])
    labels = [f"after {n}" for n in examples]
    board_rows = [class_board.Row(f"k{units}", "sine", SineConfig(units=units, train_size=size), error, units * 100,
                                  1.0, 0.0) for units, size, error in ((4, 1_000, 0.05), (20, 10_000, 0.02))]
    return {
        "board.board_figure": lambda: board.board_figure(board_rows, board_rows, ["a", "b"],
                                                         book={"parameters": 5_145, "error": 0.0217}),
        "base.sine_prediction_figure": lambda: base.sine_prediction_figure(wave, expected, expected + 0.1,
                                                                           pinned=expected - 0.1),
        "base.loss_figure": lambda: base.loss_figure([0.3, 0.1], curve, pinned=curve),
        "base.loss_figure (x_title)": lambda: base.loss_figure([0.3, 0.1], curve, x_title="rectangles seen"),
        "base.rectangles_figure": lambda: base.rectangles_figure([drawing, drawing * 0.5], ["a", "b"],
                                                                 pinned=[drawing]),
        "concepts.unrolled_figure": lambda: concepts.unrolled_figure(
            unrolled("many-to-many (unequal lengths)", 5, feedback=True)),
        "concepts.curves_figure": lambda: concepts.curves_figure([1, 2, 3], {"LSTM": [0.3, 0.2, 0.1]}, title="t",
                                                                 x_title="x", y_title="y", log_y=True),
        "concepts.curves_figure (points, mark)": lambda: concepts.curves_figure(
            [1, 2, 3], {"LSTM": [0.3, 0.2, 0.1]}, title="t", x_title="x", y_title="y", points={"vector": (3, 0.2)},
            mark=(2, "window")),
        "concepts.gradient_figure": lambda: concepts.gradient_figure(profiles, profiles, marked_step=5),
        "concepts.explode_figure": lambda: concepts.explode_figure(np.arange(1, 6), [1, 10, 1e3, math.inf, math.nan],
                                                                   [1, 2, 3, 4, 5], diverged_step=4, message="NaN"),
        "concepts.forecast_figure": lambda: concepts.forecast_figure(wave, expected, {"recursive": expected},
                                                                     fan=[(40, expected)], focus=25),
        "concepts.range_figure": lambda: concepts.range_figure(3, 40, 10, 20, 35, name="period"),
        "concepts.sweep_figure": lambda: concepts.sweep_figure([5, 10, 15], {"vector": [0.1, 0.05, 0.2]}, (10, 20),
                                                               15, field="period"),
        "concepts.heatmap_figure": lambda: concepts.heatmap_figure(rng.random((12, 3)), title="t", signed=True),
        "concepts.gates_figure": lambda: concepts.gates_figure(
            {"GRU": {"z": rng.random((12, 3)), "r": rng.random((12, 3))},
             "LSTM": {"f": rng.random((12, 3)), "i": rng.random((12, 3)), "o": rng.random((12, 3))}}, marked_step=4),
        "concepts.units_figure": lambda: concepts.units_figure(wave[:12], rng.random((12, 3)), [0, 2],
                                                               envelope=rng.random(12)),
        "cell.cell_figure": lambda: cell.cell_figure(_steps(), 1, rng.random(12)),
        "cell.gradient_path_figure": lambda: cell.gradient_path_figure(
            {"unit": rng.random(12), "median": rng.random(12), "max": rng.random(12), "SimpleRNN": rng.random(12)},
            marked=5),
        "ladder.rectangle_panels_figure": lambda: ladder_figures.rectangle_panels_figure(
            ladder_rungs, np.tile(drawing, (3, 1, 1)), np.tile(drawing, (3, 2, 1, 1))),
        "ladder.sine_panels_figure": lambda: ladder_figures.sine_panels_figure(ladder_rungs, wave, expected,
                                                                               [expected] * 3),
        "ladder.error_curve_figure": lambda: ladder_figures.error_curve_figure("sine", ladder_rungs),
        "replay.sine_replay_figure": lambda: replay.sine_replay_figure(wave, expected, moments, examples, curve,
                                                                       labels=labels, title="t", pinned=expected),
        "replay.rectangles_replay_figure": lambda: replay.rectangles_replay_figure(
            np.tile(drawing, (6, 1, 1)), np.tile(drawing, (6, 2, 1, 1)), examples, curve, labels=labels, title="t",
            completed_labels=["a", "b"]),
        "replay.cells_replay_figure": lambda: replay.cells_replay_figure(
            examples, {c: rng.random(6) for c in profiles}, {c: rng.random((6, 20)) for c in profiles}, labels=labels,
            title="t", marked_step=5, guess=0.25),
        "replay.forecast_replay_figure": lambda: replay.forecast_replay_figure(
            wave, expected, [{"recursive": row, "vector": row} for row in moments], labels=labels, title="t"),
        "replay.errors_figure": lambda: replay.errors_figure({c: 0.1 for c in profiles}, title="t", guess=0.25),
        "sequence_models.gap_figure": lambda: sequence_models.gap_figure(
            wave, 20, {"bidirectional": expected, "interpolation": expected}, labels={"bidirectional": "b"}, title="t"),
        "sequence_models.gap_replay_figure": lambda: sequence_models.gap_replay_figure(
            wave, 20, [{"unidirectional": row, "bidirectional": row} for row in moments], labels={}, title="t",
            moment_labels=labels, still={"interpolation": expected}),
        "sequence_models.forecast_figure": lambda: sequence_models.forecast_figure(
            wave, expected, {"free_running": expected, "teacher_forced": expected}, labels={}, title="t",
            markers_only=("teacher_forced",)),
        "sequence_models.forecast_replay_figure": lambda: sequence_models.forecast_replay_figure(
            wave, expected, [{"encoder_decoder": row, "per_step": row} for row in moments], labels={}, title="t",
            moment_labels=labels),
        "sequence_models.errors_figure": lambda: sequence_models.errors_figure(
            np.arange(1, 6), {"encoder_decoder": expected, "per_step": [0.1, math.nan, 0.2, 0.3, 0.4]}, labels={},
            title="t", x_title="x"),
        "through_time.profile_figure": lambda: through_time.profile_figure(np.arange(20)[::-1], rng.random(20) + 0.5,
                                                                           2.0 ** np.arange(20)[::-1]),
        "through_time.clipping_figure": lambda: through_time.clipping_figure(
            [("without", np.arange(1, 6), [1, 10, 1e3, math.inf, math.nan], [1, 2, 3, 4, 5], 4),
             ("with", np.arange(1, 6), [1, 0.9, 0.8, 0.7, 0.6], [1, 2, 3, 4, 5], None)], clipnorm=1.0),
    }


def figure_functions() -> set[str]:
    """`module.name` of every public `*_figure` function defined in a module of `lstm_core.figures`."""
    import importlib
    import inspect
    import pkgutil

    import lstm_core.figures as package

    found = set()
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        found |= {f"{info.name}.{name}" for name, function in inspect.getmembers(module, inspect.isfunction)
                  if name.endswith("_figure") and not name.startswith("_") and function.__module__ == module.__name__}
    return found


def font_sizes(value, path: str = "", in_font: bool = False) -> list[tuple[str, float]]:
    """Every font size set in a figure's JSON (`(path, size)`), its animation frames included; the template
    (which sets none) and hover labels (read up close, not from the back of the room) left out."""
    found = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key in ("template", "hoverlabel"):
                continue
            if in_font and key == "size" and isinstance(item, (int, float)):
                found.append((path, item))
            found += font_sizes(item, f"{path}.{key}", in_font or "font" in key.lower())
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            found += font_sizes(item, f"{path}[{index}]", in_font)
    return found


def test_every_figure_function_is_built_by_the_font_test():
    missing = figure_functions() - set(_builders())
    assert not missing, f"give these a builder with tiny fake data in _builders(): {sorted(missing)}"


def test_no_text_of_any_figure_is_smaller_than_the_projector_minimum():
    from lstm_core.figures.base import MIN_FONT_SIZE

    wrong = {}
    for name, build in _builders().items():
        spec = build().to_plotly_json()
        # Text without a size of its own takes the figure's font: it must be set (Plotly's default is 12 px).
        small = [(path, size) for path, size in font_sizes(spec) if size < MIN_FONT_SIZE]
        if spec["layout"].get("font", {}).get("size", 0) < MIN_FONT_SIZE:
            small.append(("layout.font", spec["layout"].get("font", {}).get("size", 12)))
        if small:
            wrong[name] = small
    assert not wrong, wrong


def test_every_figure_sizes_the_texts_streamlits_chart_theme_would_shrink():
    """Streamlit's chart theme sets tick labels, the legend and a shared colour bar to 13.5 px as template
    defaults: a figure's own `font` does not reach them, only sizes set on them do (checked in Chromium: the
    figure's value wins over the theme's, the template's does not)."""
    from lstm_core.figures.base import MIN_FONT_SIZE

    wrong = {}
    for name, build in _builders().items():
        layout = build().to_plotly_json()["layout"]
        axes = [key for key in layout if key.startswith(("xaxis", "yaxis"))]
        own = {key: layout[key].get("tickfont", {}).get("size", 0) for key in axes}
        own["legend"] = layout.get("legend", {}).get("font", {}).get("size", 0)
        if layout.get("coloraxis"):
            own["coloraxis"] = layout["coloraxis"].get("colorbar", {}).get("tickfont", {}).get("size", 0)
        small = {key: size for key, size in own.items() if size < MIN_FONT_SIZE}
        # On a log axis Plotly writes its own labels between decades (2, 5) at 3/4 of the tick size: every log
        # axis gives its ticks (`base.log_tick_labels`) or keeps to whole decades.
        loose = [key for key in axes if layout[key].get("type") == "log" and "tickvals" not in layout[key]
                 and not (isinstance(layout[key].get("dtick"), (int, float)) and layout[key]["dtick"] >= 1)]
        if small or loose:
            wrong[name] = {"no size of their own": small, "log axes with small labels": loose}
    assert not wrong, wrong


def test_the_font_check_sees_a_small_tick_an_annotation_and_a_frames_text():
    figure = figures.loss_figure([0.3, 0.2])
    figure.update_xaxes(tickfont={"size": 11})
    figure.add_annotation(text="note", font={"size": 13})
    figure.frames = [{"data": [{"textfont": {"size": 12}}]}]
    sizes = sorted(size for _, size in font_sizes(figure.to_plotly_json()))
    assert sizes[:3] == [11, 12, 13]


def test_the_sine_replay_zooms_on_the_output_window_and_draws_each_steps_error():
    from lstm_core.figures import replay

    expected = np.array([0.50, 0.52, 0.54, 0.56, 0.58])
    predictions = np.array([expected + 0.3, expected + 0.02])  # an early and the trained moment
    figure = replay.sine_replay_figure(np.linspace(0, 1, 50), expected, predictions, [10, 20],
                                       [[10, 0.3], [20, 0.1]], labels=["a", "b"], title="t")
    names = [trace.name for trace in figure.data]
    zoom = [trace for trace in figure.data if trace.xaxis == "x2"]
    assert [trace.marker.symbol for trace in zoom[:1]] == ["circle-open"]  # expected: open, never hidden
    assert zoom[0].marker.size > zoom[1].marker.size  # the prediction's dots are smaller, inside the circles
    bars = next(trace for trace in figure.data if trace.type == "bar")
    np.testing.assert_allclose(bars.y, [0.02] * 5, atol=1e-9)  # |predicted - expected| at each output step
    assert figure.layout.yaxis4.type == "log"
    low, high = figure.layout.yaxis2.range
    assert low <= expected.min() and high >= (expected + 0.02).max() and high - low < 0.3  # zoomed on the window
    early, trained = (frame.layout.yaxis2.range for frame in figure.frames)
    assert early[1] >= (expected + 0.3).max() > trained[1]  # each moment's zoom holds that moment's prediction
    np.testing.assert_allclose(figure.frames[0].data[0].y, expected + 0.3)  # the main panel's prediction first
    assert names.count("predicted") == 2 and names.count("expected") == 2


# -- figures built as plain dicts, validated once: the same figures Plotly's own calls build -----------------------

def _canonical(figure) -> str:
    """A figure's JSON with its keys sorted: the same text for the same figure however it was built (an int stays
    an int, a float a float, a numpy array an encoded array)."""
    import json

    return json.dumps(json.loads(figure.to_json()), sort_keys=True)


GRIDS = [  # the arrangements the figures use, titles and all
    dict(rows=2, cols=2, subplot_titles=("", "zoomed", "", "errors"), row_heights=[0.6, 0.4],
         column_widths=[0.66, 0.34], vertical_spacing=0.2, horizontal_spacing=0.09),
    dict(rows=2, cols=2, subplot_titles=("left", "right"), specs=[[{}, {}], [{"colspan": 2}, None]],
         row_heights=[0.6, 0.4], vertical_spacing=0.16, horizontal_spacing=0.08),
    dict(rows=2, cols=3, subplot_titles=list("abcde"), horizontal_spacing=0.06, vertical_spacing=90 / 850),
    dict(rows=3, cols=2, subplot_titles=["z", "f", "r", "i", "", "o"], horizontal_spacing=0.08, vertical_spacing=0.12),
    dict(rows=1, cols=2, subplot_titles=["before", "after"], shared_yaxes=True, horizontal_spacing=0.04),
    dict(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.1),
]


def test_a_grid_is_laid_out_as_make_subplots_lays_it_out():
    from plotly.subplots import make_subplots

    from lstm_core.figures.base import grid

    for options in GRIDS:
        shape = {key: value for key, value in options.items() if key != "subplot_titles"}
        rows, cols = shape.pop("rows"), shape.pop("cols")
        named = options.get("subplot_titles", ())
        renamed = [f"{title} ({index})" if title else "" for index, title in enumerate(named)]  # other texts
        for titles in (named, renamed):
            expected = make_subplots(rows=rows, cols=cols, **shape, **({"subplot_titles": titles} if titles else {}))
            spec, cells = grid(rows, cols, titles, **shape)
            assert _canonical(spec.figure()) == _canonical(expected), options
            for (row, col), (x, y) in cells.items():
                subplot = expected.get_subplot(row, col)
                assert (subplot.xaxis.plotly_name, subplot.yaxis.plotly_name) == (f"xaxis{x[1:]}", f"yaxis{y[1:]}")
            spec.layout["xaxis"]["domain"] = [0.5, 0.6]  # a grid's layout is the figure's own: the next is intact
            assert grid(rows, cols, titles, **shape)[0].layout["xaxis"]["domain"] != [0.5, 0.6]


def test_lines_bands_and_their_labels_are_what_plotly_adds():
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    from lstm_core.figures.base import Spec, grid

    line = {"dash": "dot", "color": "#888"}
    for corner in ("top left", "top right", "bottom left", "bottom right"):
        for on_grid in (False, True):
            expected = make_subplots(rows=1, cols=2) if on_grid else go.Figure()
            spec, cells = grid(1, 2) if on_grid else (Spec(), {(1, 2): ("x", "y")})
            where = {"row": 1, "col": 2} if on_grid else {}
            expected.add_trace(go.Scatter(x=[0, 4], y=[0, 1]), **where)  # Plotly leaves an empty panel alone
            spec.add({"type": "scatter", "x": [0, 4], "y": [0, 1]}, cells[(1, 2)] if on_grid else None)
            expected.add_vline(x=2.5, line=line, annotation_text="v", annotation_position=corner, **where)
            expected.add_hline(y=0.25, line=line, annotation_text="h", annotation_position=corner, **where)
            expected.add_vrect(x0=3, x1=1, fillcolor="#EEEEEE", opacity=0.5, line_width=0, layer="below",
                               annotation_text="r", annotation_position=corner, **where)
            expected.add_vline(x=1, line=line, **where)
            spec.add_vline(2.5, line, cells[(1, 2)], label="v", position=corner)
            spec.add_hline(0.25, line, cells[(1, 2)], label="h", position=corner)
            spec.add_vrect(3, 1, {"fillcolor": "#EEEEEE", "opacity": 0.5, "line": {"width": 0}, "layer": "below"},
                           cells[(1, 2)], label="r", position=corner)
            spec.add_vline(1, line, cells[(1, 2)])
            assert _canonical(spec.figure()) == _canonical(expected), (corner, on_grid)


def test_merging_a_dict_writes_what_plotlys_updates_write():
    import plotly.graph_objects as go

    from lstm_core.figures.base import Spec, merge

    values = np.array([0.1, 0.2, 0.3])
    updates = [  # (to the trace, to the layout): an equal value (the same numbers, 340.0) leaves the one there
        ({"y": values.tolist(), "marker": {"size": 9}},
         {"title": {"text": "wave"}, "height": 340.0, "legend": {"y": 1.09}}),
        ({"y": [0.1, 0.2, 0.4], "marker": {"line": {"width": 2}}}, {"title": {"font": {"size": 18}}, "height": 400}),
    ]
    expected = go.Figure(go.Scatter(x=np.arange(3), y=values, marker={"size": 7}),
                         layout={"title": {"text": "t", "font": {"size": 16}}, "height": 340,
                                 "legend": {"y": 1.0, "x": 1.0}})
    spec = Spec({"title": {"text": "t", "font": {"size": 16}}, "height": 340, "legend": {"y": 1.0, "x": 1.0}})
    style = {"size": 7}  # a style another trace may share
    spec.add({"type": "scatter", "x": np.arange(3), "y": values, "marker": style})
    for trace_update, layout_update in updates:
        expected.data[0].update(trace_update)
        expected.update_layout(layout_update)
        merge(spec.data[0], trace_update)
        spec.update_layout(layout_update)
        assert _canonical(spec.figure()) == _canonical(expected)
    assert style == {"size": 7}  # written into a copy


def test_a_built_figure_made_plain_dicts_again_is_built_the_same():
    from lstm_core.figures.base import Spec

    for name, build in _builders().items():
        figure = build()
        assert _canonical(Spec.of(figure).figure()) == _canonical(figure), name


def test_every_figure_sends_the_same_json_unvalidated_as_validated(monkeypatch):
    """A server builds figures without Plotly's validation (`base.VALIDATE`): what Streamlit sends of each must
    be what the validated figure gives (a colour scale's name, say, is expanded by validation only)."""
    import plotly.io
    import plotly.tools

    from lstm_core.figures import base

    def sent(figure) -> dict:  # as st.plotly_chart makes its spec (keys may come in another order)
        return json.loads(plotly.io.to_json(plotly.tools.return_figure_from_figure_or_data(
            figure, validate_figure=True), validate=False))

    validated = {name: sent(build()) for name, build in _builders().items()}
    monkeypatch.setattr(base, "VALIDATE", False)
    different = [name for name, build in _builders().items() if sent(build()) != validated[name]]
    assert not different


BUTTON_HEIGHT = 36  # pixels of a play button at the figures' font size, its border included


def test_a_replays_buttons_sit_under_its_slider_inside_the_figure():
    """Beside the slider, a narrow figure's moment label ran under the play buttons: the buttons go under the
    slider's whole-width rail, and the figure keeps the room they need below the plot."""
    animated = {name: build().to_plotly_json()["layout"] for name, build in _builders().items()}
    animated = {name: layout for name, layout in animated.items()
                if layout.get("sliders") and not name.startswith("cell.")}  # the cell stepper's slider is of steps
    assert len(animated) >= 6, sorted(animated)
    for name, layout in animated.items():
        slider, buttons = layout["sliders"][0], layout["updatemenus"][0]
        assert (slider["x"], slider["len"], buttons["x"]) == (0, 1, 0), name
        assert buttons["y"] == slider["y"] and buttons["pad"]["t"] >= slider["pad"]["t"] + 60, name
        margin = layout["margin"]
        plotted = layout["height"] - margin["t"] - margin["b"]
        lowest = -buttons["y"] * plotted + buttons["pad"]["t"] + BUTTON_HEIGHT
        assert lowest <= margin["b"], (name, lowest, margin["b"])


def test_the_sine_replays_legend_hangs_under_its_title_so_a_second_row_grows_away_from_it():
    layout = _builders()["replay.sine_replay_figure"]().to_plotly_json()["layout"]
    title, legend, margin = layout["title"], layout["legend"], layout["margin"]
    assert (title["yref"], title["y"], title["yanchor"], legend["yanchor"]) == ("container", 1, "top", "top")
    plotted = layout["height"] - margin["t"] - margin["b"]
    legend_top = margin["t"] - (legend["y"] - 1) * plotted  # pixels from the figure's top
    title_bottom = title["pad"]["t"] + 1.5 * layout["title"].get("font", {}).get("size", layout["font"]["size"])
    assert title_bottom <= legend_top <= margin["t"] - 2 * 25, (title_bottom, legend_top)  # two rows fit above the plot
