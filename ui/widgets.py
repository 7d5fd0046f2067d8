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


def trained_or_prompt(config, pressed: bool, what: str = "this configuration", *, label: str | None = None,
                      start=None):
    """The trained model if it is cached or Train was pressed (training it live); else a prompt and None.

    `label` names the model in the progress text (a page training several);
    `start` is a trained model to continue ("Train more", see `training.train`).
    """
    if not pressed and not cache.is_available(config):
        st.info(f"{what.capitalize()} is not trained yet: set the model in the sidebar and press **Train**.")
        return None
    bar, chart = st.empty(), st.empty()
    try:
        drawn = [0]  # points of the live curve already drawn

        def on_update(status):
            text = _status_text(status)
            bar.progress(min(max(status.fraction, 0.0), 1.0), text=f"{label}: {text}" if label else text)
            # Redraw only when the curve grew: an identical chart twice would get a duplicate element id.
            if len(status.curve) > max(1, drawn[0]):
                drawn[0] = len(status.curve)
                chart.plotly_chart(figures.loss_figure(curve=status.curve, title="Training loss (live)"))

        trained = cache.trained(config, on_update=on_update, start=start)
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


# -- "Train more" and "Pin this run" ------------------------------------------------------------
# Per page, in st.session_state: `<page>_continued` maps the sidebar's configuration key to the
# configuration "Train more" continued it into; `<page>_pinned` is the configuration of the pinned run.
def shown_config(config, page: str, *, reset: bool = False):
    """The configuration to show for the sidebar's `config`: itself, or what "Train more" made of it.

    A continued model is the same configuration with more epochs (exactly the model training it from
    scratch gives, see `training.continuation_state`). `reset` (Train pressed) goes back to `config`.
    """
    continued = st.session_state.setdefault(f"{page}_continued", {})
    if reset:
        continued.pop(config.key(), None)
    st.session_state[f"{page}_sidebar_key"] = config.key()
    return continued.get(config.key(), config)


def run_tools_ui(trained, page: str):
    """"Train more" and "Pin this run" under a trained model. Returns the pinned `(config, Trained)`, or None.

    Train more continues `trained` for a few more epochs (live progress) and shows the continued model;
    a pinned run is drawn faded beside the current one until it is unpinned.
    """
    from lstm_core.config import max_epochs
    from lstm_core.prewarm import describe

    pinned_key = f"{page}_pinned"
    more, pin, unpin = st.columns([2, 1, 1], vertical_alignment="bottom")
    room = max_epochs() - trained.config.epochs
    extra = more.number_input(
        "more epochs", 1, max(1, min(10, room)), 1, key=f"{page}_more_epochs", disabled=room < 1,
        help="Continue training this model for this many more passes over the same data, without starting "
             f"again (at most {max_epochs()} epochs in all). Watch the loss curve carry on where it stopped.")
    if more.button("Train more", key=f"{page}_train_more", disabled=room < 1,
                   help="Continue this model. The result is the model you would get by training this many epochs "
                        "from scratch, so it is kept in the model store under that setting."):
        target = trained.config.replace(epochs=trained.config.epochs + int(extra))
        result = trained_or_prompt(target, True, label=f"{int(extra)} more epoch{'s' if extra > 1 else ''}",
                                   start=trained)
        if result is not None:
            sidebar_key = st.session_state.get(f"{page}_sidebar_key", trained.config.key())
            st.session_state.setdefault(f"{page}_continued", {})[sidebar_key] = target
            st.rerun()
    if pin.button("Pin this run", key=f"{page}_pin",
                  help="Keep this run and show it faded beside the next one: change one setting, train, compare."):
        st.session_state[pinned_key] = trained.config
    if unpin.button("Unpin", key=f"{page}_unpin", disabled=pinned_key not in st.session_state,
                    help="Stop showing the pinned run."):
        st.session_state.pop(pinned_key, None)
    if trained.config.key() != st.session_state.get(f"{page}_sidebar_key", trained.config.key()):
        st.caption(f"Shown: this model trained further with **Train more** ({trained.config.epochs} epochs in all). "
                   "Press **Train** in the sidebar to go back to the sidebar's setting.")
    pinned = st.session_state.get(pinned_key)
    if pinned is None:
        return None
    if pinned == trained.config:
        st.caption("This run is pinned: change a setting and train to compare another run with it.")
        return None
    model = cache.cached(pinned)
    if model is None:
        st.caption("The pinned run is no longer in the model store; pin another one.")
        return None
    st.caption(f"Pinned run, drawn faded and dotted: {describe(pinned)} (error {model.error:.4f}).")
    return pinned, model



# -- the concept lessons' in-memory experiments ---------------------------------------------------
def experiment_or_prompt(run, config, pressed: bool, *, page: str, spinner: str, what: str = "This experiment is"):
    """`run(config)` (a cached wrapper of `ui.cache`) once Train was pressed for `config` in this session.

    Before that, a prompt and None, so opening a page never starts a training. Bad settings and
    failures become an `st.error` with the message, never a traceback.
    """
    done = st.session_state.setdefault(f"{page}_trained_keys", set())
    if not pressed and config.key() not in done:
        st.info(f"{what} not trained yet: choose the settings and press **Train**.")
        return None
    try:
        with st.spinner(spinner):
            result = run(config)
    except ConfigError as error:
        st.error(f"Invalid setting: {error}")
        return None
    except Exception as error:  # noqa: BLE001 - a student sees the message, never a traceback
        st.error(f"Training failed: {type(error).__name__}: {error}")
        return None
    done.add(config.key())
    return result
