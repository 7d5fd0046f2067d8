"""The shared widget texts (ui/widgets.py) and the address notice (ui/params.py) in English and Chinese."""

import re

from ui import i18n, params

HAN = re.compile(r"[\u4e00-\u9fff]")


def say(language: str):
    return lambda key, **fields: i18n.catalogue(language)[key].format(**fields)


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


def test_sine_page_in_chinese_shows_the_notice_prompt_and_layer_table_in_chinese(app):
    zh = i18n.catalogue("zh")
    app.query_params.update({"lang": "zh", "units": "999"})
    app.switch_page("pages/sine.py")
    at = app.run()
    assert not at.exception
    notices = [w.value for w in at.warning if zh["params.corrected"] in w.value]
    assert len(notices) == 1 and "`units`" in notices[0] and "**64**" in notices[0]
    assert "page address" not in notices[0] and zh["params.above"].format(high="64") in notices[0]
    assert any(w.value.startswith(zh["widgets.prompt.what"]) and "训练" in w.value for w in at.info)
    table = at.dataframe[0].value
    assert list(table.columns) == [zh["widgets.layers.layer"], zh["widgets.layers.shape"], zh["widgets.layers.parameters"]]
    assert table.iloc[-1, 0] == zh["widgets.layers.total"]
    assert zh["widgets.code"] in [expander.label for expander in at.expander]
