"""
Every `st.session_state` key the app sets outside its widgets, named in one
place (a widget's own state is under its key, which is also its link
parameter: see `ui/controls.py`).
"""

LANGUAGE = "lang"  # the language switch (a widget, bound to the link)
PRESET = "preset"  # the preset menu's choice
PRESET_LOWERED = "preset_lowered"  # the settings the last preset had to lower to the teacher's limits
STORE_NOTICE_SHOWN = "store_notice_shown"  # the unwritable-store notice was shown in this session
LESSON = "lesson"  # the URL path of the lesson the session drew last
REQUESTED = "requested"  # keys of the configurations Train was pressed for in this session (the lab's sizes)
TEACHER = "teacher"  # the passcode's digest once the teacher entered it in this session (ui/teacher.py)
TEACHER_ATTEMPTS = "teacher_attempts"  # wrong passcodes entered in this session
TEACHER_NOTICE = "teacher_notice"  # what the teacher's last action did: (kind, text), shown once
SHARES = "shares"  # how many times this session shared a run on the class board
BOARD_OPENED = "board_opened"  # the board's last clicked point this session acted on


def continued(page: str) -> str:
    """Per page: sidebar configuration key → the configuration "Train more" continued it into."""
    return f"{page}_continued"


def sidebar_key(page: str) -> str:
    """Per page: the key of the configuration the sidebar asks for."""
    return f"{page}_sidebar_key"


def pinned(page: str) -> str:
    """Per page: the configuration of the pinned run."""
    return f"{page}_pinned"


def moment(page: str) -> str:
    """Per page: the replay's moment of training the step buttons last showed (a snapshot index)."""
    return f"{page}_moment"
