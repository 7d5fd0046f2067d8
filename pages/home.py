"""Home: what LSTM Explorer is, and the way into its lessons. Imports no TensorFlow."""

import streamlit as st

st.title("LSTM Explorer")
st.markdown(
    """
Long Short-Term Memory networks (LSTMs) are recurrent networks that carry a memory cell from step to step,
guarded by input, forget and output gates. This explorer follows Jason Brownlee's *Long Short-Term Memory
Networks with Python*: every lesson trains a real Keras model on this computer, and you change it with the
sliders in the sidebar and watch the sequences, predictions, drawings and training curves change.

Trained models are kept on disk, so a configuration trained once (by anyone, or before class with
`python -m lstm_core prewarm`) opens instantly.
"""
)
st.page_link("pages/sine.py", label="Stacked LSTM: predict the end of a damped sine wave (chapter 7)", icon="🌊")
st.page_link("pages/rectangles.py", label="Generative LSTM: draw rectangles (chapter 11)", icon="⬛")
