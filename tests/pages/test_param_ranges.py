"""One range for every setting: a link parameter's, its widget's and its configuration's (`ui/params.py`,
`ui/controls.py`, the experiments' `__post_init__` checks).

Every lesson's bound parameters are read from the page itself (spies on `params.check` and on
`widgets.config_or_stop`, which builds the configurations from the widgets' values). For each: the widget has
the link's range; every configuration the page builds from it takes both ends of that range (and every choice),
so a value the link lets through never meets "invalid setting"; and a link with every value just inside passes
untouched, one with every value just outside is corrected in one notice naming each field and its range.

A range that depends on another field (the cells lesson's lag, below its sequence length) follows that field,
in the link, the widget and the configuration alike. A configuration may take more than a page offers (the
command line and "Train more" go past a page's epochs slider): the page's range is the one its link enforces.
"""

import pytest
from streamlit.testing.v1 import AppTest

from conftest import ROOT, open_page
from lstm_core.engine.config import ConfigError
from page_helpers import widget_values, widgets as drawn_widgets
from ui import i18n, params, widgets
from ui.lessons import LESSONS

LAB = "pages/training_size.py"
VARIANTS = [(lesson.url_path, lesson.file, {}) for lesson in LESSONS if lesson.url_path] + [
    ("training_size-sine", LAB, {"experiment": "sine"})]
IDS = [name for name, _, _ in VARIANTS]


@pytest.fixture
def seen(monkeypatch) -> dict:
    """What the page checks and builds: `params` (name → Param, as its last check had it), `configs`
    ((configuration type, values) of every `config_or_stop` call)."""
    found = {"params": {}, "configs": []}
    check, build = params.check, widgets.config_or_stop

    def check_spy(accepted):
        accepted = list(accepted)
        found["params"].update({param.name: param for param in accepted})
        return check(accepted)

    def build_spy(config_type, **values):
        found["configs"].append((config_type, dict(values)))
        return build(config_type, **values)

    monkeypatch.setattr(params, "check", check_spy)
    monkeypatch.setattr(widgets, "config_or_stop", build_spy)
    return found


def ranged(found: dict) -> dict:
    """The parameters with a range of numbers (a slider, a number input or a select slider of numbers)."""
    return {name: param for name, param in found.items()
            if not param.flag and not param.many and not (param.choices and isinstance(param.choices[0], str))}


def ends(param, at: dict) -> tuple:
    """The parameter's (low, high) when the fields it depends on have the values `at` (the page's defaults else)."""
    linked = params.bounded(param, at.get)
    return (min(linked.choices), max(linked.choices)) if linked.choices else (linked.low, linked.high)


def outside(param, value: float, direction: int):
    """A value just outside the range past `value`: one step for whole numbers and choices, a hair for decimals."""
    if param.whole or param.choices:
        return int(value) + direction
    return value + direction * max(1e-3, 0.01 * (param.high - param.low))


def shown(value) -> str:
    return str(value) if isinstance(value, int) else repr(value)


def with_dependents(values: dict, name: str, value) -> dict:
    """`values` with `name` set to `value` and every field whose range depends on it kept inside that range,
    as the page's widget keeps it."""
    values = {**values, name: value}
    for dependent, (other, limits, _) in params.dependent_ranges().items():
        if other == name and dependent in values:
            low, high = limits(value)
            values[dependent] = min(max(values[dependent], low), high)
    return values


def new_visit(page: str, query: dict):
    return open_page(AppTest.from_file(str(ROOT / "app.py"), default_timeout=180), page, query=query)


def notice(at) -> list[str]:
    return [w.value for w in at.warning if i18n.catalogue("en")["params.corrected"] in w.value]


@pytest.mark.parametrize("name, page, query", VARIANTS, ids=IDS)
def test_the_link_the_widget_and_every_configuration_take_the_same_range(app, seen, name, page, query):
    at = open_page(app, page, query=query)
    found = ranged(seen["params"])
    if not found:
        assert not seen["configs"], "a page that builds a configuration has settings in its link"
        return
    drawn = drawn_widgets(at)
    current = widget_values(at)
    for key, param in found.items():
        low, high = ends(param, current)
        kind, widget = drawn[key]
        if param.choices:
            assert [float(option) for option in widget.options] == [float(c) for c in param.choices], key
        else:
            assert (widget.min, widget.max) == (low, high), (key, (widget.min, widget.max), (low, high))
        for config_type, values in seen["configs"]:
            if key not in values:
                continue
            for value in (param.choices or (low, high)):
                try:
                    config_type(**with_dependents(values, key, value))
                except ConfigError as error:  # the link lets this value through: the configuration must take it
                    pytest.fail(f"{name}: ?{key}={shown(value)} passes the link but {config_type.__name__} "
                                f"refuses it: {error}")


@pytest.mark.parametrize("name, page, query", VARIANTS, ids=IDS)
def test_values_just_inside_pass_and_just_outside_are_corrected_naming_the_field_and_its_range(
        app, seen, name, page, query):
    open_page(app, page, query=query)
    found = ranged({key: param for key, param in seen["params"].items() if key not in query})
    if not found:
        return
    english = i18n.catalogue("en")
    for side, direction in ((0, -1), (1, 1)):
        inside = {}
        for key, param in found.items():  # the fields others depend on first: the others' ends follow them
            inside[key] = ends(param, {k: v for k, v in inside.items()})[side]
        at = new_visit(page, {**query, **{key: shown(value) for key, value in inside.items()}})
        assert not notice(at) and not at.error, (side, [w.value for w in at.warning], [e.value for e in at.error])
        values = widget_values(at)
        assert {key: values[key] for key in inside} == pytest.approx(inside)

        beyond = {key: outside(param, inside[key], direction) for key, param in found.items()}
        at = new_visit(page, {**query, **{key: shown(value) for key, value in beyond.items()}})
        assert not at.error, [e.value for e in at.error]  # corrected before any configuration sees it
        shown_notice = notice(at)
        assert len(shown_notice) == 1, [w.value for w in at.warning]
        values = widget_values(at)
        for key, param in found.items():
            linked = params.bounded(param, values.get)
            assert f"`{key}`" in shown_notice[0] and linked.allowed() in shown_notice[0], (key, shown_notice[0])
            assert values[key] == pytest.approx(inside[key]), key  # clamped to the end it was past
        assert shown_notice[0].count("\n- `") == len(found)
        assert english["params.corrected"] in shown_notice[0]


def test_the_cells_lag_follows_the_sequence_length_in_the_link_the_widget_and_the_configuration(app):
    from lstm_core.experiments import CellsConfig

    at = open_page(app, "pages/cells.py", query={"lag": "100000"})
    assert "`lag` is above 49: it must be a whole number from 0 to 49; using **49**." in notice(at)[0]
    assert at.slider(key="lag").value == 49 and at.slider(key="lag").max == 49 and not at.error

    at = new_visit("pages/cells.py", {"length": "20", "lag": "19"})
    assert not notice(at) and at.slider(key="lag").value == 19 and at.slider(key="lag").max == 19
    at = new_visit("pages/cells.py", {"length": "20", "lag": "20"})
    assert "`lag` is above 19: it must be a whole number from 0 to 19; using **19**." in notice(at)[0]
    with pytest.raises(ConfigError, match="lag must be from 0 to 19") as error:
        CellsConfig(length=20, lag=20)
    assert error.value.field == "lag"

    at = new_visit("pages/cells.py", {"length": "15"})  # a shorter sequence: the default lag (20) moves inside
    assert not notice(at) and not at.error and at.slider(key="lag").value == 14
