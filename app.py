"""
LSTM Explorer: an interactive, multipage Streamlit app that teaches how LSTMs work.

This entry point sets the page up, declares the lessons (listed in
`ui/lessons.py`) with `st.navigation` and draws the sidebar they share: the
language switch and the model store's state. It imports no TensorFlow: the
home page opens at once, and Keras is loaded only by a lesson that builds,
trains or runs a model.

`?present=1` in the address hides the sidebar and the navigation, for a
projector or a student handout: the view is set by the rest of the link,
and the lesson's preset menu and Train button come onto the page, with a
switch that shows the sidebar after all (see `ui/frame.py`).

Run it with `streamlit run app.py`.
"""

from pathlib import Path

import streamlit as st

from lstm_core.engine.store import ModelStore
from ui import controls, params, state
from ui.frame import app_scope, sidebar_hidden
from ui.i18n import has, language_ui, t
from ui.lessons import LESSONS

ICON = Path(__file__).parent / "ui" / "assets" / "icon.png"  # served by the app: a Material icon is fetched online
PRESENT = params.present()
HIDDEN = sidebar_hidden()  # present mode, unless its switch shows the sidebar after all

st.set_page_config(page_title="LSTM Explorer", page_icon=str(ICON), layout="wide",
                   initial_sidebar_state="collapsed" if HIDDEN else "expanded" if PRESENT else "auto")


def title(lesson) -> str:
    key = f"lesson.{lesson.url_path or 'home'}"
    return t(key) if has(key) else lesson.title


def pages() -> list:
    return [
        st.Page(lesson.file, title=title(lesson), icon=lesson.icon, default=True)
        if not lesson.url_path
        else st.Page(lesson.file, title=title(lesson), icon=lesson.icon, url_path=lesson.url_path)
        for lesson in LESSONS
    ]


def sidebar_ui() -> None:
    store = ModelStore()
    with st.sidebar:
        st.caption(t("app.store", count=len(store.keys())))  # the folder is for the command line, not students


def forget_other_lessons(page) -> None:
    """A lesson opens on its own link and defaults, never on the values another lesson left under a shared key.

    Streamlit keeps a bound widget's value after its page stops drawing it and gives it back to the next
    widget with that key, so `units` set on the sine lesson would reappear on forecasting a page later.
    """
    if st.session_state.get(state.LESSON) != page.url_path:
        for key in controls.BOUND_KEYS & set(st.session_state.keys()):
            del st.session_state[key]
        st.session_state[state.LESSON] = page.url_path


def present_ui() -> None:
    """Presentation mode: no sidebar, no navigation, only the lesson."""
    st.html("<style>[data-testid='stSidebar'], [data-testid='stSidebarCollapsedControl'],"
            " [data-testid='stExpandSidebarButton'], [data-testid='stSidebarNav'] {display: none !important;}</style>")


with app_scope():  # the app's own widgets, under the main script on every run (see ui/frame.py, issue 12)
    language_ui()
    page = st.navigation(pages(), position="hidden" if PRESENT else "sidebar")
    sidebar_ui()
    if HIDDEN:
        present_ui()
forget_other_lessons(page)
page.run()
