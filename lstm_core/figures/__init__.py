"""
Plotly figures: pure functions from arrays to figures, the same on every page.

`base` holds the palette and the book lessons' figures, `concepts` the
concept lessons' (diagrams, several models' curves, gradients, forecasts,
heatmaps), `ladder` the training-size lab's.
"""

from .base import COLORS, FONT_SIZE, SERIES, layer_table_rows, loss_figure, rectangles_figure, sine_prediction_figure

__all__ = ["COLORS", "FONT_SIZE", "SERIES", "layer_table_rows", "loss_figure", "rectangles_figure",
           "sine_prediction_figure"]
