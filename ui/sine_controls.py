"""
The damped-sine controls shared by the lessons that show a chapter-7 model
(the sine lesson and "inside the LSTM"): the test wave, instant, and the
model, in a form, with the same keys (and so the same link parameters) on
both pages. Each page passes its own catalogue prefix for the texts.
"""

from __future__ import annotations

import streamlit as st

from lstm_core.experiments import SineConfig
from lstm_core.experiments.sine import RECIPES
from ui import controls, params
from ui.i18n import t
from ui.presets import preset_ui

TRAIN_SIZES = (100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000)


def page_controls() -> dict:
    """Every control of a sine lesson, by key (widgets, link parameters and presets all read these)."""
    return {**controls.wave(), "depth": controls.slider("depth", 1, 4, SineConfig.depth),
            **controls.training(SineConfig, TRAIN_SIZES, most_epochs=20),
            "recipe": controls.choice("recipe", tuple(RECIPES), SineConfig.recipe, kind="radio")}


def recipe_ui(texts: str, declared: dict) -> str:
    """The training recipe, outside the model's form: choosing one also sets the epochs to the recipe's."""

    def follow():
        from lstm_core.engine.config import max_epochs

        st.session_state["epochs"] = min(RECIPES[st.session_state["recipe"]]["epochs"], max_epochs())

    # Options are the ids (a bound radio writes its option to the link); the names are captions.
    return declared["recipe"].widget(t("sine_controls.recipe"), t("sine_controls.recipe.help"), st.sidebar,
                                     on_change=follow, captions=[t(f"sine_controls.recipe.{name}")
                                                                 for name in declared["recipe"].choices])


def wave_ui(texts: str, declared: dict):
    """The test wave's period and decay; `texts` is the page's catalogue prefix (`sine`, `inside_lstm`)."""
    st.sidebar.header(t(f"{texts}.wave"))
    period = declared["period"].widget("period", t(f"{texts}.period.help"), st.sidebar)
    decay = declared["decay"].widget("decay", t(f"{texts}.decay.help"), st.sidebar)
    return period, decay


def model_ui(texts: str, declared: dict, **button):
    """The model's settings in a form. Returns `(values for SineConfig, Train pressed)`."""
    with st.sidebar.form(f"{texts}_model"):
        st.header(t(f"{texts}.model"))
        values = {key: declared[key].widget(t(f"{texts}.train_size") if key == "train_size" else key,
                                            t(f"{texts}.{key}.help"))
                  for key in ("units", "depth", "train_size", "epochs", "seed")}
        pressed = st.form_submit_button(t(f"{texts}.train"), type="primary", **button)
    return values, pressed


def sidebar_ui(texts: str, presets, **button):
    """A sine lesson's whole sidebar: link check, presets, test wave and model.

    Returns `(period, decay, values for SineConfig, Train pressed)`; `texts` is the page's catalogue prefix
    and lesson name, `button` the Train button's options.
    """
    declared = page_controls()
    params.check(controls.parameters(declared.values()))
    preset_ui(texts, presets, declared)
    period, decay = wave_ui(texts, declared)
    recipe = recipe_ui(texts, declared)
    values, pressed = model_ui(texts, declared, **button)
    return period, decay, {**values, "recipe": recipe}, pressed
