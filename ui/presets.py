"""
The preset menu of a lesson: choosing a preset sets the lesson's controls
(and so the link, since they are bound to it) and shows what to look for.

A preset (`lstm_core/presets.py`) is configurations and a view; `values()`
turns it into control values: the fields of its first configuration that
are the page's controls, then its view. A page whose controls are named
otherwise passes its own `to_values`. A preset never asks a control for more
than it allows today (the teacher's limits can lower `units`, `epochs` and
the training sizes): such a value is lowered to the largest allowed, and the
page says so.
"""

from __future__ import annotations

import dataclasses

import streamlit as st

from ui import frame, state
from ui.i18n import t


def values(preset, controls: dict) -> dict:
    """The control values of a preset: its first configuration's fields that are controls, then its view."""
    found = {}
    if preset.configs:
        fields = dataclasses.asdict(preset.configs[0])
        found.update({key: value for key, value in fields.items() if key in controls})
    found.update({key: value for key, value in preset.view.items() if key in controls})
    return found


def within(control, value):
    """`(value the control can take, lowered?)`."""
    if control.kind in ("slider", "number") and isinstance(value, (int, float)) and not isinstance(value, bool):
        return (control.high, True) if value > control.high else (value, False)
    if control.kind == "multiselect":
        kept = [choice for choice in value if choice in control.choices]
        return (kept or list(control.default)), len(kept) < len(value)
    if control.choices and value not in control.choices:
        smaller = [choice for choice in control.choices if not isinstance(choice, str) and choice <= value]
        return (smaller[-1] if smaller else control.default), True
    return value, False


def preset_ui(lesson: str, presets, controls: dict, to_values=values) -> None:
    """The preset menu for `lesson` (in the sidebar; in present mode at the top of the page, see
    `frame.controls_strip`); `controls` maps each control's key to its `Control`."""
    by_name = {preset.name: preset for preset in presets}

    def apply() -> None:
        chosen = by_name.get(st.session_state.get(state.PRESET))
        if chosen is None:
            return
        lowered = []
        for key, value in to_values(chosen, controls).items():
            value, was_lowered = within(controls[key], value)
            st.session_state[key] = value
            if was_lowered:
                lowered.append(key)
        st.session_state[state.PRESET_LOWERED] = lowered

    # Titles looked up now: a format_func that reads the language later (AppTest calls it outside the run) gets English.
    titles = {name: t(f"preset.{lesson}.{name}") for name in by_name}
    choice = frame.controls_strip().selectbox(  # the sidebar, or a row on the page in present mode
        t("preset.label"), list(by_name), index=None, key=state.PRESET, on_change=apply,
        format_func=titles.get, placeholder=t("preset.placeholder"), help=t("preset.help"))
    if choice is not None:
        st.info(f"**{t(f'preset.{lesson}.{choice}')}**: {t(f'preset.{lesson}.{choice}.note')}")
        if st.session_state.get(state.PRESET_LOWERED):
            st.warning(t("preset.lowered", names=", ".join(st.session_state[state.PRESET_LOWERED])))
