"""Link parameters across the lessons (`ui/controls.py`, `ui/params.py`).

Every control bound to the address has one declaration for its widget and its link parameter. These tests
read the parameters a page really checks (a spy on `params.check`) and hold them against the widgets the
page really draws: the same range and default, and a bad value for each of them is corrected to what
`Param.resolve` says, in one notice naming every parameter and its allowed values.
"""

import pytest
from streamlit.testing.v1 import AppTest

from conftest import ROOT, open_page
from lstm_core import ladder
from page_helpers import prompts, widget_values, widgets
from ui import i18n, params
from ui.lessons import LESSONS

LAB = "pages/training_size.py"
# Every lesson with controls, and the lab once more with the sine experiment (it has other controls).
VARIANTS = [(lesson.url_path, lesson.file, {}) for lesson in LESSONS if lesson.url_path] + [
    ("training_size-sine", LAB, {"experiment": "sine"})]
IDS = [name for name, _, _ in VARIANTS]
UNBOUND = {"lang", "preset", "feedback", "period_range", "decay_range"}  # kept out of the link on purpose


def new_visit():
    """Another student opening a link: a new session (the `app` fixture's store and cleared caches)."""
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)


@pytest.fixture
def checked(monkeypatch) -> list:
    """The link parameters each `params.check` call of the page got, call after call."""
    calls = []
    real = params.check

    def spy(accepted):
        calls.append(list(accepted))
        return real(accepted)

    monkeypatch.setattr(params, "check", spy)
    return calls


def by_name(calls) -> dict:
    found = {}
    for call in calls:
        for param in call:
            assert found.get(param.name, param) == param, f"{param.name} checked twice with two ranges"
            found[param.name] = param
    return found


def bad_value(param: params.Param) -> str:
    """A value the parameter must correct: not a flag, not a word it knows, a list of nothing it offers, too big."""
    if param.flag:
        return "yes"
    if param.many:
        return "1,2,3"
    if param.choices and isinstance(param.choices[0], str):
        return "evil"
    return "1e9"


def same(shown, wanted) -> bool:
    if isinstance(wanted, (list, tuple)):
        return list(shown) == list(wanted)
    if isinstance(wanted, float):
        return shown == pytest.approx(wanted)
    return shown == wanted and type(shown) is type(wanted)


def notices(at) -> list[str]:
    return [w.value for w in at.warning if i18n.catalogue("en")["params.corrected"] in w.value]


@pytest.mark.parametrize("name, page, query", VARIANTS, ids=IDS)
def test_every_link_parameter_has_its_widgets_range_and_default(app, checked, name, page, query):
    at = open_page(app, page, query=query)
    found = by_name(checked)
    drawn = widgets(at)
    assert found and set(found) <= set(drawn), sorted(set(found) - set(drawn))
    for key, param in found.items():
        kind, widget = drawn[key]
        if param.flag:
            assert kind == "toggle", key
        elif param.choices:
            assert kind in ("select_slider", "radio", "selectbox", "multiselect") and param.many == (
                kind == "multiselect"), key
            assert list(widget.options) == [str(widget.format_func(choice)) for choice in param.choices], key
        else:
            assert kind in ("slider", "number_input"), key
            assert (widget.min, widget.max) == (param.low, param.high), key
        default = query.get(key, param.default)
        assert same(widget.value, list(default) if param.many else default), (key, widget.value, param.default)
    assert set(drawn) - set(found) <= UNBOUND, sorted(set(drawn) - set(found) - UNBOUND)  # every other is linked


@pytest.mark.parametrize("name, page, query", VARIANTS, ids=IDS)
def test_a_bad_value_for_each_control_gives_one_notice_naming_it_and_its_range(app, checked, name, page, query):
    open_page(app, page, query=query)
    found = by_name(checked)
    bad = {key: bad_value(param) for key, param in found.items() if key not in query}

    at = open_page(new_visit(), page, query={**query, **bad})
    assert not at.error
    shown = notices(at)
    assert len(shown) == 1, shown  # one notice, however many parameters were wrong
    assert len(at.warning) == 1
    english = i18n.catalogue("en")
    values = widget_values(at)
    for key, raw in bad.items():
        param = params.bounded(found[key], values.get)  # a range that depends on another field: at its value now
        value, why = param.resolve([raw])
        assert why is not None, key
        line = english["params.line"].format(name=key, why=why, allowed=param.allowed(), value=param.shown(value))
        assert line in shown[0], (line, shown[0])
        assert same(values[key], value), (key, values[key], value)
    assert shown[0].count("\n- `") == len(bad)  # one line per parameter, no other
    at.run()
    assert not notices(at)  # once per visit, not on every rerun


def test_the_labs_experiment_and_sizes_are_checked_in_the_one_notice(app):
    at = open_page(app, LAB, query={"experiment": "evil", "sizes": "1,2,3"})
    shown = notices(at)
    assert len(shown) == 1 and len(at.warning) == 1, [w.value for w in at.warning]
    choices = ", ".join(map(str, ladder.SIZE_CHOICES))
    defaults = ", ".join(map(str, ladder.DEFAULT_SIZES))
    assert ("`experiment` is not one of the choices: it must be one of rectangles, sine; using **rectangles**."
            in shown[0])
    assert f"`sizes` is not one of the choices: it must be a list of {choices}; using **{defaults}**." in shown[0]
    assert at.radio(key="experiment").value == "rectangles"
    assert at.multiselect(key="sizes").value == list(ladder.DEFAULT_SIZES)
    assert prompts(at)  # nothing trained


def test_a_list_is_repeated_parameters_and_commas_are_corrected_with_a_notice(app):
    at = open_page(app, LAB, query={"sizes": ["100", "500"]})
    assert not notices(at) and at.multiselect(key="sizes").value == [100, 500]
    again = open_page(new_visit(), LAB, query={"sizes": "100,500"})
    assert again.multiselect(key="sizes").value == [100, 500]
    assert any("`sizes` lists its values with commas" in notice for notice in notices(again))


def test_a_link_opens_the_sine_lesson_with_its_settings(app):
    at = open_page(app, "pages/sine.py", query={"period": "17", "decay": "0.08", "units": "4", "depth": "1",
                                                "epochs": "3", "seed": "7", "train_size": "500", "recipe": "book"})
    assert not at.warning
    values = {key: value for key, value in widget_values(at).items() if key not in ("lang", "preset")}
    assert values == {"period": 17, "decay": pytest.approx(0.08), "units": 4, "depth": 1, "epochs": 3,
                      "seed": 7, "train_size": 500, "recipe": "book"}


def test_a_link_opens_the_lab_with_its_ladder(app):
    at = open_page(app, LAB, query={"experiment": "sine", "units": "7", "depth": "1", "epochs": "3", "seed": "2",
                                    "period": "18", "sizes": ["100", "500"]})
    assert not at.warning
    assert at.radio(key="experiment").value == "sine"
    values = widget_values(at)
    assert {key: values[key] for key in ("units", "depth", "epochs", "seed", "period", "sizes")} == \
        {"units": 7, "depth": 1, "epochs": 3, "seed": 2, "period": 18, "sizes": (100, 500)}


def test_a_lesson_opens_on_its_own_settings_not_on_what_another_lesson_left_under_a_shared_key(app):
    """Streamlit keeps a bound widget's value when its page stops drawing it; lessons share `units` and `seed`."""
    at = open_page(app, "pages/sine.py", query={"units": "4", "seed": "8"})
    assert at.slider(key="units").value == 4 and at.number_input(key="seed").value == 8
    for page in ("pages/rectangles.py", "pages/forecasting.py"):
        at.switch_page(page).run()
        assert not at.exception, [e.value for e in at.exception]
    from lstm_core.experiments import ForecastConfig

    assert at.slider(key="units").value == ForecastConfig.units
    assert at.number_input(key="seed").value == ForecastConfig.seed
