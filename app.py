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

st.set_page_config(page_title="LSTM Explorer", page_icon="🧠", layout="wide")

LESSONS = [
    st.Page("pages/home.py", title="Home", icon="🏠", default=True),
    st.Page("pages/sine.py", title="Stacked LSTM: damped sine", icon="🌊", url_path="sine"),
    st.Page("pages/rectangles.py", title="Generative LSTM: rectangles", icon="⬛", url_path="rectangles"),
]


def sidebar_ui() -> None:
    store = ModelStore()
    with st.sidebar:
        st.caption(f"Model store: {len(store.keys())} trained models in `{store.root}`.")


page = st.navigation(LESSONS)
sidebar_ui()
page.run()
