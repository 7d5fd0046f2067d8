"""figures: pure functions from arrays to Plotly figures (base, concept lessons, training-size lab)."""

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
