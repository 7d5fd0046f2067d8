"""Home: what LSTM Explorer is, and the way into its lessons. Imports no TensorFlow."""

import streamlit as st

from ui.i18n import has, t
from ui.lessons import LESSONS
from ui.frame import require_app

require_app()

st.title(t("home.title"))
st.markdown(t("home.intro"))
for lesson in LESSONS:
    if lesson.url_path:
        key = f"home.link.{lesson.url_path}"
        st.page_link(lesson.file, label=t(key) if has(key) else lesson.title, icon=lesson.icon)
st.caption(t("home.present"))
