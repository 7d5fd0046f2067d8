"""
Make sure a lesson runs inside `app.py`, never on its own.

Streamlit still knows the legacy multipage mode in which every file of a
`pages/` folder is a page run by itself. Until `st.navigation` has run once
in the server process (and in every `AppTest.run`, which resets it), a
request for `/sine` runs `pages/sine.py` alone: no page config, no shared
sidebar, no language switch, file names in the navigation. That happens on a
fresh classroom server when the first student opens a shared lesson link.

Every page calls `require_app()` first. In the legacy mode it switches that
mode off and runs `app.py` in its place, in the same script run, whose
`st.navigation` then opens the same page (its url path is its file name).
It does not `st.rerun()`: a rerun drops the button press of the run it
replaces, and since `AppTest.run` resets the mode every time, every Train
press in an AppTest would be lost.
"""

from __future__ import annotations

import runpy
from pathlib import Path

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

APP = Path(__file__).resolve().parent.parent / "app.py"


def require_app() -> None:
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        runpy.run_path(str(APP), run_name="__main__")  # draws the whole app, this page included
        st.stop()
