"""English and Simplified Chinese: the same keys, every page renders in both, and the link keeps the choice."""

import json
import logging
import re
import string

import pytest

from ui import i18n
from ui.lessons import LESSONS


def fields(text: str) -> set:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_both_catalogues_have_the_same_keys_and_the_same_format_fields():
    english, chinese = i18n.catalogue("en"), i18n.catalogue("zh")
    assert set(english) == set(chinese)
    for key in english:
        assert fields(english[key]) == fields(chinese[key]), key
        assert chinese[key].strip(), key


def test_chinese_catalogue_is_translated_not_copied():
    english, chinese = i18n.catalogue("en"), i18n.catalogue("zh")
    han = re.compile(r"[\u4e00-\u9fff]")
    prose = [k for k, v in english.items() if len(v.split()) >= 4]
    untranslated = [k for k in prose if not han.search(chinese[k])]
    assert not untranslated


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.url_path or "home")
def test_every_page_renders_in_both_languages_without_missing_text(app, lesson, language, caplog):
    app.query_params.update({"lang": language})
    if lesson.url_path:
        app.switch_page(lesson.file)
    with caplog.at_level(logging.WARNING, logger="ui.i18n"):
        at = app.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.radio(key="lang").value == language
    assert not [r for r in caplog.records if r.name == "ui.i18n"], "missing translations"
    assert at.title


def test_home_title_follows_the_language(app):
    app.query_params.update({"lang": "zh"})
    assert app.run().title[0].value == "LSTM 探索器"


def test_present_mode_hides_the_sidebar(app):
    app.query_params.update({"present": "1"})
    at = app.run()
    assert not at.exception
    styles = [element.proto.body for element in at.get("html")]
    assert any("stSidebar" in body and "display: none" in body for body in styles)
