"""
Make sure a lesson runs inside `app.py`, never on its own, and that what
`app.py` draws belongs to `app.py`.

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

In that first run `app.py` is not run as the main script but inside a
legacy page: the lesson's (`require_app`) or, for `/`, the legacy home page
that is `app.py` itself. Streamlit keys a widget's id and its link binding
(`bind="query-params"`) by the script hash active when it is drawn, and on
a page switch drops every link parameter bound to another page. Drawn under
a page's hash, the language switch belonged to that page, so the first
student's first click in the sidebar lost `lang` and the page fell back to
English (issue 12). `app.py` therefore draws its own part inside
`app_scope()`: under the main script's hash, whoever runs it.

Present mode (`?present=1`, for a projector) hides the sidebar, where every
lesson keeps its controls. `controls_strip()` gives the lesson's preset menu
a row at the top of the page instead, with a switch that shows the sidebar
after all (every other control), and `widgets.trained_or_prompt` puts a
Train button under its "not trained yet" prompt: one mechanism for every
lesson, none of them drawing its controls twice.
"""

from __future__ import annotations

import contextlib
import runpy
from collections.abc import Iterator
from pathlib import Path

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner import get_script_run_ctx

from ui import params
from ui.i18n import t

APP = Path(__file__).resolve().parent.parent / "app.py"
SIDEBAR_SHOWN = "present_sidebar"  # the widget key of present mode's switch that shows the sidebar after all


def require_app() -> None:
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        runpy.run_path(str(APP), run_name="__main__")  # draws the whole app, this page included
        st.stop()


@contextlib.contextmanager
def app_scope() -> Iterator[None]:
    """Draw `app.py`'s own widgets as the main script's (as a normal run does), even when a legacy page runs
    it, so that they and their link parameters (`lang`) are the app's on every page, not one lesson's."""
    ctx = get_script_run_ctx()
    if ctx is None:  # bare mode (python app.py): no widgets to key
        yield
        return
    with ctx.run_with_active_hash(ctx.pages_manager.main_script_hash):
        yield


def sidebar_hidden() -> bool:
    """Present mode with its sidebar hidden (as it opens): the page itself must offer the preset and Train."""
    return params.present() and not st.session_state.get(SIDEBAR_SHOWN, False)


def controls_strip():
    """Where a lesson's preset menu goes: the sidebar, or in present mode a row at the top of the page, beside the
    switch that shows the sidebar (`app.py` reads it before drawing the page)."""
    if not params.present():
        return st.sidebar
    menu, switch = st.columns([3, 1], vertical_alignment="bottom")
    switch.toggle(t("app.present.sidebar"), key=SIDEBAR_SHOWN, help=t("app.present.sidebar.help"))
    return menu
