"""AppTest of the sequence-problems lesson: diagrams of the problem types and shapes, the MLP window against the
LSTM (tiny trainings), in English and Chinese."""

import pytest

from conftest import open_page
from page_helpers import chart_titles, metrics, missing_texts, prompts, trace_names, trainings

PAGE = "pages/sequence_problems.py"

pytestmark = pytest.mark.usefixtures("no_jit")


def train_window(at, window=20, test_length=10):
    at.slider(key="window").set_value(window)
    at.slider(key="units").set_value(4)
    at.select_slider(key="train_size").set_value(256)
    at.slider(key="epochs").set_value(1)
    at.slider(key="test_length").set_value(test_length)
    at.button(key="window_train").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error
    return at


def test_the_diagrams_follow_the_chosen_type_and_shape(app):
    at = open_page(app, PAGE)
    assert len(prompts(at)) == 1 and trainings() == 0  # opening the page never trains
    assert chart_titles(at)[:2] == ["sequence prediction: many-to-one",
                                    "many-to-one, unrolled over 5 time steps"]
    at.radio(key="problem").set_value("sequence generation").run()
    at.radio(key="shape").set_value("many-to-many (unequal lengths)").run()
    at.slider(key="steps").set_value(3).run()
    assert not at.exception
    titles = chart_titles(at)
    assert titles[0] == "sequence generation: one-to-many"
    assert titles[1] == "many-to-many (unequal lengths), unrolled over 5 time steps"  # 3 in, 2 out
    assert any("rectangles" in m.value for m in at.markdown)
    assert any("outputs in the loss: **2**" in m.value for m in at.markdown)


def test_the_problem_presets_draw_their_diagrams(app):
    at = open_page(app, PAGE)
    at.selectbox(key="preset").set_value("rectangles").run()
    titles = chart_titles(at)
    assert titles[0] == "sequence generation: one-to-many"
    assert titles[1] == "one-to-many, unrolled over 3 time steps"  # the first corner in, three corners out
    assert "output fed back as input" in trace_names(at)
    at.selectbox(key="preset").set_value("seq2seq").run()
    assert chart_titles(at)[1] == "many-to-many (unequal lengths), unrolled over 8 time steps"  # 5 in, then 3 out
    assert not at.exception


def test_it_trains_the_mlp_and_the_lstm_on_a_window_and_tests_other_lengths(app):
    at = train_window(open_page(app, PAGE))
    assert not prompts(at) and trainings() == 1
    values = metrics(at)
    assert 0 < float(values["MLP error at its window (20)"]) < 1
    assert 0 < float(values["LSTM error at 20"]) < 1
    titles = chart_titles(at)
    assert "Held-out error as the test sequence gets shorter or longer" in titles
    assert any("the MLP sees 10 zeros, then the 10 values" in title for title in titles)
    at.slider(key="test_length").set_value(35).run()  # instant: no training again
    assert any("only the last 20 of the 35 values" in title for title in chart_titles(at))
    assert trainings() == 1


def test_in_chinese_with_a_trained_window(app, caplog):
    at = open_page(app, PAGE, "zh")
    assert at.title[0].value == "序列问题"
    assert at.radio(key="problem").value == "sequence prediction"  # the options (and the link) stay English
    assert "序列预测" in at.radio(key="problem").proto.captions
    assert chart_titles(at)[0] == "序列预测：多对一"
    with missing_texts(caplog) as missing:
        # The window_longer preset's window and test length, with a tiny model. (The preset menu itself is
        # driven in English: AppTest formats options outside the script run, where the language is unknown.)
        train_window(at, window=20, test_length=60)
    assert not missing, missing
    labels = {metric.label for metric in at.metric}
    assert {"MLP 在其窗口长度（20）上的误差", "LSTM 在长度 20 上的误差", "训练时间"} <= labels
    titles = chart_titles(at)
    assert "测试序列变短或变长时的留出集误差" in titles
    assert any("MLP 只能看到 60 个值中的最后 20 个" in title for title in titles)
    assert "真实的后续值" in trace_names(at)  # a fixed figure text, translated through the catalogue
