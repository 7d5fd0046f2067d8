"""
Small pieces every lesson page uses: turning widget values into a validated
configuration, getting its trained model (from memory or the store at once,
or trained through the shared Trainer with a live progress bar, a queue
position and a growing loss curve), the layer table and the equivalent Keras
code. Every lesson, book or concept, trains through `trained_or_prompt`.
Their texts are in the UI catalogues under `widgets.*` (English and Chinese,
see `ui/i18n.py`).
"""

from __future__ import annotations

import time

import pandas as pd
import streamlit as st

from lstm_core import experiments, figures
from lstm_core.engine.config import ConfigError, max_epochs
from lstm_core.engine.cost import TooCostly
from lstm_core.engine.fit import TrainingDiverged
from lstm_core.engine.replay import Replay
from ui import cache, frame, i18n, state
from ui.i18n import t


def config_or_stop(config_type, **values):
    """Build a configuration; on a bad value show the message (field and range) and stop the page."""
    try:
        return config_type(**values)
    except ConfigError as error:
        st.error(t("widgets.invalid", error=error))
        st.stop()


def _status_text(status) -> str:
    if status.phase == "queued":
        if status.ahead and status.wait > 0:  # the estimated wait: trainings ahead, `engine/cost.py`
            return t("widgets.status.queued_wait", ahead=status.ahead, wait=max(1, round(status.wait)))
        return t("widgets.status.queued", ahead=status.ahead)
    if status.epoch:
        return t("widgets.status.epoch", epoch=status.epoch, epochs=status.epochs, loss=status.loss)
    return t("widgets.status.starting")


def _capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]


LIVE_SECONDS = 1.0  # between two redraws of a live training's main figure


def trained_or_prompt(config, pressed: bool, what: str | None = None, *, prompt: str | None = None,
                      label: str | None = None, start=None, live=None, live_inputs: tuple = (),
                      button: bool = True):
    """The trained model if it is in memory or the store, or Train was pressed (training it live through the
    shared Trainer); else a prompt and None, so opening a page never starts a training.

    `what` names the model in the default prompt (in the page's language; "this configuration" by
    default), or `prompt` replaces it; `label` names the model in the progress text (a page training
    several); `start` is a trained model to continue ("Train more", see `engine.fit.fit`). While it trains,
    `live(model, seen, total)`, if given, draws the page's main figure from the latest snapshot of the weights
    (about once a second), above the growing loss curve, drawn once for every student waiting on the training
    (`cache.live_view`, keyed by `live_inputs`: whatever `live` draws besides the model, such as the test
    wave's period and decay). In present mode, whose sidebar (and Train button) is
    hidden, the prompt has a Train button of its own, unless `button` is False (the page has one beside it).
    """
    asked = cache.trainer().is_pending(config)  # queued or training: a rerun waits for it again, never drops it
    if not pressed and not asked and not cache.is_available(config):
        what = _capitalized(what or t("widgets.prompt.what"))
        if not (button and frame.sidebar_hidden()):
            st.info(prompt or t("widgets.prompt", what=what))
            return None
        offer = st.empty()
        with offer.container():
            st.info(prompt or t("widgets.present.prompt", what=what))
            pressed = st.button(t("widgets.present.train"), key=f"present_train_{config.key()}", type="primary",
                                help=t("widgets.present.train.help"))
        if not pressed:
            return None
        offer.empty()
    bar, view, chart = st.empty(), st.empty(), st.empty()
    try:
        drawn = [0, 0.0]  # points of the live curve already drawn, and when
        shown = {"step": -1, "at": 0.0, "replay": None}  # the live view's last snapshot and when it was drawn

        def on_update(status):
            text = _status_text(status)
            bar.progress(min(max(status.fraction, 0.0), 1.0),
                         text=t("widgets.status.labelled", label=label, text=text) if label else text)
            if live is not None and status.snapshot is not None and status.snapshot[0] != shown["step"] \
                    and time.monotonic() - shown["at"] >= LIVE_SECONDS:
                step, row, total, batch = status.snapshot

                def draw():
                    shown["replay"] = shown["replay"] or Replay(experiments.of(config), config)
                    return i18n.figure(shown["replay"].draw_at(row, lambda model: live(model, step * batch,
                                                                                         total * batch)))

                view.plotly_chart(cache.live_view(config.key(), step, live_inputs, i18n.language(), draw),
                                  key=f"live-{step}")
                shown.update(step=step, at=time.monotonic())
            # Redraw only when the curve grew (an identical chart twice would get a duplicate element id), and at
            # most once a LIVE_SECONDS: every student waiting on a training shows it (drawn once for them all).
            if len(status.curve) > max(1, drawn[0]) and time.monotonic() - drawn[1] >= LIVE_SECONDS:
                drawn[:] = [len(status.curve), time.monotonic()]
                chart.plotly_chart(cache.live_view(config.key(), len(status.curve), ("loss",), i18n.language(),
                                                   lambda: i18n.figure(figures.loss_figure(
                                                       curve=status.curve, title="Training loss (live)"))))

        trained = cache.trained(config, on_update=on_update, start=start)
        store_notice()  # a store that cannot be written is found out only when the model is saved
        return trained
    except TrainingDiverged as error:
        st.error(t("widgets.diverged", error=error))
    except TooCostly as error:  # over the teacher's LSTM_EXPLORER_MAX_TRAINING_SECONDS: refused before it starts
        st.error(t("widgets.too_costly", seconds=error.seconds, limit=error.limit))
    except ConfigError as error:
        st.error(t("widgets.invalid", error=error))
    except Exception as error:  # noqa: BLE001 - a student sees the message, never a traceback
        st.error(t("widgets.failed", kind=type(error).__name__, error=error))
    finally:
        bar.empty()
        view.empty()
        chart.empty()
    return None


def store_notice() -> None:
    """Say once per session if the model store cannot be written."""
    store = cache.trainer().store
    if store.problem and not st.session_state.get(state.STORE_NOTICE_SHOWN):
        st.session_state[state.STORE_NOTICE_SHOWN] = True
        st.warning(store.problem.capitalize())


def layer_table_ui(config) -> None:
    """The model's layers with output shapes and parameter counts (4·u·(i+u+1) per LSTM)."""
    rows = figures.layer_table_rows(experiments.layers(config))
    for row in rows:
        if row["layer"] == "total":
            row["layer"] = t("widgets.layers.total")
    frame = pd.DataFrame(rows).rename(columns={
        "layer": t("widgets.layers.layer"), "output shape": t("widgets.layers.shape"),
        "parameters": t("widgets.layers.parameters")})
    st.dataframe(frame, hide_index=True, width="stretch")


def code_ui(config) -> None:
    """The equivalent Keras script for the current settings, with a copy button."""
    with st.expander(t("widgets.code"), expanded=False):
        st.code(experiments.keras_script(config), language="python")


# -- "Train more" and "Pin this run" (session-state keys in ui/state.py) ------------------------
def shown_config(config, page: str, *, reset: bool = False):
    """The configuration to show for the sidebar's `config`: itself, or what "Train more" made of it.

    A continued model is the same configuration with more epochs (exactly the model training it from
    scratch gives, see `training.continuation_state`). `reset` (Train pressed) goes back to `config`.
    """
    continued = st.session_state.setdefault(state.continued(page), {})
    if reset:
        continued.pop(config.key(), None)
    st.session_state[state.sidebar_key(page)] = config.key()
    return continued.get(config.key(), config)


def _describe(config) -> str:
    """A short name of a book run in the page's language (`experiments.describe` in English)."""
    epochs = t("widgets.run.epochs" if config.epochs > 1 else "widgets.run.epoch", count=config.epochs)
    fields = dict(config.to_dict(), size=f"{config.train_size:,}", epochs=epochs)
    return t(f"widgets.run.{config.experiment}", **fields)


def run_tools_ui(trained, page: str):
    """"Train more" and "Pin this run" under a trained model. Returns the pinned `(config, Trained)`, or None.

    Train more continues `trained` for a few more epochs (live progress) and shows the continued model;
    a pinned run is drawn faded beside the current one until it is unpinned.
    """
    pinned_key = state.pinned(page)
    more, pin, unpin = st.columns([2, 1, 1], vertical_alignment="bottom")
    room = max_epochs() - trained.config.epochs
    extra = more.number_input(
        t("widgets.more_epochs"), 1, max(1, min(10, room)), 1, key=f"{page}_more_epochs", disabled=room < 1,
        help=t("widgets.more_epochs.help", most=max_epochs()))
    if more.button(t("widgets.train_more"), key=f"{page}_train_more", disabled=room < 1,
                   help=t("widgets.train_more.help")):
        target = trained.config.replace(epochs=trained.config.epochs + int(extra))
        more_label = t("widgets.train_more.label" if extra > 1 else "widgets.train_more.label_one", count=int(extra))
        result = trained_or_prompt(target, True, label=more_label, start=trained)
        if result is not None:
            sidebar_key = st.session_state.get(state.sidebar_key(page), trained.config.key())
            st.session_state.setdefault(state.continued(page), {})[sidebar_key] = target
            st.rerun()
    if pin.button(t("widgets.pin"), key=f"{page}_pin", help=t("widgets.pin.help")):
        st.session_state[pinned_key] = trained.config
    if unpin.button(t("widgets.unpin"), key=f"{page}_unpin", disabled=pinned_key not in st.session_state,
                    help=t("widgets.unpin.help")):
        st.session_state.pop(pinned_key, None)
    share_ui(trained)
    if trained.config.key() != st.session_state.get(state.sidebar_key(page), trained.config.key()):
        st.caption(t("widgets.continued", epochs=trained.config.epochs))
    pinned = st.session_state.get(pinned_key)
    if pinned is None:
        return None
    if pinned == trained.config:
        st.caption(t("widgets.pinned.this"))
        return None
    model = cache.cached(pinned)
    if model is None:
        st.caption(t("widgets.pinned.gone"))
        return None
    st.caption(t("widgets.pinned", run=_describe(pinned), error=model.error))
    return pinned, model


MOST_SHARES = 30  # shares one session may make: each replaces its run's nickname, this bounds the writes


def share_ui(*runs) -> None:
    """"Share on the board": a nickname on these runs (one, or a lab's ladder: one share) on the class board
    (`pages/board.py`), where every stored run already is, anonymous. Checked by `lstm_core.board.nickname`; a
    later share replaces it, an empty one makes the runs anonymous again."""
    from lstm_core.board import NICKNAME_MOST, NicknameError, markdown_literal

    board = cache.board()
    keys = [trained.config.key() for trained in runs]
    key = keys[0]
    with st.expander(t("board.share")):
        if not all(board.is_entry(each) for each in keys):
            st.caption(t("board.share.not_stored"))
            return
        st.caption(t("board.share.text", most=NICKNAME_MOST))
        with st.form("share", border=False):
            # No max_chars: Streamlit would cut a longer text silently; the check refuses it, naming the limit.
            name = st.text_input(t("board.share.nickname"), key="share_nickname",
                                 help=t("board.share.nickname.help", most=NICKNAME_MOST))
            pressed = st.form_submit_button(t("board.share.button"))
        if pressed:
            shares = st.session_state.get(state.SHARES, 0)
            try:
                if shares >= MOST_SHARES:
                    st.error(t("board.share.too_many", most=MOST_SHARES))
                else:
                    for each in keys:
                        board.share(each, name)
                    st.session_state[state.SHARES] = shares + 1
                    board.refresh()
            except NicknameError as error:
                st.error(t(f"board.nickname.{error.reason}", **error.values))
            except (OSError, ValueError) as error:
                st.error(t("board.share.failed", error=getattr(error, "strerror", None) or error))
        current = board.nickname_of(key)
        st.caption(t("board.share.current", name=markdown_literal(current)) if current else t("board.share.anonymous"))


def source_text(trained) -> str:
    """Where the shown model comes from: trained now (compiled, or a compiled model reused), memory, the store."""
    if trained.source == "trained":
        return t("widgets.source.compiled" if trained.compiled else "widgets.source.reused")
    return t(f"widgets.source.{trained.source}")


def versus_guessing(key: str, difference: float) -> dict:
    """`st.metric`'s delta arguments for an error's `difference` from guessing, in catalogue `key` ("{delta:+.3f}"):
    rounded as shown, and with no arrow when it shows as 0.000, where an arrow would claim a direction."""
    shown = round(float(difference), 3) + 0.0  # + 0.0: no "-0.000"
    return {"delta": t(key, delta=shown), "delta_arrow": "off" if shown == 0 else "auto"}
