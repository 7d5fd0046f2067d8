"""English and Simplified Chinese: the same keys, every page renders in both with no text missing, the link keeps
the choice, and the address notice's reasons say themselves in the page's language."""

import string

import pytest

from conftest import open_page
from page_helpers import HAN, missing_texts
from ui import i18n, params
from ui.lessons import LESSONS


def fields(text: str) -> set:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def say(language: str):
    return lambda key, **values: i18n.catalogue(language)[key].format(**values)


def test_both_catalogues_have_the_same_keys_and_the_same_format_fields():
    english, chinese = i18n.catalogue("en"), i18n.catalogue("zh")
    assert set(english) == set(chinese)
    for key in english:
        assert fields(english[key]) == fields(chinese[key]), key
        assert chinese[key].strip(), key


def test_a_key_defined_in_two_catalogue_files_is_refused(tmp_path, monkeypatch):
    from ui import catalogues
    (tmp_path / "en").mkdir()
    (tmp_path / "en.json").write_text('{"a": "one", "b": "two"}')
    (tmp_path / "en" / "part.json").write_text('{"c": "three"}')
    monkeypatch.setattr(catalogues, "LOCALES", tmp_path)
    assert catalogues.read("en") == {"a": "one", "b": "two", "c": "three"}
    (tmp_path / "en" / "other.json").write_text('{"b": "again"}')
    with pytest.raises(ValueError, match="other.json repeats keys defined before it: b"):
        catalogues.read("en")


def test_the_chinese_catalogue_is_translated_not_copied():
    english, chinese = i18n.catalogue("en"), i18n.catalogue("zh")
    prose = [key for key, value in english.items() if len(value.split()) >= 4]
    assert prose
    assert [key for key in prose if not HAN.search(chinese[key])] == []


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.url_path or "home")
def test_every_page_renders_in_both_languages_without_missing_text(app, lesson, language, caplog):
    with missing_texts(caplog) as missing:
        at = open_page(app, lesson.file, language)
    assert not missing, missing
    assert at.radio(key="lang").value == language
    key = f"{lesson.url_path}.title" if lesson.url_path else "home.title"
    assert at.title[0].value == i18n.catalogue(language)[key]
    assert not at.error


def test_a_correction_reason_reads_as_english_and_says_itself_in_chinese():
    units = params.whole_number("units", 1, 64, 20)
    value, why = units.resolve(["4", "999"])
    assert (value, why) == (64, "was given more than once and its last value is above 64")  # plain English text
    chinese = why.text(say("zh"))
    assert HAN.search(chinese) and "64" in chinese and "above" not in chinese
    assert i18n.catalogue("zh")["params.above"].format(high="64") in chinese  # the nested reason is translated too
    sizes = params.choice("train_size", (100, 500, 1_000), 1_000)
    assert sizes.allowed() == "one of 100, 500, 1000"
    assert sizes.allowed(say("zh")).startswith("100, 500, 1000") and HAN.search(sizes.allowed(say("zh")))
    assert params.number("decay", 0.0, 0.2, 0.05).allowed(say("zh")) == "0 到 0.2 之间的数"


def test_a_figure_is_translated_alike_built_validated_or_as_a_server_builds_it(monkeypatch):
    import json

    import plotly.io

    from lstm_core import figures
    from lstm_core.figures import base

    monkeypatch.setattr(i18n, "language", lambda: "zh")

    def sent(validate: bool) -> dict:
        monkeypatch.setattr(base, "VALIDATE", validate)
        fig = i18n.figure(figures.loss_figure([0.5, 0.2, 0.1], [[1, 0.4], [3, 0.1]], pinned=[[1, 0.45], [3, 0.2]]))
        return json.loads(plotly.io.to_json(fig.to_dict(), validate=False))

    validated, prebuilt = sent(True), sent(False)
    assert validated == prebuilt
    layout = prebuilt["layout"]
    texts = [layout["xaxis"]["title"]["text"], layout["yaxis"]["title"]["text"],
             *[trace["name"] for trace in prebuilt["data"]]]
    assert all(HAN.search(text) for text in texts), texts
