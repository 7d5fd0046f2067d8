"""
Safe URL query parameters for the lesson pages.

A lesson's controls are bound to the address (`bind="query-params"`), so a
teacher can share `…/sine?units=4&period=17` and every student opens the same
settings. Streamlit 1.67 already ignores a value its widget cannot take, but
silently: `?units=999`, `?units=-5`, `?units=abc` or `?units=4&units=8` just
give the default and vanish from the address. Here every parameter comes from
the same declaration as its widget (`ui/controls.py`), so it has the widget's
range, and `check()`, called before the widgets are drawn, looks at the
address once per page visit:

- missing: nothing happens (the widget's default);
- a number outside the range (`999`, `-5`, `1e308`, `inf`): clamped to the
  nearest end (or the nearest allowed choice); a range that depends on
  another parameter (the cells lesson's lag, below its sequence length) is
  the one the configuration gives for that parameter's value (`bounded`);
- not a number, `nan`, empty or absurdly long: the default;
- a number with decimals for a whole-number widget: its whole part;
- repeated (`?units=4&units=8`): the last one, checked as above;
- a word that is not one of a choice's options (`?experiment=evil`): the default;
- a list (`?sizes=100&sizes=500`, or `?sizes=100,500`): its allowed values, the others dropped;

and every correction is listed in one `st.warning` naming the parameter and
its allowed range (in the page's language: the reasons carry catalogue
keys, see `Reason`). The corrected value reaches the widget through
`st.session_state`, which Streamlit applies when the URL value is rejected.
Nothing from the address is ever evaluated, and the raw text is never echoed
back into the page (only numbers parsed from it).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from urllib.parse import urlencode

import streamlit as st

from ui import i18n

MAX_TEXT = 64  # longer query values are not numbers a student typed: fall back to the default


class Reason(str):
    """Why a value was corrected: its English text (a plain `str` for logs and tests), with the
    catalogue key `params.<key>` and the fields to say it in the page's language (`text()`)."""

    def __new__(cls, key: str, **fields):
        reason = super().__new__(cls, _english(f"params.{key}", **fields))
        reason.key, reason.fields = key, fields
        return reason

    def text(self, t=None) -> str:
        """The reason in the language of `t` (`ui.i18n.t`, the page's language, by default)."""
        t = t or i18n.t
        values = {name: value.text(t) if isinstance(value, Reason) else value for name, value in self.fields.items()}
        return t(f"params.{self.key}", **values)


def _english(key: str, **values) -> str:
    return i18n.catalogue(i18n.DEFAULT_LANGUAGE)[key].format(**values)


def _shown(value) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(_shown(v) for v in value)
    if isinstance(value, bool):
        return str(value).lower()
    return f"{value:g}" if isinstance(value, (int, float)) else str(value)


@dataclass(frozen=True)
class Param:
    """One query parameter (= its widget's `key`): a number in [low, high], one of `choices` (numbers or
    words), a `flag` (true or false), or with `many` a list of `choices`."""

    name: str
    low: float
    high: float
    default: object
    whole: bool = True
    choices: tuple = ()
    flag: bool = False
    many: bool = False
    within: tuple | None = None  # the declared (low, high), when `bounded` narrowed it for another field's value

    def allowed(self, t=None) -> str:
        """The values the widget takes, in the language of `t` (`ui.i18n.t`; English without it)."""
        text = t or _english
        if self.flag:
            return text("params.allowed.choices", choices="true, false")
        if self.choices:
            return text("params.allowed.many" if self.many else "params.allowed.choices",
                        choices=_shown(self.choices))
        kind = "params.allowed.whole" if self.whole else "params.allowed.number"
        return text(kind, low=f"{self.low:g}", high=f"{self.high:g}")

    def shown(self, value) -> str:
        return _shown(value)

    def resolve(self, raw: list[str]):
        """`(value to use, None)` if `raw` is fine as it is, else `(corrected value, why)`."""
        if self.many:
            return self._resolve_many(raw)
        if not raw:
            return self.default, Reason("empty")
        if len(raw) > 1:  # as Streamlit's number input does: the last one counts
            value, why = self.resolve(raw[-1:])
            return value, Reason("repeated_and", why=why) if why else Reason("repeated")
        text = raw[0].strip()
        if not text or len(text) > MAX_TEXT:
            return self.default, Reason("too_long")
        if self.flag:
            if text.lower() in ("true", "false"):
                return text.lower() == "true", None
            return self.default, Reason("not_choice")
        if self.choices and isinstance(self.choices[0], str):
            return (text, None) if text in self.choices else (self.default, Reason("not_choice"))
        try:
            number = float(text)
        except ValueError:
            return self.default, Reason("not_number")
        if math.isnan(number):
            return self.default, Reason("not_number")
        if self.choices:
            if number in self.choices:
                return self._typed(number), None
            nearest = min(self.choices, key=lambda c: (abs(c - number), c))
            return nearest, Reason("not_choice")
        if number < self.low:
            return self._typed(self.low), Reason("below", low=f"{self.low:g}")
        if number > self.high:
            return self._typed(self.high), Reason("above", high=f"{self.high:g}")
        if self.whole and number != int(number):  # as Streamlit does: the whole part
            return self._typed(number), Reason("not_whole")
        return self._typed(number), None

    def _resolve_many(self, raw: list[str]):
        """The allowed values of a list, in the order of the choices; the others dropped (none left: the default)."""
        given = [part.strip() for text in raw[:64] for part in text[:MAX_TEXT * 8].split(",") if part.strip()]
        single = dataclasses.replace(self, many=False)
        values = [single.resolve([text]) for text in given]
        kept = [choice for choice in self.choices if any(why is None and value == choice for value, why in values)]
        if not kept:
            return list(self.default), Reason("not_choice")
        if any(why is not None for _, why in values):
            return kept, Reason("not_choice")
        if any("," in text for text in raw):  # the widget reads only repeated parameters
            return kept, Reason("commas")
        return kept, None

    def _typed(self, number: float):
        return int(number) if self.whole else float(number)


def whole_number(name: str, low: int, high: int, default: int) -> Param:
    """A slider or number input of whole numbers."""
    return Param(name, low, high, default, whole=True)


def number(name: str, low: float, high: float, default: float) -> Param:
    """A slider of decimal numbers."""
    return Param(name, low, high, default, whole=False)


def choice(name: str, choices, default) -> Param:
    """A select slider of numbers (a value between two choices goes to the nearest), or a choice of words."""
    choices = tuple(choices)
    if isinstance(choices[0], str):
        return Param(name, 0, 0, default, whole=False, choices=choices)
    return Param(name, min(choices), max(choices), default, whole=isinstance(default, int), choices=choices)


def flag(name: str, default: bool) -> Param:
    """A toggle: `true` or `false`."""
    return Param(name, 0, 1, default, flag=True)


def many(name: str, choices, default) -> Param:
    """A multiselect of numbers: a list of choices."""
    choices = tuple(choices)
    return Param(name, min(choices), max(choices), list(default), whole=isinstance(choices[0], int),
                 choices=choices, many=True)


def dependent_ranges() -> dict:
    """Ranges that depend on another field, as the experiments' configurations declare them (`DEPENDENT_RANGES`,
    e.g. the cells lesson's lag, below its sequence length): name → (the other field, its value → (low, high),
    the other field's default)."""
    from lstm_core import experiments

    found = {}
    for experiment in experiments.EXPERIMENTS.values():
        defaults = {field.name: field.default for field in dataclasses.fields(experiment.config)}
        for name, (other, limits) in getattr(experiment.config, "DEPENDENT_RANGES", {}).items():
            found[name] = (other, limits, defaults.get(other))
    return found


def bounded(param: Param, value_of=None) -> Param:
    """`param` with the range its configuration gives it for the current value of the field it depends on
    (`value_of(name)`, by default the session's, else the configuration's default), within its own range."""
    rule = dependent_ranges().get(param.name)
    if rule is None or param.choices or param.flag:
        return param
    other, limits, default = rule
    value = value_of(other) if value_of is not None else None
    if value is None:
        value = st.session_state.get(other, default)
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return param
    declared = param.within or (param.low, param.high)
    low, high = limits(value)
    return dataclasses.replace(param, low=max(declared[0], low), high=min(declared[1], high), within=declared)


def corrections(query: dict[str, list[str]], accepted) -> list[tuple[Param, float, str]]:
    """The parameters of `query` (name → all its values) that need correcting: `(param, value, why)`.

    A range that depends on another parameter follows that parameter's value as this check leaves it (the
    link's, corrected), so `?length=20&lag=30` corrects the lag to 19."""
    accepted = list(accepted)
    dependent = dependent_ranges()
    resolved = {}
    found = []
    for index, param in sorted(enumerate(accepted), key=lambda item: item[1].name in dependent):  # others first
        param = bounded(param, resolved.get)
        raw = query.get(param.name)
        if raw is None:
            continue
        value, why = param.resolve(list(raw))
        resolved[param.name] = value
        if why is not None:
            found.append((index, param, value, why))
    return [(param, value, why) for _, param, value, why in sorted(found, key=lambda item: item[0])]


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
        lines = [i18n.t("params.line", name=param.name, why=why.text(),
                        allowed=param.allowed(i18n.t), value=param.shown(value)) for param, value, why in found]
        st.warning(i18n.t("params.corrected") + "\n" + "\n".join(lines))


def present() -> bool:
    """`?present=1` (or true, yes, on): the projector's view, without the sidebar (see app.py)."""
    return st.query_params.get("present", "").lower() in ("1", "true", "yes", "on")


def link_query(values: dict) -> dict:
    """Link parameters (name → value) as the address holds them: numbers as written (`0.05`, `10000`), flags
    as `true`/`false`, a list as the parameter repeated (`st.switch_page(..., query_params=...)` takes it)."""
    def text(value) -> str:
        if isinstance(value, bool):
            return str(value).lower()
        return repr(value) if isinstance(value, float) else str(value)

    return {name: [text(v) for v in value] if isinstance(value, (list, tuple)) else text(value)
            for name, value in values.items()}


def lesson_link(url_path: str, values: dict) -> str:
    """The address of a lesson opened with these link parameters, relative to the app (`sine?units=4&depth=1`),
    so that it works under any base URL."""
    query = urlencode(link_query(values), doseq=True)
    return f"{url_path}?{query}" if query else url_path
