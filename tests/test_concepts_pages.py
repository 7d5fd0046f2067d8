"""AppTest of the four concept lessons: widgets, tiny trainings, charts, errors named in words."""

import re

import pytest

from lstm_core import fitting, training
from conftest import open_page


pytestmark = pytest.mark.usefixtures("no_jit")


def charts(at):
    return at.get("plotly_chart")


def chart_titles(at):
    import json

    return [json.loads(chart.proto.spec)["layout"].get("title", {}).get("text", "") for chart in charts(at)]


def metrics(at):
    return {m.label: m.value for m in at.metric}


def test_sequence_problems_diagrams_follow_the_chosen_type_and_shape(app):
    at = open_page(app, "pages/sequence_problems.py")
    assert "not trained yet" in at.info[0].value  # opening the page never trains
    titles = chart_titles(at)
    assert titles[0].startswith("sequence prediction: many-to-one")
    at.radio(key="problem").set_value("sequence generation").run()
    at.radio(key="shape").set_value("many-to-many (unequal lengths)").run()
    at.slider(key="steps").set_value(3).run()
    assert not at.exception
    titles = chart_titles(at)
    assert titles[0] == "sequence generation: one-to-many"
    assert titles[1] == "many-to-many (unequal lengths), unrolled over 5 time steps"  # 3 in, 2 out
    assert any("rectangles" in m.value for m in at.markdown)
    assert any("outputs in the loss: **2**" in m.value for m in at.markdown)


def test_sequence_problems_trains_the_mlp_and_the_lstm_on_a_window(app):
    at = open_page(app, "pages/sequence_problems.py")
    at.slider(key="window").set_value(20)
    at.slider(key="units").set_value(4)
    at.select_slider(key="train_size").set_value(256)
    at.slider(key="epochs").set_value(1)
    at.slider(key="test_length").set_value(10)
    at.button(key="window_train").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error
    values = metrics(at)
    assert 0 < float(values["MLP error at its window (20)"]) < 1
    assert 0 < float(values["LSTM error at 20"]) < 1
    titles = chart_titles(at)
    assert "Held-out error as the test sequence gets shorter or longer" in titles
    assert any("the MLP sees 10 zeros, then the 10 values" in title for title in titles)
    at.slider(key="test_length").set_value(35).run()  # instant: no training again
    assert any("only the last 20 of the 35 values" in title for title in chart_titles(at))


def test_cells_lesson_compares_three_cells_and_their_gradients(app):
    at = open_page(app, "pages/cells.py")
    assert len(at.info) == 2  # both experiments wait for Train
    at.slider(key="length").set_value(20)
    at.slider(key="lag").set_value(12)
    at.slider(key="units").set_value(4)
    at.select_slider(key="train_size").set_value(256)
    at.slider(key="epochs").set_value(1)
    at.button(key="cells_train").click().run()
    assert not at.exception, [e.value for e in at.exception]
    values = metrics(at)
    for cell in ("SimpleRNN", "GRU", "LSTM"):
        assert 0 < float(values[f"{cell}: held-out MAE"]) < 1
    parameters = dict(zip(at.dataframe[0].value["cell"], at.dataframe[0].value["parameters"]))
    assert parameters == {"SimpleRNN": 4 * (2 + 4 + 1), "GRU": 3 * 4 * (2 + 4 + 2), "LSTM": 4 * 4 * (2 + 4 + 1)}
    assert "Gradient of the loss with respect to each input step" in chart_titles(at)


def test_cells_lesson_refuses_a_lag_longer_than_the_sequence(app):
    at = open_page(app, "pages/cells.py")
    at.slider(key="length").set_value(20)
    at.slider(key="lag").set_value(25)
    at.button(key="cells_train").click().run()
    assert not at.exception
    assert "lag must be from 0 to 19" in at.error[0].value


def test_exploding_gradients_are_named_and_clipping_keeps_the_loss_finite(app):
    at = open_page(app, "pages/cells.py")
    at.select_slider(key="explode_learning_rate").set_value(5.0)
    at.button(key="explode_train").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "NaN" in at.error[0].value
    assert len(charts(at)) == 1  # the run up to the NaN is still drawn
    at.toggle(key="explode_clip").set_value(True)
    at.button(key="explode_train").click().run()
    assert not at.error
    assert "stayed finite" in at.success[0].value


def test_forecasting_lesson_trains_three_strategies_and_warns_out_of_range(app):
    at = open_page(app, "pages/forecasting.py")
    assert len(charts(at)) == 2  # the training-range strips under the test-wave sliders
    at.slider(key="horizon").set_value(3)
    at.slider(key="units").set_value(4)
    at.select_slider(key="train_size").set_value(256)
    at.slider(key="epochs").set_value(1)
    at.button(key="forecast_train").click().run()
    assert not at.exception, [e.value for e in at.exception]
    values = metrics(at)
    for strategy in ("recursive", "vector", "seq2seq"):
        assert 0 < float(values[f"{strategy}: held-out MAE"]) < 1
    assert not at.warning
    titles = chart_titles(at)
    assert "Error at each step ahead (300 held-out waves)" in titles
    assert any(t.startswith("Error of the forecast as the period") for t in titles)
    at.slider(key="period").set_value(35).run()
    assert "outside the training range" in at.warning[0].value


def test_inside_lstm_matches_keras_and_draws_every_gate(app):
    at = open_page(app, "pages/inside_lstm.py")
    assert "not trained yet" in at.info[0].value
    at.slider(key="units").set_value(4)
    at.slider(key="depth").set_value(2)
    at.select_slider(key="train_size").set_value(100)
    at.slider(key="epochs").set_value(1)
    at.button(key="inside_train").click().run()
    assert not at.exception, [e.value for e in at.exception]
    message = at.success[0].value
    difference = float(re.search(r"at most ([0-9.e+-]+)\.", message).group(1))
    assert difference < 1e-5
    titles = chart_titles(at)
    for gate in ("input gate i", "forget gate f", "output gate o", "cell state c", "hidden state h"):
        assert f"layer 1: {gate}" in titles
    at.radio(key="layer").set_value(2).run()
    assert "layer 2: forget gate f" in chart_titles(at)
    assert at.multiselect[0].value  # a phase or decay unit is preselected
