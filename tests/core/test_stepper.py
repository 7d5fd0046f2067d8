"""stepper (stepping through the cell): each step's numbers are Keras' own states, the printed equations add up,
the forget-gate product is the cell-path derivative, the SimpleRNN's Jacobian norm is autodiff's, and the
animated figure has a frame, a slider step and the equations of every step."""

import re

import numpy as np
import pytest

from conftest import tiny_sine
from lstm_core import data, gates, stepper
from lstm_core.engine.backend import keras
from lstm_core.experiments import CellsConfig, cells, sine
from lstm_core.figures import cell as cell_figures

NUMBER = r"(\(?−?[0-9]+\.[0-9]+\)?)"


@pytest.fixture(scope="module")
def model():
    """A two-layer damped-sine model of 4 units with its seeded (untrained) weights: the equations do not care."""
    k = keras()
    return k.Model(*sine.build(tiny_sine(units=4, depth=2)))


@pytest.fixture(scope="module")
def wave():
    return data.damped_sine(50, 13, 0.04)[:, None].astype(np.float32)


def keras_steps(layer, inputs):
    """Keras' own h_t and c_t at every step, from the layer's own cell called one step at a time."""
    import tensorflow as tf

    units = layer.cell.units
    h, c = tf.zeros((1, units)), tf.zeros((1, units))
    hidden, cell = [], []
    for t in range(inputs.shape[0]):
        h, (_, c) = layer.cell(tf.constant(inputs[None, t], tf.float32), [h, c], training=False)
        hidden.append(np.asarray(h)[0])
        cell.append(np.asarray(c)[0])
    return np.array(hidden), np.array(cell)


def test_the_numbers_of_every_step_are_keras_own_states_in_both_layers(model, wave):
    steps = stepper.model_steps(model, wave)
    assert [s.layer for s in steps] == [1, 2] and [s.features for s in steps] == [1, 4]
    layer_inputs = wave
    for layer, layer_steps, keras_hidden in zip(gates.lstm_layers(model), steps,
                                                gates.keras_hidden_states(model, wave)):
        hidden, cell = keras_steps(layer, layer_inputs)
        np.testing.assert_allclose(hidden, keras_hidden[0], atol=1e-6)  # the cell stepped by hand is the layer
        previous_hidden = np.vstack([np.zeros((1, 4)), hidden[:-1]])
        previous_cell = np.vstack([np.zeros((1, 4)), cell[:-1]])
        for unit in range(4):
            for t in (0, 1, 17, 49):
                values = stepper.step_values(layer_steps, unit, t)
                assert abs(values["h"] - hidden[t, unit]) < 1e-5 and abs(values["c"] - cell[t, unit]) < 1e-5
                assert abs(values["h_previous"] - previous_hidden[t, unit]) < 1e-5
                assert abs(values["c_previous"] - previous_cell[t, unit]) < 1e-5
                # The gates are those that turn Keras' c_{t-1} into Keras' c_t and h_t.
                written = values["f"] * previous_cell[t, unit] + values["i"] * values["g"]
                assert abs(written - cell[t, unit]) < 1e-5
                assert abs(values["o"] * np.tanh(cell[t, unit]) - hidden[t, unit]) < 1e-5
                for name, block in (("i", "i"), ("f", "f"), ("o", "o")):
                    assert np.isclose(values[name], gates.sigmoid(sum(values[f"z_{block}"])))
                assert np.isclose(values["g"], np.tanh(sum(values["z_c"])))
        # What the layer reads: the wave, then the layer before's hidden states (a vector, no single x).
        if layer_steps.layer == 1:
            assert stepper.step_values(layer_steps, 0, 5)["x"] == pytest.approx(float(wave[5, 0]))
        else:
            values = stepper.step_values(layer_steps, 0, 5)
            assert values["x"] is None and values["x_norm"] == pytest.approx(np.linalg.norm(layer_inputs[5]), abs=1e-5)
        layer_inputs = hidden


def test_the_printed_equations_add_up_to_their_printed_precision(model, wave):
    for layer_steps in stepper.model_steps(model, wave):
        for unit, t in ((0, 0), (1, 9), (3, 30), (2, 49)):
            values = stepper.step_values(layer_steps, unit, t)
            lines = stepper.equations(values)
            assert len(lines) == 6
            half = 0.5e-3  # three decimals
            cell_line = re.fullmatch(rf"c<sub>t</sub> = f·c<sub>t−1</sub> \+ i·g = {NUMBER}·{NUMBER}"
                                     rf" \+ {NUMBER}·{NUMBER} = <b>{NUMBER}</b>", lines[4])
            assert cell_line, lines[4]
            f, c_previous, i, g, c = map(stepper.parse, cell_line.groups())
            assert (f, i, g, c) == tuple(round(values[k], 3) for k in ("f", "i", "g", "c"))
            assert abs(f * c_previous + i * g - c) <= half * (abs(f) + abs(c_previous) + abs(i) + abs(g) + 1) + 1e-9
            hidden_line = re.fullmatch(rf"h<sub>t</sub> = o·tanh\(c<sub>t</sub>\) = {NUMBER}·tanh\({NUMBER}\)"
                                       rf" = {NUMBER}·{NUMBER} = <b>{NUMBER}</b>", lines[5])
            o, c_again, o_again, tanh_c, h = map(stepper.parse, hidden_line.groups())
            assert c_again == c and o_again == o and abs(np.tanh(c) - tanh_c) <= 2 * half
            assert abs(o * tanh_c - h) <= half * (abs(o) + abs(tanh_c) + 1) + 1e-9
            for line, name in zip(lines[:4], "ifgo"):
                gate = re.fullmatch(rf"{name} = (σ|tanh)\({NUMBER} \+ {NUMBER} \+ {NUMBER}\) = (σ|tanh)\({NUMBER}\)"
                                    rf" = <b>{NUMBER}</b>", line)
                assert gate, line
                x_part, h_part, bias, z, value = map(stepper.parse, gate.group(2, 3, 4, 6, 7))
                assert abs(x_part + h_part + bias - z) <= 3 * half + 1e-9
                function = np.tanh if name == "g" else gates.sigmoid
                assert abs(function(z) - value) <= 2 * half and value == round(values[name], 3)


def test_numbers_use_a_true_minus_and_never_print_minus_zero():
    assert stepper.number(-0.30149) == "−0.301" and stepper.factor(-0.3) == "(−0.300)"
    assert stepper.number(-0.0001) == "0.000" and stepper.factor(0.5) == "0.500"
    assert stepper.parse("(−0.301)") == -0.301


def test_the_forget_gate_product_is_the_cumulative_product_and_the_cell_path_derivative(model, wave):
    import tensorflow as tf

    forget = np.random.default_rng(0).uniform(0.2, 1.0, (12, 3))
    products = stepper.forget_products(forget)
    for k in range(12):
        direct = np.ones(3)
        for j in range(k + 1, 12):
            direct = direct * forget[j]
        np.testing.assert_allclose(products[k], direct, rtol=1e-12)
    np.testing.assert_allclose(stepper.forget_products(np.full(6, 0.5)), 0.5 ** np.arange(5, -1, -1))

    # Autodiff on the model's first layer: with h's feedback into the gates cut (stop_gradient), the only way
    # from c_k to c_T is the cell-state line, and dc_T/dc_k is exactly the product of the forget gates.
    layer = gates.lstm_layers(model)[0]
    kernel, recurrent_kernel, bias = (tf.constant(w, tf.float64) for w in layer.get_weights())
    x = tf.constant(wave, tf.float64)
    h, c = tf.zeros((1, 4), tf.float64), tf.zeros((1, 4), tf.float64)
    cells_ = []
    with tf.GradientTape(persistent=True) as tape:
        for t in range(50):
            z = x[t:t + 1] @ kernel + tf.stop_gradient(h) @ recurrent_kernel + bias
            z_i, z_f, z_c, z_o = tf.split(z, 4, axis=1)
            c = tf.sigmoid(z_f) * c + tf.sigmoid(z_i) * tf.tanh(z_c)
            h = tf.sigmoid(z_o) * tf.tanh(c)
            tape.watch(c)  # a gradient with respect to an intermediate tensor needs it watched
            cells_.append(c)
        last = tf.reduce_sum(cells_[-1])  # units do not mix along the cell line: one gradient gives every unit
    trace = stepper.model_steps(model, wave)[0].trace
    products = stepper.forget_products(trace.forget_gate)
    for k in (0, 10, 30, 48, 49):
        derivative = tape.gradient(last, cells_[k]).numpy()[0]
        np.testing.assert_allclose(derivative, products[k], rtol=1e-6, atol=1e-12)
    del tape


def test_lstm_paths_give_the_unit_the_median_and_the_largest_product():
    forget = np.array([[0.9, 0.5, 0.99], [0.8, 0.5, 0.99], [0.7, 0.1, 0.5]])
    paths = stepper.lstm_paths(forget, unit=1)
    products = stepper.forget_products(forget)
    np.testing.assert_allclose(paths["unit"], products[:, 1])
    np.testing.assert_allclose(paths["median"], np.median(products, axis=1))
    np.testing.assert_allclose(paths["max"], products.max(axis=1))
    assert paths["unit"].tolist() == pytest.approx([0.05, 0.1, 1.0])
    assert stepper.steps_before_end(3).tolist() == [2, 1, 0]


def test_the_simple_rnn_jacobian_norm_is_autodiffs_through_keras_own_cell():
    import tensorflow as tf

    k = keras()
    layer = k.layers.SimpleRNN(5, return_sequences=True, dtype="float64")
    inputs = np.random.default_rng(1).uniform(0, 1, (15, 2))
    layer.build((1, 15, 2))
    rng = np.random.default_rng(2)
    kernel, recurrent_kernel, bias = rng.normal(0, 0.6, (2, 5)), rng.normal(0, 0.5, (5, 5)), rng.normal(0, 0.2, 5)
    layer.set_weights([kernel, recurrent_kernel, bias])
    hidden = stepper.simple_rnn_states(kernel, recurrent_kernel, bias, inputs)
    np.testing.assert_allclose(hidden, np.asarray(layer(inputs[None]))[0], atol=1e-10)
    spectral = stepper.simple_rnn_jacobian_norms(recurrent_kernel, hidden)
    frobenius = stepper.simple_rnn_jacobian_norms(recurrent_kernel, hidden, ord="fro")
    assert spectral[-1] == frobenius[-1] == 1.0 and spectral.shape == (15,)
    h = tf.zeros((1, 5), tf.float64)
    states = []
    with tf.GradientTape(persistent=True) as tape:
        for t in range(15):
            h, _ = layer.cell(tf.constant(inputs[None, t]), [h], training=False)
            tape.watch(h)
            states.append(h)
    for step in (0, 4, 9, 13):
        jacobian = tape.jacobian(states[-1], states[step]).numpy().reshape(5, 5)
        assert spectral[step] == pytest.approx(np.linalg.norm(jacobian, 2), rel=1e-4)
        assert frobenius[step] == pytest.approx(np.linalg.norm(jacobian, "fro"), rel=1e-4)
    del tape
    # Finite differences on the numpy recurrence agree too (one step back, one direction).
    epsilon, direction = 1e-6, np.eye(5)[0]
    projected = inputs @ kernel + bias

    def run_from(state, start):
        for t in range(start, 15):
            state = np.tanh(projected[t] + state @ recurrent_kernel)
        return state

    column = (run_from(hidden[12] + epsilon * direction, 13) - run_from(hidden[12] - epsilon * direction, 13)) / 2e-6
    analytic = np.eye(5)
    for j in (14, 13):
        analytic = analytic @ ((1 - hidden[j] ** 2)[:, None] * recurrent_kernel.T)
    np.testing.assert_allclose(column, analytic[:, 0], atol=1e-6)
    assert spectral[12] == pytest.approx(np.linalg.norm(analytic, 2))


def test_the_simple_rnn_of_the_cells_experiment_is_found_and_its_config_mirrors_the_sine_models(monkeypatch, wave):
    config = stepper.simple_rnn_config(tiny_sine(units=4))
    assert config == CellsConfig(task="sine", length=50, units=4, train_size=100, epochs=1, seed=3)
    k = keras()
    model = k.Model(*cells.build(config))
    layer = model.get_layer(stepper.SIMPLE_RNN_LAYER)
    norms = stepper.simple_rnn_path(model, wave)
    kernel, recurrent_kernel, bias = layer.get_weights()
    expected = stepper.simple_rnn_jacobian_norms(recurrent_kernel,
                                                 stepper.simple_rnn_states(kernel, recurrent_kernel, bias, wave))
    np.testing.assert_allclose(norms, expected)
    np.testing.assert_allclose(stepper.simple_rnn_states(kernel, recurrent_kernel, bias, wave), _twin(layer, wave),
                               atol=1e-5)  # the hand-written recurrence is Keras' SimpleRNN
    monkeypatch.setenv("LSTM_EXPLORER_MAX_TRAIN_SIZE", "1000")
    lowered = stepper.simple_rnn_config(_book())
    assert (lowered.units, lowered.train_size, lowered.epochs, lowered.seed) == (20, 1000, 2, 0)


def _twin(layer, inputs):
    twin = keras().layers.SimpleRNN.from_config({**layer.get_config(), "return_sequences": True, "name": "twin"})
    twin.build((1,) + inputs.shape)
    twin.set_weights(layer.get_weights())
    return np.asarray(twin(inputs[None]))[0]


def _book():
    """The book's configuration, made before a teacher's limit would refuse its 10,000 examples."""
    from lstm_core.engine.config import at_ceilings

    with at_ceilings():
        return sine.SineConfig()


def test_the_animated_cell_has_a_frame_a_slider_step_and_the_equations_of_every_step(model, wave):
    first, second = stepper.model_steps(model, wave)
    fig = cell_figures.cell_figure(first, 2, wave[:, 0])
    assert len(fig.frames) == 50 and [frame.name for frame in fig.frames] == [str(t) for t in range(50)]
    (menu,) = fig.layout.updatemenus
    labels = [button.label for button in menu.buttons]
    assert labels == ["▶ play", "❚❚ pause"] and menu.buttons[0].method == "animate"
    assert menu.buttons[0].args[0] is None and menu.buttons[0].args[1]["fromcurrent"]
    (slider,) = fig.layout.sliders
    assert [list(step.args[0]) for step in slider.steps] == [[str(t)] for t in range(50)]
    for t in (0, 7, 49):
        values = stepper.step_values(first, 2, t)
        (annotation,) = fig.frames[t].layout.annotations
        for name in ("f", "i", "g", "o", "c", "h"):
            assert f"<b>{stepper.number(values[name])}</b>" in annotation.text, (t, name)
        assert f"Step t = {t}" in annotation.text and stepper.number(values["x"]) in annotation.text
        cursor = [trace for trace in fig.frames[t].data if trace.mode == "lines"]
        assert list(cursor[0].x) == [t, t]  # the wave panel's cursor moves with the frame
        texts = [trace.text for trace in fig.frames[t].data if trace.text is not None][0]
        assert f"f = σ<br><b>{stepper.number(values['f'])}</b>" in texts
    assert fig.layout.annotations[0].text == fig.frames[0].layout.annotations[0].text  # it opens on step 0
    assert fig.layout.title.text == "Layer 1, unit 2: the cell step by step"
    # A second layer's input is the first layer's hidden state: said as a vector, with its size and norm.
    later = cell_figures.cell_figure(second, 0, wave[:, 0])
    text = later.frames[5].layout.annotations[0].text
    norm = stepper.number(stepper.step_values(second, 0, 5)["x_norm"], 2)
    assert f"layer 1's h<sub>t</sub>: 4 values, ‖x<sub>t</sub>‖ = {norm}" in text
    # Texts come from the page, translated.
    translated = cell_figures.cell_figure(first, 0, wave[:, 0], texts={"play": "▶ 播放", "title": "第 {layer} 层"})
    assert translated.layout.updatemenus[0].buttons[0].label == "▶ 播放" and translated.layout.title.text == "第 1 层"


def test_the_gradient_path_chart_is_on_a_log_axis_by_steps_before_the_end():
    series = {"unit": [0.5, 0.8, 1.0], "median": [0.3, 0.6, 1.0], "SimpleRNN": [0.0, 1e-3, 1.0]}
    fig = cell_figures.gradient_path_figure(series, {"unit": "LSTM unit 2"})
    assert fig.layout.yaxis.type == "log"
    assert [trace.name for trace in fig.data] == ["LSTM unit 2", "median", "SimpleRNN"]
    assert list(fig.data[0].x) == [2, 1, 0]
    assert fig.data[2].y[0] == cell_figures.FLOOR  # an underflow stays on the chart


def test_prewarm_trains_the_simple_rnns_the_lesson_opens_on():
    from lstm_core.tools import prewarm

    book = _book()
    wanted = {stepper.simple_rnn_config(config).key() for config in (book, book.replace(units=4, depth=1))}
    assert {config.key() for config in prewarm.companions()} == wanted
    keys = [config.key() for config in prewarm.default_configs()]
    assert all(keys.count(key) == 1 for key in wanted)


def test_the_lag_comparison_reads_both_branches_of_the_cells_model_and_marks_the_lag(monkeypatch):
    config = stepper.lag_config()
    assert config == CellsConfig()  # the cells lesson's default, prewarmed with every experiment's default
    monkeypatch.setenv("LSTM_EXPLORER_MAX_TRAIN_SIZE", "1000")
    assert stepper.lag_config() == CellsConfig(train_size=1000)  # lowered as the cells page lowers it
    model = keras().Model(*cells.build(CellsConfig(units=3, train_size=100, epochs=1)))
    inputs, _ = cells.holdout(stepper.lag_config(), 1)
    forget = stepper.cells_forget_gates(model, inputs[0])
    kernel, recurrent_kernel, bias = model.get_layer(stepper.LSTM_LAYER).get_weights()
    np.testing.assert_allclose(forget, gates.lstm_trace(kernel, recurrent_kernel, bias, inputs[0]).forget_gate)
    products = stepper.forget_products(forget)
    assert stepper.keeping_unit(forget, 20) == int(np.argmax(products[-21]))
    fig = cell_figures.gradient_path_figure({"max": products.max(axis=1)}, marked=20, marked_label="remember")
    assert fig.layout.shapes[0].x0 == 20 and fig.layout.annotations[0].text == "remember"
