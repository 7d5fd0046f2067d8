"""
LSTM Explorer for a classroom: `streamlit run serve.py`.

The same app as `streamlit run app.py`, served by Streamlit's ASGI `st.App`,
whose start-up hook warms the server (`ui/warm.py`): TensorFlow imported and
the lessons' default models loaded from the store in the background, so the
first student to open a lesson sees it as fast as the next ones. TensorFlow's
native start-up lines are kept out of the server's log (`lstm_core/tools/quiet.py`).
"""

from contextlib import asynccontextmanager

import streamlit as st

from lstm_core.tools.quiet import filter_native_stderr
from ui import warm

filter_native_stderr()  # before the warm start imports TensorFlow


@asynccontextmanager
async def lifespan(_app):
    warm.start()
    yield


app = st.App("app.py", lifespan=lifespan)
