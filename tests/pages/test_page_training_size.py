"""AppTest of the training-size lab: tiny ladders of real models, trained once per size, in English and Chinese."""

import pytest
from streamlit.testing.v1 import AppTest

from conftest import ROOT, open_page, tiny_rectangles
from lstm_core import evaluate
from lstm_core.experiments import rectangles
from page_helpers import chart_specs, prompts, trainings
from ui import cache, i18n

PAGE = "pages/training_size.py"
WIDTHS = evaluate.EVALUATION_WIDTHS  # the rectangles lesson's and the metric's

pytestmark = pytest.mark.usefixtures("no_jit")


def json_files(store_dir) -> int:
    return len(list(store_dir.glob("*.json")))


def set_ladder(at, sizes, **sliders):
    """Set the sidebar's model sliders and sizes, press Train the ladder."""
    for name, value in sliders.items():
        at.sidebar.slider(key=name).set_value(value)
    at.sidebar.multiselect(key="sizes").set_value(list(sizes))
    at.sidebar.get("form_submit_button")[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def panel_pixels(spec) -> list[float]:
    """The height in pixels of each panel's plotting area (its y axis' share of the figure between its margins)."""
    layout = spec["layout"]
    inner = layout["height"] - layout["margin"]["t"] - layout["margin"]["b"]
    return [(layout[axis]["domain"][1] - layout[axis]["domain"][0]) * inner
            for axis in layout if axis.startswith("yaxis")]


def test_a_rectangle_ladder_trains_each_size_once_and_shows_one_panel_and_point_per_size(app, store_dir):
    at = open_page(app, PAGE)
    assert prompts(at) and not at.get("plotly_chart")  # nothing trains before Train is pressed
    assert json_files(store_dir) == 0

    set_ladder(at, [100, 200], units=4)
    assert json_files(store_dir) == 2 and trainings() == 2
    panels, curve = chart_specs(at)
    assert [a["text"].split()[0] for a in panels["layout"]["annotations"]] == ["100", "200"]
    assert curve["layout"]["xaxis"]["type"] == "log"
    table = at.dataframe[0].value
    errors = list(table["consistency error"])
    # One rounding: the table's figures are the chart's labels, the panels' titles and the sentence's numbers.
    assert len(errors) == 2 and list(curve["data"][0]["text"]) == errors
    assert [a["text"].split()[-1] for a in panels["layout"]["annotations"]] == errors
    for size, error, free, done in zip((100, 200), errors, table["drawn from [0, 0]"], table["completed from [w, 0]"]):
        scores = rectangles.scores(cache.cached(tiny_rectangles(units=4, train_size=size, seed=0)))
        assert (error, free, done) == tuple(evaluate.format_error(scores[k])
                                            for k in ("consistency", "free", "completions"))
    assert list(table["model"]) == ["trained now"] * 2
    assert any(f"w = {', '.join(map(str, WIDTHS))}" in caption.value for caption in at.caption)  # the lesson's widths
    sentence = at.markdown[0].value
    assert "2× more rectangles" in sentence and f"from {errors[0]} to {errors[1]}" in sentence
    # Readable on a projector: every panel's drawing at least 250 px tall.
    assert min(panel_pixels(panels)) >= 250, panel_pixels(panels)
    # Replay: the moments are the larger size's snapshots; the smaller one ends early and then stays trained.
    frames = panels["frames"]
    assert len(frames) == len(cache.cached(tiny_rectangles(units=4, train_size=200, seed=0)).snapshots) >= 10
    assert panels["layout"]["sliders"][0]["steps"][-1]["label"] == "after 200 of 200 rectangles"
    first, last = frames[0]["layout"]["annotations"], frames[-1]["layout"]["annotations"]
    assert all("learning" in a["text"] and "rectangles seen" in a["text"] for a in first)
    assert all("learning" not in a["text"] for a in last)
    assert [a["text"] for a in last] == [a["text"] for a in panels["layout"]["annotations"]]
    smaller_done = [i for i, frame in enumerate(frames) if "learning" not in frame["layout"]["annotations"][0]["text"]]
    assert smaller_done and smaller_done[0] < len(frames) - 1  # 100 rectangles are seen before 200 are
    panel = len(WIDTHS) + 2  # a panel's traces: each completion, the given corners, the free drawing
    assert frames[smaller_done[0]]["data"][:panel] == frames[-1]["data"][:panel]  # the smaller one, as trained
    assert frames[smaller_done[0]]["data"][panel:] != frames[-1]["data"][panel:]  # the larger one, still learning

    # Sharing the ladder puts one nickname on every size's run on the class board.
    at.text_input(key="share_nickname").set_value("Ada")
    at = next(b for b in at.button if b.label == i18n.catalogue("en")["board.share.button"]).click().run()
    assert not at.exception and not at.error
    board = cache.board()
    assert [board.nickname_of(tiny_rectangles(units=4, train_size=size, seed=0).key()) for size in (100, 200)] == \
        ["Ada", "Ada"]

    set_ladder(at, [100, 200, 500], units=4)  # one new size: only it is trained
    assert json_files(store_dir) == 3 and trainings() == 3
    panels, curve = chart_specs(at)
    assert len(panels["layout"]["annotations"]) == 3 and len(curve["data"][0]["text"]) == 3
    table = at.dataframe[0].value
    assert list(table["training size"]) == [100, 200, 500]
    assert list(table["model"]) == ["already in memory", "already in memory", "trained now"]

    # A restarted server (prewarmed store, empty memory) shows the same ladder at once, training nothing.
    cache.clear()
    again = open_page(AppTest.from_file(str(ROOT / "app.py"), default_timeout=180), PAGE,
                      query={"units": "4", "sizes": ["100", "200", "500"]})
    assert not prompts(again)  # no Train press needed: every size is in the store
    assert trainings() == 0 and json_files(store_dir) == 3
    assert list(again.dataframe[0].value["model"]) == ["from the model store"] * 3


def test_a_sine_ladder_renders_one_prediction_per_size(app, store_dir):
    at = open_page(app, PAGE)
    at.sidebar.radio(key="experiment").set_value("sine").run()
    set_ladder(at, [100, 200], units=4, depth=1, epochs=1)
    assert json_files(store_dir) == 2
    panels, curve = chart_specs(at)
    assert len([trace for trace in panels["data"] if trace["name"] == "predicted"]) == 2
    assert list(curve["data"][0]["x"]) == [100, 200]
    assert "held-out MAE" in at.markdown[0].value
    assert min(panel_pixels(panels)) >= 250, panel_pixels(panels)
    maes = list(at.dataframe[0].value["held-out MAE"])
    assert list(curve["data"][0]["text"]) == maes and f"from {maes[0]} to {maes[1]}" in at.markdown[0].value
    assert list(at.dataframe[0].value["epochs"]) == [1, 1]


def test_changing_the_experiment_gives_its_own_defaults(app):
    at = open_page(app, PAGE)
    at.sidebar.slider(key="units").set_value(3).run()
    at.sidebar.radio(key="experiment").set_value("sine").run()
    assert not at.exception
    assert at.sidebar.slider(key="units").value == 20 and at.sidebar.slider(key="depth").value == 2


def test_a_bad_ladder_is_an_error_message_not_a_traceback(app):
    at = open_page(app, PAGE)
    set_ladder(at, [])
    assert any("at least one training size" in error.value for error in at.error)
    assert trainings() == 0


def test_in_chinese_the_title_prompt_sentence_table_and_figures_are_chinese(app, store_dir):
    zh = i18n.catalogue("zh")
    at = open_page(app, PAGE, "zh")
    assert at.title[0].value == zh["training_size.title"]
    assert any("还没有训练" in info.value for info in at.info)
    set_ladder(at, [100, 200], units=4)
    table = at.dataframe[0].value
    assert list(table.columns)[:2] == [zh["training_size.column.size"], zh["training_size.error.rectangles"]]
    assert set(table[zh["training_size.column.model"]]) == {zh["training_size.source.now"]}
    sentence = at.markdown[0].value
    assert zh["training_size.error.rectangles"] in sentence and table.iloc[0, 1] in sentence
    assert zh["training_size.column.free"] in table.columns and zh["training_size.column.completions"] in table.columns
    panels, curve = chart_specs(at)
    assert [a["text"] for a in panels["layout"]["annotations"]][:2] == [
        zh["training_size.panel.rectangles"].format(size=f"{size:,}", error=error)
        for size, error in zip(table.iloc[:, 0], table.iloc[:, 1])]
    assert curve["layout"]["title"]["text"] == zh["fig.Consistency error against training size"]
    assert curve["layout"]["xaxis"]["title"]["text"] == zh["fig.training size (rectangles, log scale)"]
    assert "矩形" in curve["data"][0]["hovertemplate"]
