"""
The teacher's view of the class board, entered once per session with the
passcode the server was started with.

`LSTM_EXPLORER_TEACHER_PASSCODE` set on the server turns it on; without it
nothing of it is drawn and no teacher action exists. The passcode is
compared with `hmac.compare_digest`; a wrong one changes nothing and says so,
and a session gets `MOST_ATTEMPTS` tries, each wrong one answered a second
later. Once in, the session keeps a digest of the passcode (never the
passcode), checked again against the server's at every action.

The actions (each a small file in `<store root>/board/`, see
`lstm_core/board.py`): clear the board (the runs saved until now leave the
board; the model store keeps every one of them, so no student's model is
ever deleted) or bring them back, hide a nickname (its runs show as
anonymous), switch the challenge line on or off. The view also shows the
server's model store folder, which the sidebar hides from students.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import time

import streamlit as st

from lstm_core.experiments.sine import BOOK_MAE
from ui import state
from ui.i18n import t

PASSCODE_VARIABLE = "LSTM_EXPLORER_TEACHER_PASSCODE"
MOST_ATTEMPTS = 5  # wrong passcodes per session
WRONG_SECONDS = 1.0  # the answer to a wrong passcode waits this long
MAX_PASSCODE = 256  # characters a passcode field takes


def passcode() -> str | None:
    """The server's passcode, or None if it is not set (or blank): then there is no teacher view."""
    value = os.environ.get(PASSCODE_VARIABLE, "")
    return value if value.strip() else None


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def is_teacher() -> bool:
    """True if this session entered the server's current passcode."""
    secret = passcode()
    entered = st.session_state.get(state.TEACHER)
    return secret is not None and isinstance(entered, str) and hmac.compare_digest(entered, _digest(secret))


def login_ui() -> bool:
    """The passcode field in the sidebar (nothing if the server has no passcode). True once the teacher is in."""
    secret = passcode()
    if secret is None:
        return False
    if is_teacher():
        return True
    attempts = st.session_state.get(state.TEACHER_ATTEMPTS, 0)
    closed = attempts >= MOST_ATTEMPTS
    with st.sidebar.form("teacher_login", clear_on_submit=True):
        st.subheader(t("board.teacher.title"))
        entered = st.text_input(t("board.teacher.passcode"), type="password", max_chars=MAX_PASSCODE,
                                key="teacher_passcode", disabled=closed, help=t("board.teacher.passcode.help"))
        pressed = st.form_submit_button(t("board.teacher.enter"), disabled=closed)
    if closed:
        st.sidebar.warning(t("board.teacher.locked", most=MOST_ATTEMPTS))
        return False
    if not pressed:
        return False
    if hmac.compare_digest((entered or "").encode("utf-8"), secret.encode("utf-8")):
        st.session_state[state.TEACHER] = _digest(secret)
        st.session_state.pop(state.TEACHER_ATTEMPTS, None)
        return True
    st.session_state[state.TEACHER_ATTEMPTS] = attempts + 1
    time.sleep(WRONG_SECONDS)  # guessing costs time
    st.sidebar.error(t("board.teacher.wrong", left=MOST_ATTEMPTS - attempts - 1))
    return False


def actions_ui(board, seconds: int) -> None:
    """The teacher's actions on `board` (a `BoardFolder`), in the sidebar; call it once `login_ui()` said the
    teacher is in. Each runs in its button's callback, before the page is drawn, so the page shows its result."""
    scan = board.scan()
    side = st.sidebar
    side.subheader(t("board.teacher.in"))
    notice = st.session_state.pop(state.TEACHER_NOTICE, None)
    if notice is not None:
        getattr(side, notice[0])(notice[1])
    side.caption(t("board.teacher.store"))
    side.code(str(board.root), language=None)
    side.button(t("board.teacher.challenge.off" if scan.challenge else "board.teacher.challenge.on"),
                key="teacher_challenge", help=t("board.teacher.challenge.help", mae=BOOK_MAE),
                on_click=_act, args=(board, seconds, "set_challenge", not scan.challenge))
    side.button(t("board.teacher.clear"), key="teacher_clear", help=t("board.teacher.clear.help"),
                on_click=_act, args=(board, seconds, "clear"))
    side.button(t("board.teacher.restore"), key="teacher_restore", disabled=not scan.cleared,
                on_click=_act, args=(board, seconds, "restore"))
    names = scan.nicknames()
    side.selectbox(t("board.teacher.hide.pick"), names, index=None, key="teacher_hide_pick", disabled=not names,
                   placeholder=t("board.teacher.hide.none"))
    side.button(t("board.teacher.hide"), key="teacher_hide", disabled=not names, help=t("board.teacher.hide.help"),
                on_click=_hide, args=(board, seconds))
    side.button(t("board.teacher.leave"), key="teacher_leave", on_click=st.session_state.pop, args=(state.TEACHER,))


def _hide(board, seconds: int) -> None:
    chosen = st.session_state.get("teacher_hide_pick")
    if isinstance(chosen, str) and chosen in board.scan().nicknames():
        _act(board, seconds, "hide", chosen)


def _act(board, seconds: int, action: str, *args) -> None:
    """Do one of `board`'s teacher actions if this session is still the teacher's; say what happened."""
    if not is_teacher():  # the server's passcode changed since this session entered it
        st.session_state[state.TEACHER_NOTICE] = ("error", t("board.teacher.expired"))
        return
    try:
        getattr(board, action)(*args)
    except OSError as error:
        st.session_state[state.TEACHER_NOTICE] = ("error", t("board.teacher.failed", error=error.strerror or error))
        return
    board.refresh()
    st.session_state[state.TEACHER_NOTICE] = ("success", t("board.teacher.done", seconds=seconds))
