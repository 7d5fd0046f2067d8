"""Home: what LSTM Explorer is, and the way into its lessons, each shown by a thumbnail of its main chart.

The thumbnails are small pictures in `ui/assets/thumbnails/<url path>.png`, made from the running app by
`docs/make_screenshots.py --thumbnails` and kept in the repository: the page opens without a network or
TensorFlow. A lesson without one (a new lesson, before the script has run) shows its icon instead.
"""

from pathlib import Path

import streamlit as st

from ui.frame import require_app
from ui.i18n import has, t
from ui.lessons import LESSONS

require_app()

THUMBNAILS = Path(__file__).resolve().parent.parent / "ui" / "assets" / "thumbnails"
COLUMNS = 3  # cards a row: a thumbnail about 400 pixels wide on a projector's 1600


def thumbnail(lesson) -> Path | None:
    """The lesson's thumbnail file, or None if the script has not made one yet."""
    path = THUMBNAILS / f"{lesson.url_path}.png"
    return path if path.is_file() else None


def text(key: str, fallback: str) -> str:
    return t(key) if has(key) else fallback


def card_ui(lesson) -> None:
    """The lesson's picture, its link (its short title: a link holds one line) and what it is about."""
    with st.container(border=True):
        picture = thumbnail(lesson)
        if picture is not None:
            st.image(str(picture), width="stretch")
        else:
            st.markdown(f"## {lesson.icon}")  # no thumbnail yet: the lesson's icon, large
        st.page_link(lesson.file, label=text(f"lesson.{lesson.url_path}", lesson.title), icon=lesson.icon)
        st.caption(text(f"home.link.{lesson.url_path}", lesson.title))


st.title(t("home.title"))
st.markdown(t("home.intro"))
lessons = [lesson for lesson in LESSONS if lesson.url_path]
for start in range(0, len(lessons), COLUMNS):
    for column, lesson in zip(st.columns(COLUMNS), lessons[start:start + COLUMNS]):
        with column:
            card_ui(lesson)
st.caption(t("home.present"))
