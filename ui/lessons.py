"""
The lessons of LSTM Explorer, as plain data: the page file, its title, icon
and URL path. `app.py` turns this list into `st.navigation`; tests (AppTest
and the browser test) walk the same list, so a new lesson is tested as soon
as it is listed here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Lesson:
    file: str  # relative to the project folder, e.g. "pages/sine.py"
    title: str
    icon: str  # a Material icon, bundled with Streamlit (no emoji font or network needed)
    url_path: str  # "" for the home page, which opens at "/"


LESSONS = [
    Lesson("pages/home.py", "Home", ":material/home:", ""),
    Lesson("pages/sine.py", "Stacked LSTM: damped sine", ":material/waves:", "sine"),
    Lesson("pages/rectangles.py", "Generative LSTM: rectangles", ":material/crop_square:", "rectangles"),
    Lesson("pages/training_size.py", "Training-size lab", ":material/stacked_line_chart:", "training_size"),
    Lesson("pages/sequence_problems.py", "Sequence problems", ":material/linear_scale:", "sequence_problems"),
    Lesson("pages/cells.py", "RNN, GRU, LSTM and gradients", ":material/memory:", "cells"),
    Lesson("pages/forecasting.py", "Forecasting several steps ahead", ":material/timeline:", "forecasting"),
    Lesson("pages/sequence_models.py", "Bidirectional, encoder-decoder, teacher forcing", ":material/swap_horiz:",
           "sequence_models"),
    Lesson("pages/inside_lstm.py", "Inside the LSTM cell", ":material/biotech:", "inside_lstm"),
    Lesson("pages/board.py", "Class board", ":material/leaderboard:", "board"),
]
