"""Present mode (`?present=1`): the sidebar is hidden, so every lesson that trains offers its Train and its presets
on the page (`ui/frame.py`, `widgets.trained_or_prompt`, `ui/presets.py`).

The lessons are walked from `ui/lessons.py`: a lesson whose page says "not trained yet" must offer a way to
train on the page, and for the lessons below, opened on a tiny configuration by their link, pressing it trains.
"""

import pytest

from conftest import open_page
from lstm_core import presets
from page_helpers import prompts, trainings, widget_values
from ui import frame
from ui.lessons import LESSONS

pytestmark = pytest.mark.usefixtures("no_jit")

PRESENT = {"present": "1"}
# A tiny, untrained configuration of each lesson that trains, as a link (a second or two to train).
TINY = {
    "sine": {"units": "2", "depth": "1", "train_size": "100", "epochs": "1", "seed": "3"},
    "inside_lstm": {"units": "2", "depth": "1", "train_size": "100", "epochs": "1", "seed": "3"},
    "rectangles": {"units": "2", "train_size": "100", "seed": "3"},
    "training_size": {"units": "2", "epochs": "1", "seed": "3", "sizes": "100"},
    "sequence_problems": {"window": "10", "units": "2", "train_size": "256", "epochs": "1", "seed": "3"},
    "cells": {"length": "10", "lag": "3", "units": "2", "train_size": "256", "epochs": "1", "seed": "3"},
    "forecasting": {"horizon": "2", "units": "2", "depth": "1", "train_size": "256", "epochs": "1", "seed": "3"},
    "sequence_models": {"units": "2", "train_size": "256", "epochs": "1", "seed": "3"},
}
LESSON_PAGES = [lesson for lesson in LESSONS if lesson.url_path]
PRESET_PAGES = {lesson.url_path: lesson.file for lesson in LESSONS if lesson.url_path in presets.PRESETS}


def hidden(at) -> bool:
    """The page hides the sidebar (present mode's style is on it)."""
    return any("stSidebar" in element.proto.body and "display: none" in element.proto.body
               for element in at.get("html"))


def train_buttons(at) -> list:
    return [button for button in at.main.button if (button.key or "").startswith("present_train_")]


def page_forms(at) -> list:
    """Train buttons of forms on the page itself (a lesson whose sections each have theirs)."""
    return list(at.main.get("form_submit_button"))


@pytest.mark.parametrize("lesson", LESSON_PAGES, ids=[lesson.url_path for lesson in LESSON_PAGES])
def test_a_presented_untrained_lesson_offers_a_way_to_train_on_the_page(app, lesson):
    at = open_page(app, lesson.file, query={**PRESENT, **TINY.get(lesson.url_path, {})})
    assert hidden(at)
    if not prompts(at):
        assert lesson.url_path not in TINY, "a lesson that trains opens untrained on a new store"
        return  # nothing to train on this page
    switch = [toggle for toggle in at.main.toggle if toggle.key == frame.SIDEBAR_SHOWN]
    assert train_buttons(at) or page_forms(at) or switch, "no Train button on the page, nor the switch to the sidebar's"
    assert lesson.url_path in TINY, f"give {lesson.url_path} a tiny link in TINY so that this test trains it"
    before, asked = trainings(), prompts(at)[0]
    if train_buttons(at):
        pressed = train_buttons(at)[0].key
        train_buttons(at)[0].click().run()
        assert pressed not in [button.key for button in train_buttons(at)]  # that model is trained now
    elif page_forms(at):
        page_forms(at)[0].click().run()
    else:  # the switch shows the sidebar, and its Train button
        switch[0].set_value(True).run()
        assert not hidden(at)
        at.sidebar.get("form_submit_button")[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert trainings() > before and asked not in prompts(at)


def test_the_prompt_says_press_train_below_and_its_button_trains_the_links_configuration(app):
    from lstm_core.experiments import SineConfig
    from ui import cache

    at = open_page(app, "pages/sine.py", query={**PRESENT, **TINY["sine"]})
    config = SineConfig(units=2, depth=1, train_size=100, epochs=1, seed=3)
    assert [button.key for button in train_buttons(at)] == [f"present_train_{config.key()}"]
    assert "press **Train** to train it with the settings of this link" in prompts(at)[0]
    train_buttons(at)[0].click().run()
    assert cache.is_available(config) and trainings() == 1
    assert not prompts(at) and not train_buttons(at)
    at.run()
    assert trainings() == 1  # a rerun shows the trained model, never trains again


def test_outside_present_mode_the_train_button_stays_in_the_sidebar(app):
    at = open_page(app, "pages/sine.py", query=TINY["sine"])
    assert prompts(at) and not train_buttons(at) and not hidden(at)
    assert at.sidebar.selectbox(key="preset") is not None
    assert frame.SIDEBAR_SHOWN not in [toggle.key for toggle in at.toggle]


def test_the_switch_shows_the_sidebar_and_the_prompt_then_points_to_it(app):
    at = open_page(app, "pages/rectangles.py", query={**PRESENT, **TINY["rectangles"]})
    assert hidden(at) and train_buttons(at)
    at.main.toggle(key=frame.SIDEBAR_SHOWN).set_value(True).run()
    assert not hidden(at) and not train_buttons(at)  # the sidebar's Train is visible again: no second one
    assert "in the sidebar" in prompts(at)[0]


@pytest.mark.parametrize("lesson", sorted(PRESET_PAGES))
def test_a_presented_lesson_has_its_preset_menu_on_the_page_and_a_preset_applies(app, lesson):
    at = open_page(app, PRESET_PAGES[lesson], query=PRESENT)
    assert not [box for box in at.sidebar.selectbox if box.key == "preset"]
    menu = at.main.selectbox(key="preset")
    before = widget_values(at)
    preset = presets.PRESETS[lesson][-1]  # the first is the lesson's default: the last one changes something
    menu.set_value(preset.name).run()
    assert not at.exception, [e.value for e in at.exception]
    assert widget_values(at) != before
    assert any(info.value.startswith("**") for info in at.main.info)  # its note, on the page
    assert hidden(at) and trainings() == 0
