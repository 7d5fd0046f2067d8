"""
Safe URL query parameters for the lesson pages.

A lesson's sliders are bound to the address (`bind="query-params"`), so a
teacher can share `…/sine?units=4&period=17` and every student opens the same
settings. Streamlit 1.67 already ignores a value its widget cannot take, but
silently: `?units=999`, `?units=-5`, `?units=abc` or `?units=4&units=8` just
give the default and vanish from the address. Here each page declares the
parameters it accepts with the same ranges as its widgets, and `check()`,
called before the widgets are drawn, looks at the address once per page
visit:

- missing: nothing happens (the widget's default);
- a number outside the range (`999`, `-5`, `1e308`, `inf`): clamped to the
  nearest end (or the nearest allowed choice);
- not a number, `nan`, empty or absurdly long: the default;
- a number with decimals for a whole-number widget: its whole part;
- repeated (`?units=4&units=8`): the last one, checked as above;

and every correction is listed in one `st.warning` naming the parameter and
its allowed range. The corrected value reaches the widget through
`st.session_state`, which Streamlit applies when the URL value is rejected.
Nothing from the address is ever evaluated, and the raw text is never echoed
back into the page (only numbers parsed from it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import streamlit as st

MAX_TEXT = 64  # longer query values are not numbers a student typed: fall back to the default


@dataclass(frozen=True)
class Param:
    """One query parameter (= its widget's `key`): a number in [low, high], or one of `choices`."""

    name: str
    low: float
    high: float
    default: float
    whole: bool = True
    choices: tuple = ()

    def allowed(self) -> str:
        if self.choices:
            return "one of " + ", ".join(f"{c:g}" for c in self.choices)
        kind = "a whole number" if self.whole else "a number"
        return f"{kind} from {self.low:g} to {self.high:g}"

    def resolve(self, raw: list[str]) -> tuple[float, str | None]:
        """`(value to use, None)` if `raw` is fine as it is, else `(corrected value, why)`."""
        if not raw:
            return self.default, "is empty"
        if len(raw) > 1:  # as Streamlit's number input does: the last one counts
            value, why = self.resolve(raw[-1:])
            return value, "was given more than once" + (f" and its last value {why}" if why else "")
        text = raw[0].strip()
        if not text or len(text) > MAX_TEXT:
            return self.default, "is empty or too long"
        try:
            number = float(text)
        except ValueError:
            return self.default, "is not a number"
        if math.isnan(number):
            return self.default, "is not a number"
        if self.choices:
            if number in self.choices:
                return self._typed(number), None
            nearest = min(self.choices, key=lambda c: (abs(c - number), c))
            return nearest, "is not one of the choices"
        if number < self.low:
            return self._typed(self.low), f"is below {self.low:g}"
        if number > self.high:
            return self._typed(self.high), f"is above {self.high:g}"
        if self.whole and number != int(number):  # as Streamlit does: the whole part
            return self._typed(number), "is not a whole number"
        return self._typed(number), None

    def _typed(self, number: float):
        return int(number) if self.whole else float(number)


def whole_number(name: str, low: int, high: int, default: int) -> Param:
    """A slider or number input of whole numbers."""
    return Param(name, low, high, default, whole=True)


def number(name: str, low: float, high: float, default: float) -> Param:
    """A slider of decimal numbers."""
    return Param(name, low, high, default, whole=False)


def choice(name: str, choices, default) -> Param:
    """A select slider of numbers: a value between two choices goes to the nearest."""
    choices = tuple(choices)
    return Param(name, min(choices), max(choices), default, whole=isinstance(default, int), choices=choices)


def corrections(query: dict[str, list[str]], accepted) -> list[tuple[Param, float, str]]:
    """The parameters of `query` (name → all its values) that need correcting: `(param, value, why)`."""
    found = []
    for param in accepted:
        raw = query.get(param.name)
        if raw is None:
            continue
        value, why = param.resolve(list(raw))
        if why is not None:
            found.append((param, value, why))
    return found


def check(accepted) -> None:
    """Correct bad query parameters for this page's widgets and say so in one notice.

    Call it before the widgets. A parameter is looked at only while its widget
    has no value in this session yet (page opened or reloaded), so a rerun
    never warns twice.
    """
    fresh = [p for p in accepted if p.name in st.query_params and p.name not in st.session_state]
    query = {p.name: st.query_params.get_all(p.name) for p in fresh}
    found = corrections(query, fresh)
    for param, value, _ in found:
        # Streamlit applies this when it rejects the URL value too (else its own reading wins,
        # which `resolve` matches); .streamlit/config.toml silences its log line about it.
        st.session_state[param.name] = value
    if found:
        lines = [f"- `{param.name}` {why}: it must be {param.allowed()}; using **{value:g}**."
                 for param, value, why in found]
        st.warning("Some settings in the page address were corrected:\n" + "\n".join(lines))
