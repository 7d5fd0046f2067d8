"""The preset menus of every lesson (`lstm_core.presets.PRESETS`): a preset sets the page's controls to its
configuration and view, says what to look for, and never starts a training."""

import dataclasses

import pytest
from streamlit.testing.v1 import AppTest

from conftest import ROOT, open_page
from lstm_core import presets
from lstm_core.experiments import ForecastConfig
from page_helpers import HAN, widget_values, trainings
from ui import i18n
from ui.lessons import LESSONS

PAGES = {lesson.url_path: lesson.file for lesson in LESSONS}
CASES = [(lesson, preset) for lesson, menu in presets.PRESETS.items() for preset in menu]


def expected_values(lesson: str, preset) -> tuple[dict, set]:
    """`(control values the preset must set, keys that must be on the page)`, from the preset itself.

    The fields of its first configuration that are controls of the page (on the lab: every rung's size; on the
    cells page, an SGD run sets the explode_* controls), then its view; the view's keys, and on the lab and
    the SGD run and the gradient through time every key, must be controls.
    """
    first = preset.configs[0] if preset.configs else None
    if lesson == "training_size":
        values = {"experiment": first.experiment, "sizes": tuple(config.train_size for config in preset.configs),
                  "units": first.units, "epochs": first.epochs, "seed": first.seed}
        if first.experiment == "sine":
            values["depth"] = first.depth
        return {**values, **preset.view}, set(values) | set(preset.view)
    if first is not None and first.experiment == "explode":
        values = {"explode_cell": first.cell, "explode_learning_rate": first.learning_rate,
                  "explode_clip": first.clipnorm > 0}
        return {**values, **preset.view}, set(values) | set(preset.view)
    if first is not None and first.experiment == "throughtime":  # the cells page's gradient-through-time section
        values = {"through_scale": first.scale, "through_length": first.length}
        return {**values, **preset.view}, set(values) | set(preset.view)
    fields = dataclasses.asdict(first) if first is not None else {}
    return {**fields, **preset.view}, set(preset.view)


def same(shown, wanted) -> bool:
    """A widget's value is the preset's (numbers to float precision, a range as a pair)."""
    if isinstance(wanted, (tuple, list)):
        return len(shown) == len(wanted) and all(same(a, b) for a, b in zip(shown, wanted))
    if isinstance(wanted, (int, float)) and not isinstance(wanted, bool):
        return not isinstance(shown, bool) and shown == pytest.approx(wanted)
    return shown == wanted


def changed_controls(app, lesson: str, before: dict, after: dict) -> set:
    """The controls whose value differs from the lesson's default (`before`, the page as it opened). On the lab, a
    preset of the other experiment changes `experiment` and is compared with that experiment's defaults."""
    found = set()
    if after.get("experiment", before.get("experiment")) != before.get("experiment"):
        found.add("experiment")
        before = widget_values(open_page(AppTest.from_file(str(ROOT / "app.py"), default_timeout=180), PAGES[lesson],
                                         query={"experiment": after["experiment"]}))
    assert set(after) == set(before), sorted(set(after) ^ set(before))  # the same controls, other values
    moved = {key for key, value in after.items() if not same(value, before[key])}
    return found | (moved - {"preset", "lang"})


@pytest.mark.parametrize("lesson, preset", CASES, ids=[f"{lesson}-{preset.name}" for lesson, preset in CASES])
def test_a_preset_sets_the_controls_says_what_to_look_for_and_trains_nothing(app, lesson, preset):
    at = open_page(app, PAGES[lesson])
    defaults = widget_values(at)
    at.selectbox(key="preset").set_value(preset.name).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]  # every preset is a valid configuration
    assert not at.warning, [w.value for w in at.warning]  # nothing lowered: the default limits allow every preset
    shown = widget_values(at)
    wanted, required = expected_values(lesson, preset)
    assert required <= set(shown), sorted(required - set(shown))
    checked = {key: value for key, value in wanted.items() if key in shown}
    assert checked and [key for key, value in checked.items() if not same(shown[key], value)] == [], \
        {key: (shown[key], value) for key, value in checked.items()}
    if preset.configs and lesson != "training_size":  # the model's own settings, not only the view
        assert {"units", "explode_cell", "through_scale"} & set(checked), sorted(checked)
    english = i18n.catalogue("en")
    title, note = english[f"preset.{lesson}.{preset.name}"], english[f"preset.{lesson}.{preset.name}.note"]
    assert any(info.value == f"**{title}**: {note}" for info in at.info), [info.value for info in at.info]
    assert trainings() == 0  # a preset never starts a training: Train does
    # What it changes from the lesson's default is what it declares (and its note names: tests/core/test_presets.py).
    assert changed_controls(app, lesson, defaults, shown) == set(preset.changes), preset.changes


def test_every_preset_has_a_title_and_a_note_in_both_catalogues():
    english, chinese = i18n.catalogue("en"), i18n.catalogue("zh")
    for lesson, preset in CASES:
        for key in (f"preset.{lesson}.{preset.name}", f"preset.{lesson}.{preset.name}.note"):
            assert english.get(key, "").strip() and HAN.search(chinese.get(key, "")), key
    keys = {key for key in english if key.startswith("preset.") and key.count(".") >= 2}
    named = {f"preset.{lesson}.{preset.name}" for lesson, preset in CASES}
    assert {key.removesuffix(".note") for key in keys} <= named  # no note of a lost preset


def test_every_lesson_with_a_preset_menu_is_a_lesson_and_preset_names_are_unique():
    assert set(presets.PRESETS) <= set(PAGES)
    for lesson, menu in presets.PRESETS.items():
        names = [preset.name for preset in menu]
        trains = any(preset.configs for preset in menu)  # a training lesson's menu: a good, a small, an odd setting
        assert len(names) == len(set(names)) >= (3 if trains else 2), lesson


def test_presets_differ_where_their_lesson_says_they_do():
    cells = {preset.name: preset.configs[0] for preset in presets.CELLS}
    assert cells["short_lag"].lag < cells["vanishing"].lag
    assert not cells["exploding"].clipnorm and cells["clipped"].clipnorm
    assert cells["clipped"].replace(clipnorm=0.0) == cells["exploding"]  # the same run, clipped

    forecast = {preset.name: preset for preset in presets.FORECASTING}
    out = forecast["out_of_range"].view
    assert not forecast["out_of_range"].configs[0].in_training_range(out["period"], out["decay"])
    assert forecast["wider_training"].configs[0].in_training_range(out["period"], out["decay"])
    assert forecast["default"].configs[0] == ForecastConfig()
    assert forecast["long_horizon"].configs[0].horizon > forecast["default"].configs[0].horizon

    lab = {preset.name: preset.configs for preset in presets.TRAINING_SIZE}
    assert lab["small_model"][0].units < lab["book"][0].units
    assert lab["other_seed"][0].seed != lab["book"][0].seed
    for configs in lab.values():  # a ladder: one model, several sizes
        sizes = [config.train_size for config in configs]
        assert sizes == sorted(set(sizes)) and len(sizes) >= 3
        assert len({config.replace(train_size=configs[0].train_size) for config in configs}) == 1
