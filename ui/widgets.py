"""
Small pieces every lesson page uses: turning widget values into a validated
configuration, training with a live progress bar and loss curve, the layer
table and the equivalent Keras code.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lstm_core import codegen, figures, models
from lstm_core.config import ConfigError
from lstm_core.training import TrainingDiverged
from ui import cache


def config_or_stop(config_type, **values):
    """Build a configuration; on a bad value show the message (field and range) and stop the page."""
    try:
        return config_type(**values)
    except ConfigError as error:
        st.error(f"Invalid setting: {error}")
        st.stop()


def _status_text(status) -> str:
    if status.phase == "queued":
        return f"Queued: {status.ahead} training(s) ahead of this one…"
    if status.epoch:
        return f"Training: epoch {status.epoch} of {status.epochs} done, loss {status.loss:.4f}"
    return "Training: compiling the model and starting the first epoch…"


def trained_or_prompt(config, pressed: bool, what: str = "this configuration"):
    """The trained model if it is cached or Train was pressed (training it live); else a prompt and None."""
    if not pressed and not cache.is_available(config):
        st.info(f"{what.capitalize()} is not trained yet: set the model in the sidebar and press **Train**.")
        return None
    bar, chart = st.empty(), st.empty()
    try:
        drawn = [0]  # points of the live curve already drawn

        def on_update(status):
            bar.progress(min(max(status.fraction, 0.0), 1.0), text=_status_text(status))
            # Redraw only when the curve grew: an identical chart twice would get a duplicate element id.
            if len(status.curve) > max(1, drawn[0]):
                drawn[0] = len(status.curve)
                chart.plotly_chart(figures.loss_figure(curve=status.curve, title="Training loss (live)"))

        trained = cache.trained(config, on_update=on_update)
        store_notice()  # a store that cannot be written is found out only when the model is saved
        return trained
    except TrainingDiverged as error:
        st.error(f"Training failed: {error}. Nothing was stored.")
    except ConfigError as error:
        st.error(f"Invalid setting: {error}")
    except Exception as error:  # noqa: BLE001 - a student sees the message, never a traceback
        st.error(f"Training failed: {type(error).__name__}: {error}")
    finally:
        bar.empty()
        chart.empty()
    return None


def store_notice() -> None:
    """Say once per session if the model store cannot be written."""
    store = cache.trainer().store
    if store.problem and not st.session_state.get("_store_notice_shown"):
        st.session_state["_store_notice_shown"] = True
        st.warning(store.problem.capitalize())


def layer_table_ui(config) -> None:
    """The model's layers with output shapes and parameter counts (4·u·(i+u+1) per LSTM)."""
    rows = figures.layer_table_rows(models.expected_layers(config))
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")


def code_ui(config) -> None:
    """The equivalent Keras script for the current settings, with a copy button."""
    with st.expander("Equivalent Keras code", expanded=False):
        st.code(codegen.keras_script(config), language="python")
