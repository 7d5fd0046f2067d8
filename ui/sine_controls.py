"""
The damped-sine controls shared by the lessons that show a chapter-7 model
(the sine lesson and "inside the LSTM"): the test wave, instant, and the
model, in a form, with the same keys (and so the same link parameters) on
both pages. Each page passes its own catalogue prefix for the texts.
"""

from __future__ import annotations

import streamlit as st

from lstm_core.config import SineConfig, max_epochs, max_train_size, max_units
from ui import params
from ui.i18n import t

TRAIN_SIZES = [100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000]
DEFAULT = SineConfig  # the dataclass' field defaults (an instance would be validated against today's limits)


def sizes() -> list:
    return [size for size in TRAIN_SIZES if size <= max_train_size()] or [max_train_size()]


def url_parameters() -> list:
    """What the page address may set (`…/sine?units=4&period=17`): the same ranges and defaults as the widgets."""
    choices = sizes()
    return [
        params.whole_number("period", 5, 40, 15), params.number("decay", 0.0, 0.2, 0.05),
        params.whole_number("units", 1, max_units(), min(DEFAULT.units, max_units())),
        params.whole_number("depth", 1, 4, DEFAULT.depth),
        params.choice("train_size", choices, min(DEFAULT.train_size, choices[-1])),
        params.whole_number("epochs", 1, min(20, max_epochs()), min(DEFAULT.epochs, max_epochs())),
        params.whole_number("seed", 0, 10_000, DEFAULT.seed),
    ]


def wave_ui(texts: str):
    """The test wave's period and decay; `texts` is the page's catalogue prefix (`sine`, `inside_lstm`)."""
    st.sidebar.header(t(f"{texts}.wave"))
    period = st.sidebar.slider("period", 5, 40, 15, key="period", bind="query-params",
                               help=t(f"{texts}.period.help"))
    decay = st.sidebar.slider("decay", 0.0, 0.2, 0.05, step=0.005, format="%.3f", key="decay",
                              bind="query-params", help=t(f"{texts}.decay.help"))
    return period, decay


def model_ui(texts: str, **button):
    """The model's settings in a form. Returns `(values for SineConfig, Train pressed)`."""
    choices = sizes()
    with st.sidebar.form(f"{texts}_model"):
        st.header(t(f"{texts}.model"))
        units = st.slider("units", 1, max_units(), min(DEFAULT.units, max_units()), key="units",
                          bind="query-params", help=t(f"{texts}.units.help"))
        depth = st.slider("depth", 1, 4, DEFAULT.depth, key="depth", bind="query-params",
                          help=t(f"{texts}.depth.help"))
        train_size = st.select_slider(t(f"{texts}.train_size"), choices, min(DEFAULT.train_size, choices[-1]),
                                      key="train_size", bind="query-params", help=t(f"{texts}.train_size.help"))
        epochs = st.slider("epochs", 1, min(20, max_epochs()), min(DEFAULT.epochs, max_epochs()), key="epochs",
                           bind="query-params", help=t(f"{texts}.epochs.help"))
        seed = st.number_input("seed", 0, 10_000, DEFAULT.seed, key="seed", bind="query-params",
                               help=t(f"{texts}.seed.help"))
        pressed = st.form_submit_button(t(f"{texts}.train"), type="primary", **button)
    return dict(units=units, depth=depth, train_size=train_size, epochs=epochs, seed=int(seed)), pressed
