"""
The preset menu of a lesson: choosing a preset sets the sliders (and so the
link, since they are bound to it) and shows what to look for.
"""

from __future__ import annotations

import streamlit as st

from ui.i18n import t


def preset_ui(lesson: str, presets) -> None:
    by_name = {preset.name: preset for preset in presets}

    def apply() -> None:
        chosen = by_name.get(st.session_state.get("preset"))
        if chosen is not None:
            for key, value in chosen.values.items():
                st.session_state[key] = value

    # Titles looked up now: a format_func that reads the language later (AppTest calls it outside the run) gets English.
    titles = {name: t(f"preset.{lesson}.{name}") for name in by_name}
    choice = st.sidebar.selectbox(
        t("preset.label"), list(by_name), index=None, key="preset", on_change=apply,
        format_func=titles.get, placeholder=t("preset.placeholder"),
        help=t("preset.help"))
    if choice is not None:
        st.info(f"**{t(f'preset.{lesson}.{choice}')}**: {t(f'preset.{lesson}.{choice}.note')}")
