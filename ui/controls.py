"""
One declaration per control: its widget and its link parameter, with the
same key, range and default.

A lesson lists its controls once (`Control`s); `widget()` draws one bound to
the address (`bind="query-params"`), `params.check(controls)` corrects bad
link values against the very same ranges before the widgets are drawn, and a
preset sets controls by their keys. The ranges follow the teacher's limits
(`LSTM_EXPLORER_MAX_UNITS`, ...) at every run, since pages declare their
controls when they run.

The kinds: `slider` (a number in [low, high], with `step`), `range` (a pair,
not bound to the link), `select_slider`, `number` (a whole-number input),
`radio` and `select` (words or numbers among `choices`), `toggle` and
`multiselect` (a list of `choices`).
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from ui import params

NUMERIC = ("slider", "number")
BOUND_KEYS: set = set()  # every link-bound control key drawn in this process (lessons share some: units, seed)


@dataclass(frozen=True)
class Control:
    key: str  # widget key = link parameter = (mostly) configuration field
    kind: str
    default: object
    low: float | None = None
    high: float | None = None
    step: float | None = None
    choices: tuple = ()
    format: str | None = None
    bound: bool = True  # kept in the link

    def param(self) -> params.Param | None:
        """The link parameter, with the widget's own range (a range that depends on another field, such as the
        cells lesson's lag, follows that field's value now: `params.bounded`)."""
        if not self.bound:
            return None
        if self.kind in NUMERIC:
            whole = isinstance(self.default, int)
            maker = params.whole_number if whole else params.number
            return params.bounded(maker(self.key, self.low, self.high, self.default))
        if self.kind == "toggle":
            return params.flag(self.key, bool(self.default))
        if self.kind == "multiselect":
            return params.many(self.key, self.choices, self.default)
        return params.choice(self.key, self.choices, self.default)

    def widget(self, label: str, help: str, where=None, **options):
        """Draw the widget (in `where`: a container, the sidebar, a form; the page by default); its value."""
        where = where if where is not None else st
        common = dict(key=self.key, help=help, **options)
        if self.bound:
            common["bind"] = "query-params"
            BOUND_KEYS.add(self.key)
        low, high, default = self.low, self.high, self.default
        if self.bound and self.kind in NUMERIC:
            linked = self.param()  # the link's range, which may depend on another field's value
            low, high = type(self.low)(linked.low), type(self.high)(linked.high)
            default = min(max(default, low), high)
            if (low, high) != (self.low, self.high) and self.key in st.session_state:
                # The range moved with the field it depends on: the value stays inside it (and the slider keeps it).
                st.session_state[self.key] = min(max(st.session_state[self.key], low), high)
        if self.kind == "slider" and low >= high:  # a teacher's limit leaves one value; a slider needs two
            return type(self.low)(where.number_input(label, low, low, low, disabled=True, **common))
        if self.kind in ("slider", "range"):
            value = where.slider(label, low, high, default, step=self.step, format=self.format, **common)
            return tuple(value) if self.kind == "range" else value
        if self.kind == "number":
            return int(where.number_input(label, int(low), int(high), int(default), **common))
        if self.kind == "select_slider":
            return where.select_slider(label, list(self.choices), self.default, **common)
        if self.kind == "radio":
            return where.radio(label, list(self.choices), index=list(self.choices).index(self.default), **common)
        if self.kind == "select":
            return where.selectbox(label, list(self.choices), index=list(self.choices).index(self.default),
                                   **common)
        if self.kind == "toggle":
            return where.toggle(label, bool(self.default), **common)
        if self.kind == "multiselect":
            return where.multiselect(label, list(self.choices), list(self.default), **common)
        raise ValueError(f"unknown control kind {self.kind!r}")


def slider(key, low, high, default, **options) -> Control:
    return Control(key, "slider", default, low, high, **options)


def number(key, low, high, default) -> Control:
    return Control(key, "number", default, low, high)


def choice(key, choices, default, kind: str = "select_slider") -> Control:
    choices = tuple(choices)
    return Control(key, kind, default if default in choices else choices[-1], choices=choices)


def bounded(choices, most: int) -> tuple:
    """The choices a teacher's limit allows (the limit itself if none is that small)."""
    return tuple(value for value in choices if value <= most) or (most,)


def parameters(controls) -> list:
    """The link parameters of `controls` (for `params.check`)."""
    return [param for param in (control.param() for control in controls) if param is not None]


def training(config_type, sizes, *, most_epochs: int) -> dict:
    """The controls every experiment has: units, training size (among `sizes`), epochs (at most
    `most_epochs`) and seed, from the configuration's defaults, within the teacher's limits."""
    from lstm_core.engine.config import max_epochs, max_train_size, max_units

    return {
        "units": slider("units", 1, max_units(), min(config_type.units, max_units())),
        "train_size": choice("train_size", bounded(sizes, max_train_size()), config_type.train_size),
        "epochs": slider("epochs", 1, min(most_epochs, max_epochs()), min(config_type.epochs, max_epochs())),
        "seed": number("seed", 0, 10_000, config_type.seed),
    }


def wave(periods=(5, 40), decays=(0.0, 0.2)) -> dict:
    """A test wave's period and decay (instant: they change the wave shown, not the model)."""
    return {"period": slider("period", periods[0], periods[1], 15),
            "decay": slider("decay", float(decays[0]), float(decays[1]), 0.05, step=0.005, format="%.3f")}
