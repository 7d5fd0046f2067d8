"""AppTest of the training-size lab: tiny ladders of real models, trained once per size."""

import json

from streamlit.testing.v1 import AppTest

from conftest import ROOT
from ui import cache

PAGE = "pages/training_size.py"


def open_lab(app):
    app.run()
    app.switch_page(PAGE)
    app.run()
    assert not app.exception
    return app


def charts(app) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in app.get("plotly_chart")]


def json_files(store_dir) -> int:
    return len(list(store_dir.glob("*.json")))


def set_ladder(app, experiment: str, sizes, **sliders):
    for name, value in sliders.items():
        app.sidebar.slider(key=name).set_value(value)
    app.sidebar.multiselect(key="sizes").set_value(list(sizes))
    app.get("form_submit_button")[0].click()
    app.run()
    assert not app.exception


def test_rectangle_ladder_trains_each_size_once_and_shows_one_panel_and_point_per_size(app, store_dir):
    open_lab(app)
    assert any("Not trained yet" in info.value for info in app.info)  # nothing trains before Train is pressed
    assert app.get("plotly_chart") == [] and json_files(store_dir) == 0

    set_ladder(app, "rectangles", [100, 200], units=4)
    assert json_files(store_dir) == 2 and cache.trainer().trainings == 2
    panels, curve = charts(app)
    assert [a["text"].split()[0] for a in panels["layout"]["annotations"]] == ["100", "200"]
    assert curve["layout"]["xaxis"]["type"] == "log"
    errors = [row for row in app.dataframe[0].value["consistency error"]]
    assert len(errors) == 2 and len(curve["data"][0]["text"]) == 2
    sentence = app.markdown[0].value
    assert "2× more rectangles" in sentence and f"{errors[0]:.2g}" in sentence

    set_ladder(app, "rectangles", [100, 200, 500], units=4)  # one new size: only it is trained
    assert json_files(store_dir) == 3 and cache.trainer().trainings == 3
    panels, curve = charts(app)
    assert len(panels["layout"]["annotations"]) == 3 and len(curve["data"][0]["text"]) == 3
    assert list(app.dataframe[0].value["training size"]) == [100, 200, 500]

    # A restarted server (prewarmed store, empty memory) shows the same ladder at once, training nothing.
    cache.clear()
    again = open_lab(AppTest.from_file(str(ROOT / "app.py"), default_timeout=180))
    again.sidebar.slider(key="units").set_value(4)
    again.sidebar.multiselect(key="sizes").set_value([100, 200, 500])
    again.get("form_submit_button")[0].click()
    again.run()
    assert cache.trainer().trainings == 0 and json_files(store_dir) == 3
    assert list(again.dataframe[0].value["model"]) == ["from the store"] * 3


def test_sine_ladder_renders_one_prediction_per_size(app, store_dir):
    open_lab(app)
    app.sidebar.radio(key="experiment").set_value("sine")
    app.run()
    set_ladder(app, "sine", [100, 200], units=4, depth=1, epochs=1)
    assert json_files(store_dir) == 2
    panels, curve = charts(app)
    assert len([trace for trace in panels["data"] if trace["name"] == "predicted"]) == 2
    assert list(curve["data"][0]["x"]) == [100, 200]
    assert "held-out MAE" in app.markdown[0].value
    assert list(app.dataframe[0].value["epochs"]) == [1, 1]


def test_a_bad_ladder_is_an_error_message_not_a_traceback(app):
    open_lab(app)
    app.sidebar.multiselect(key="sizes").set_value([])
    app.get("form_submit_button")[0].click()
    app.run()
    assert not app.exception
    assert any("at least one training size" in error.value for error in app.error)


def test_each_preset_sets_the_lab_widgets_and_trains_nothing(app, store_dir):
    from lstm_core.presets import TRAINING_SIZE
    from ui.i18n import catalogue

    open_lab(app)
    assert len(TRAINING_SIZE) >= 3
    for preset in TRAINING_SIZE:
        app.selectbox(key="preset").set_value(preset.name).run()
        assert not app.exception, preset.name
        values = preset.values
        experiment = values["experiment"]
        assert app.sidebar.radio(key="experiment").value == experiment
        for name in ("units", "epochs"):
            assert app.sidebar.slider(key=name).value == values[name]
        assert app.sidebar.number_input(key="seed").value == values["seed"]
        assert app.sidebar.multiselect(key="sizes").value == values["sizes"]
        if experiment == "sine":
            assert app.sidebar.slider(key="depth").value == values["depth"]
            assert app.sidebar.slider(key="period").value == values["period"]
        note = catalogue("en")[f"preset.training_size.{preset.name}.note"]
        assert any(note in info.value for info in app.info), preset.name  # what to look for, under the menu
        assert any("Not trained yet" in info.value for info in app.info)  # a preset never starts a training
    assert json_files(store_dir) == 0 and cache.trainer().trainings == 0
    # The presets differ where they should: the small model has fewer units, the seed preset another seed.
    by_name = {preset.name: preset.values for preset in TRAINING_SIZE}
    assert by_name["small_model"]["units"] < by_name["book"]["units"]
    assert by_name["other_seed"]["seed"] != by_name["book"]["seed"]


def test_the_lab_speaks_chinese_title_prompt_sentence_table_and_figures(app, store_dir):
    from ui.i18n import catalogue

    zh = catalogue("zh")
    app.query_params.update({"lang": "zh"})  # before the first run: the language comes from the address
    app.switch_page(PAGE)
    app.run()
    assert not app.exception
    assert app.title[0].value == zh["training_size.title"]
    assert any("还没有训练" in info.value for info in app.info)
    set_ladder(app, "rectangles", [100, 200], units=4)
    table = app.dataframe[0].value
    assert list(table.columns)[:2] == [zh["training_size.column.size"], zh["training_size.error.rectangles"]]
    assert set(table[zh["training_size.column.model"]]) == {zh["training_size.source.now"]}
    sentence = app.markdown[0].value
    assert zh["training_size.error.rectangles"] in sentence and f"{table.iloc[0, 1]:.2g}" in sentence
    panels, curve = charts(app)
    assert [a["text"] for a in panels["layout"]["annotations"]][:2] == [
        zh["training_size.panel.rectangles"].format(size=f"{size:,}", error=f"{error:.3f}")
        for size, error in zip(table.iloc[:, 0], table.iloc[:, 1])]
    assert curve["layout"]["title"]["text"] == zh["fig.Consistency error against training size"]
    assert curve["layout"]["xaxis"]["title"]["text"] == zh["fig.training size (rectangles, log scale)"]
    assert "矩形" in curve["data"][0]["hovertemplate"]
