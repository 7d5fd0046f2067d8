"""AppTest of the generative-rectangles lesson (book chapter 11): training, the store, downloads, Train more, pins,
and the book's framing against the sequence framing."""

import base64
import json

import numpy as np
import pytest

from conftest import open_page, tiny_rectangles
from lstm_core import evaluate
from lstm_core.engine import fit
from lstm_core.engine.store import ModelStore
from lstm_core.engine.trainer import Trainer
from lstm_core.experiments import rectangles
from ui import cache, i18n
from page_helpers import chart_specs, charts, deltas, metrics, prompts, trace_names, trainings

PAGE = "pages/rectangles.py"
WIDTHS = evaluate.EVALUATION_WIDTHS
HEADLINE = "consistency error"

pytestmark = pytest.mark.usefixtures("no_jit")


def table_parameters(at):
    frame = at.dataframe[-1].value
    return dict(zip(frame["layer"], frame["parameters"]))


def train(at, **values):
    """Set the sidebar's model widgets and press Train."""
    for key, value in values.items():
        {"units": at.sidebar.slider, "train_size": at.sidebar.select_slider, "framing": at.sidebar.radio,
         "seed": at.sidebar.number_input}[key](key=key).set_value(value)
    at.sidebar.get("form_submit_button")[0].click().run()  # the model form (a shared run has a form of its own)
    assert not at.exception, [e.value for e in at.exception]
    return at


def values(array) -> np.ndarray:
    """A chart's array as numbers: plotly writes numpy arrays as base64 (`bdata`)."""
    if isinstance(array, dict):
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"])
    return np.asarray(array, dtype=float)


def no_minus_zero(at) -> bool:
    return not any(frame.value.map(lambda cell: "-0.00" in str(cell) or str(cell) == "-0").any().any()
                   for frame in at.dataframe)


def test_it_shows_the_book_table_then_trains_draws_and_offers_the_downloads(app):
    fit.clear_pool()  # no compiled model of this architecture left by an earlier test: it compiles now
    at = open_page(app, PAGE)
    assert table_parameters(at) == {"lstm_1": 520, "dense": 22, "total": 542}
    assert prompts(at) and not charts(at)
    train(at, units=4, train_size=100, seed=2)
    model = cache.cached(tiny_rectangles(units=4, train_size=100, seed=2))
    scores = rectangles.scores(model)
    shown = metrics(at)
    assert shown[HEADLINE] == evaluate.format_error(scores["consistency"])  # the headline, and its two parts apart
    assert shown["drawn from [0, 0]"] == evaluate.format_error(scores["free"])
    assert shown["completed from [w, 0]"] == evaluate.format_error(scores["completions"])
    assert scores["consistency"] == max(scores["free"], scores["completions"])
    assert shown["parameters"] == str(4 * 4 * (2 + 4 + 1) + 4 * 2 + 2)
    assert table_parameters(at)["total"] == int(shown["parameters"])
    assert "trained now (compiled now)" in deltas(at)
    assert any("One training loop, not 25,000 `fit` calls" in c.value and f"{model.seconds:.1f} s" in c.value and
               "batches of 10 rectangles" in c.value for c in at.caption)
    assert len(charts(at)) == 1  # the replay: free drawing and completions above the loss, a frame per snapshot
    replay = json.loads(charts(at)[0].proto.spec)
    assert len(replay["frames"]) == len(model.snapshots) >= 10
    free, completed, _ = rectangles.drawings(model, WIDTHS)
    last = replay["frames"][-1]["data"]
    np.testing.assert_allclose(np.c_[last[0]["x"], last[0]["y"]][:4], free, rtol=1e-6)  # the trained model's drawing
    np.testing.assert_allclose(np.c_[last[1]["x"], last[1]["y"]][:4], completed[0], rtol=1e-6)
    # The slider and the loss curve both count rectangles, as the sidebar's training size does.
    steps = replay["layout"]["sliders"][0]["steps"]
    assert steps[-1]["label"] == "after 100 of 100 rectangles"
    assert replay["layout"]["xaxis3"]["title"]["text"] == "training rectangles seen"
    assert last[-1]["x"] == [100.0]  # the cursor on the loss curve: after all 100 rectangles
    drawings = at.dataframe[0].value
    assert no_minus_zero(at)  # a corner at zero reads 0.00, an error 0
    assert list(drawings["start"]) == ["[0, 0]"] + [f"[{w}, 0]" for w in WIDTHS]
    labels = [button.label for button in at.get("download_button")]
    assert len(labels) == 7 and "model (.keras)" in labels and "drawings (CSV)" in labels
    widths = ", ".join(map(str, WIDTHS))  # one set of widths: the drawings, the table and the metric's caption
    assert any(f"w = {widths}" in m.value and "worse of the two" in m.value for m in at.markdown)
    # The other framing is not trained yet: a prompt and a button, and nothing trained for it.
    assert any("sequence framing of this model is not trained yet" in p for p in prompts(at))
    assert at.button(key="rectangles_compare_train") and trainings() == 1


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_two_framings_are_compared_and_the_sentence_reads_the_pages_own_numbers(app, seed):
    at = open_page(app, PAGE)
    train(at, units=4, train_size=100, seed=seed)
    at.button(key="rectangles_compare_train").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert trainings() == 2 and not prompts(at)
    book, sequence = (cache.cached(tiny_rectangles(units=4, train_size=100, seed=seed, framing=framing))
                      for framing in ("book", "sequence"))
    assert book is not None and sequence is not None
    panels = chart_specs(at)[-1]  # the two framings side by side: the same panels as the lab's
    titles = [a["text"] for a in panels["layout"]["annotations"]]
    table = at.dataframe[1].value.set_index("framing")
    headline = table["consistency error"].to_dict()
    assert titles == [f"book framing<br>error {headline['book framing']}",
                      f"sequence framing<br>error {headline['sequence framing']}"]
    drawn = [trace for trace in panels["data"] if trace["name"] == "drawn from [0, 0]"]
    np.testing.assert_allclose(np.c_[values(drawn[1]["x"]), values(drawn[1]["y"])][:4],
                               rectangles.drawings(sequence, WIDTHS)[0], rtol=1e-6)
    for framing, model in (("book framing", book), ("sequence framing", sequence)):
        scores = rectangles.scores(model)
        assert table.loc[framing, "drawn from [0, 0]"] == evaluate.format_error(scores["free"])
        assert table.loc[framing, "completed from [w, 0]"] == evaluate.format_error(scores["completions"])
        assert headline[framing] == evaluate.format_error(scores["consistency"])
    sentence = next(m.value for m in at.markdown if "framing" in m.value and "consistency error" in m.value)
    lower, higher = sorted(headline, key=lambda name: float(headline[name]))
    if float(headline[lower]) < 0.95 * float(headline[higher]):
        assert f"The {lower} scored better: consistency error {headline[lower]} against {headline[higher]}" in sentence
    else:
        assert "about the same" in sentence
    for column in ("drawn from [0, 0]", "completed from [w, 0]"):
        assert all(value in sentence for value in table[column])
    assert no_minus_zero(at)


def test_a_link_opens_the_sequence_framing_and_its_own_script(app, store):
    config = tiny_rectangles(units=3, framing="sequence")
    Trainer(store).get(config)
    at = open_page(app, PAGE, query={"units": "3", "train_size": "100", "seed": "3", "framing": "sequence"})
    assert at.sidebar.radio(key="framing").value == "sequence"
    assert not at.exception and trainings() == 0 and "from the model store" in deltas(at)
    replay = json.loads(charts(at)[0].proto.spec)
    free = rectangles.drawings(cache.cached(config), WIDTHS)[0]
    last = replay["frames"][-1]["data"]
    np.testing.assert_allclose(np.c_[last[0]["x"], last[0]["y"]][:4], free, rtol=1e-6)
    assert any("return_sequences=True" in code.value for code in at.code)
    assert any("book framing of this model is not trained yet" in p for p in prompts(at))


def test_a_link_with_an_unknown_framing_opens_the_book_framing_and_says_so(app):
    at = open_page(app, PAGE, query={"framing": "stateful"})
    assert at.sidebar.radio(key="framing").value == "book"
    assert any("framing" in warning.value and "book, sequence" in warning.value for warning in at.warning)


def test_a_model_in_the_store_opens_without_training_or_a_train_press(app, store):
    config = tiny_rectangles(units=5, seed=0)
    Trainer(store).get(config)  # e.g. trained from the command line
    at = open_page(app, PAGE, query={"units": "5", "train_size": "100", "seed": "0"})
    assert len(charts(at)) == 1  # no Train press: the configuration is available
    assert "from the model store" in deltas(at) and trainings() == 0
    assert len(json.loads(charts(at)[0].proto.spec)["frames"]) >= 10  # the stored snapshots replay untrained
    train(at)  # pressing Train anyway trains nothing
    assert trainings() == 0 and len(charts(at)) == 1
    assert "already in memory" in deltas(at)


def test_it_pins_a_run_trains_more_and_unpins(app, store_dir):
    at = open_page(app, PAGE)
    train(at, units=4, train_size=100)
    at.button(key="rectangles_pin").click().run()
    assert any("This run is pinned" in c.value for c in at.caption)

    train(at, seed=1)
    assert trainings() == 2
    assert trace_names(at).count("pinned run") >= 3  # faded beside the current run: both drawings and the loss
    assert any("Pinned run" in c.value and "seed 0" in c.value for c in at.caption)
    still = [spec for spec in chart_specs(at) if spec["layout"]["title"]["text"] in
             ("Drawn from scratch", "Completed from a given first corner")]
    assert len(still) == 2  # the legend under the axes, not over the title
    assert all(spec["layout"]["legend"]["y"] < 0 and spec["layout"]["legend"]["yanchor"] == "top" for spec in still)

    at.button(key="rectangles_train_more").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert trainings() == 3
    continued = tiny_rectangles(units=4, seed=1, epochs=2)
    assert ModelStore(store_dir).has(continued.key())  # stored under the two-epoch configuration's own key
    assert any("Train more" in c.value and "2 epochs in all" in c.value for c in at.caption)
    assert metrics(at)["parameters"] == str(4 * 4 * (2 + 4 + 1) + 4 * 2 + 2)

    at.button(key="rectangles_unpin").click().run()
    assert "pinned run" not in trace_names(at)


def test_in_chinese_the_comparison_and_the_metrics_are_chinese(app, store):
    for framing in ("book", "sequence"):
        Trainer(store).get(tiny_rectangles(units=3, framing=framing))
    zh = i18n.catalogue("zh")
    at = open_page(app, PAGE, "zh", query={"units": "3", "train_size": "100", "seed": "3"})
    assert trainings() == 0
    assert {zh["rectangles.error"], zh["rectangles.error.free"], zh["rectangles.error.completions"]} <= set(metrics(at))
    assert any(zh["rectangles.framing.name.sequence"] in m.value and "。" in m.value for m in at.markdown)
    assert chart_specs(at)[0]["layout"]["xaxis3"]["title"]["text"] == zh["fig.training rectangles seen"]
