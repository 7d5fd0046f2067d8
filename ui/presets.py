"""
The preset menu of a lesson: choosing a preset sets the sliders (and so the
link, since they are bound to it) and shows what to look for.

A preset never asks a widget for more than the teacher's limits allow
(`LSTM_EXPLORER_MAX_UNITS`, `_MAX_EPOCHS`, `_MAX_TRAIN_SIZE`): such a value
is lowered to the limit (a training size is left to the page's largest
allowed choice), and the page says so.
"""

from __future__ import annotations

import streamlit as st

from lstm_core.config import max_epochs, max_train_size, max_units
from ui.i18n import t

LIMITS = {"units": max_units, "epochs": max_epochs, "train_size": max_train_size}
LOWERED = "preset_lowered"  # the settings the last preset choice had to lower, for the notice


def within_limits(values: dict) -> tuple[dict, list]:
    """The preset's values the widgets can take now, and the names of those that were lowered."""
    allowed, lowered = dict(values), []
    for name, limit in LIMITS.items():
        value = allowed.get(name)
        if isinstance(value, int) and value > limit():
            lowered.append(name)
            if name == "train_size":
                del allowed[name]  # not every number is one of the size choices: the widget picks its largest
            else:
                allowed[name] = limit()
    return allowed, lowered


def preset_ui(lesson: str, presets) -> None:
    by_name = {preset.name: preset for preset in presets}

    def apply() -> None:
        chosen = by_name.get(st.session_state.get("preset"))
        if chosen is not None:
            allowed, st.session_state[LOWERED] = within_limits(chosen.values)
            for key in LIMITS:
                if key in chosen.values and key not in allowed:
                    st.session_state.pop(key, None)
            st.session_state.update(allowed)

    # Titles looked up now: a format_func that reads the language later (AppTest calls it outside the run) gets English.
    titles = {name: t(f"preset.{lesson}.{name}") for name in by_name}
    choice = st.sidebar.selectbox(
        t("preset.label"), list(by_name), index=None, key="preset", on_change=apply,
        format_func=titles.get, placeholder=t("preset.placeholder"),
        help=t("preset.help"))
    if choice is not None:
        st.info(f"**{t(f'preset.{lesson}.{choice}')}**: {t(f'preset.{lesson}.{choice}.note')}")
        if st.session_state.get(LOWERED):
            st.warning(t("preset.lowered", names=", ".join(st.session_state[LOWERED])))
