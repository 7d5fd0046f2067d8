"""
The downloads under a trained model: the model (.keras), its numbers (CSV),
its figures (HTML that works offline) and the Keras script that trains it.

`payloads()` says what can be downloaded; each file is made only when its
button is pressed (Streamlit calls the function then, on its own thread), so
a rerun never builds a 5 MB HTML page nobody asked for.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from lstm_core.tools import export
from ui.i18n import t


@dataclass(frozen=True)
class Payload:
    name: str  # catalogue key suffix: downloads.<name>
    file_name: str
    mime: str
    make: object  # a callable with no arguments returning str or bytes


def payloads(trained, frames: dict, figures: dict) -> list[Payload]:
    """The files of a trained model: `frames` name → a function making its DataFrame, `figures` name → a
    function making its Plotly figure (made when the button is pressed, not on every rerun)."""
    stem = export.file_stem(trained.config)
    files = [
        Payload("model", f"{stem}.keras", "application/octet-stream", lambda: export.model_bytes(trained.model)),
        Payload("script", f"{stem}.py", "text/x-python", lambda: export.script_text(trained.config)),
        Payload("history", f"{stem}-history.csv", "text/csv",
                lambda: export.csv_text(export.history_frame(trained))),
    ]
    for name, frame in frames.items():
        files.append(Payload(name, f"{stem}-{name}.csv", "text/csv", lambda frame=frame: export.csv_text(frame())))
    for name, figure in figures.items():
        files.append(Payload(name, f"{stem}-{name}.html", "text/html",
                             lambda figure=figure: export.figure_html(figure())))
    return files


def downloads_ui(trained, frames: dict, figures: dict) -> None:
    with st.expander(t("downloads.title")):
        files = payloads(trained, frames, figures)
        columns = st.columns(min(4, len(files)))
        for index, payload in enumerate(files):
            columns[index % len(columns)].download_button(
                t(f"downloads.{payload.name}"), data=payload.make, file_name=payload.file_name, mime=payload.mime,
                on_click="ignore", key=f"download_{payload.name}", icon=":material/download:")
