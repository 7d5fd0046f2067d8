"""
LSTM Explorer: an interactive, multipage Streamlit app that teaches how LSTMs work.

This entry point sets the page up, declares the lessons with `st.navigation`
and draws the sidebar they share. It imports no TensorFlow: the home page
opens at once, and Keras is loaded only by a lesson that builds, trains or
runs a model.

Run it with `streamlit run app.py`.
"""

import streamlit as st

from lstm_core.store import ModelStore
from ui.lessons import LESSONS

st.set_page_config(page_title="LSTM Explorer", page_icon="🧠", layout="wide")


def pages() -> list:
    return [
        st.Page(lesson.file, title=lesson.title, icon=lesson.icon, default=True)
        if not lesson.url_path
        else st.Page(lesson.file, title=lesson.title, icon=lesson.icon, url_path=lesson.url_path)
        for lesson in LESSONS
    ]


def sidebar_ui() -> None:
    store = ModelStore()
    with st.sidebar:
        st.caption(f"Model store: {len(store.keys())} trained models in `{store.root}`.")


page = st.navigation(pages())
sidebar_ui()
page.run()
