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
    icon: str
    url_path: str  # "" for the home page, which opens at "/"


LESSONS = [
    Lesson("pages/home.py", "Home", "🏠", ""),
    Lesson("pages/sine.py", "Stacked LSTM: damped sine", "🌊", "sine"),
    Lesson("pages/rectangles.py", "Generative LSTM: rectangles", "⬛", "rectangles"),
    Lesson("pages/training_size.py", "Training-size lab", "📈", "training_size"),
    Lesson("pages/sequence_problems.py", "Sequence problems", "🧩", "sequence_problems"),
    Lesson("pages/cells.py", "RNN, GRU, LSTM and gradients", "🔁", "cells"),
    Lesson("pages/forecasting.py", "Forecasting several steps ahead", "🔮", "forecasting"),
    Lesson("pages/inside_lstm.py", "Inside the LSTM cell", "🔬", "inside_lstm"),
]
