"""gates (inside the LSTM): the equations computed from trained weights match Keras to 1e-5, and gates behave
as gates."""

import numpy as np
import pytest

from conftest import tiny_sine
from helpers import jit_off, train
from lstm_core import data, gates, gru_gates
from lstm_core.engine.backend import keras


@pytest.fixture(scope="module")
def trained_sine():
    with jit_off():
        return train(tiny_sine(units=5, depth=2, train_size=100, epochs=1))


def waves():
    return data.damped_sine(50, np.array([11, 17, 30]), np.array([0.02, 0.06, 0.1]))[..., None].astype(np.float32)


def test_hidden_states_from_the_equations_match_keras_on_a_trained_model(trained_sine):
    model, x = trained_sine.model, waves()
    traces = gates.trace_model(model, x)
    keras_states = gates.keras_hidden_states(model, x)
    assert len(traces) == len(keras_states) == 2
    for trace, states in zip(traces, keras_states):
        assert trace.hidden.shape == states.shape == (3, 50, 5)
        assert np.abs(trace.hidden - states).max() < 1e-5
    # And against the model's own trained layers: layer 1's whole sequence, layer 2's last state.
    first = np.asarray(model.get_layer("lstm_1")(x))
    last = np.asarray(model.get_layer("lstm_2")(first))
    assert np.abs(traces[0].hidden - first).max() < 1e-5
    assert np.abs(traces[1].hidden[:, -1] - last).max() < 1e-5


def test_gates_are_between_0_and_1_and_the_cell_follows_its_recurrence(trained_sine):
    trace = gates.trace_model(trained_sine.model, waves()[0])[0]
    for name in ("input_gate", "forget_gate", "output_gate"):
        assert np.all((trace.get(name) > 0) & (trace.get(name) < 1))
    assert np.all(np.abs(trace.hidden) < 1) and np.all(np.abs(trace.candidate) < 1)
    previous = np.vstack([np.zeros((1, 5)), trace.cell[:-1]])
    assert np.allclose(trace.cell, trace.forget_gate * previous + trace.input_gate * trace.candidate)
    assert np.allclose(trace.hidden, trace.output_gate * np.tanh(trace.cell))


def test_keras_gate_order_is_input_forget_candidate_output():
    # One unit, no recurrent weights: the bias alone sets each gate, in Keras' order i, f, c, o.
    bias = np.array([2.0, -1.0, 0.5, 0.0])
    trace = gates.lstm_trace(np.zeros((1, 4)), np.zeros((1, 4)), bias, np.zeros((3, 1)))
    sigmoid = gates.sigmoid
    assert np.allclose(trace.input_gate[:, 0], sigmoid(2.0))
    assert np.allclose(trace.forget_gate[:, 0], sigmoid(-1.0))
    assert np.allclose(trace.candidate[:, 0], np.tanh(0.5))
    assert np.allclose(trace.output_gate[:, 0], 0.5)
    expected_cell = [sigmoid(2.0) * np.tanh(0.5)]
    for _ in range(2):
        expected_cell.append(sigmoid(-1.0) * expected_cell[-1] + sigmoid(2.0) * np.tanh(0.5))
    assert np.allclose(trace.cell[:, 0], expected_cell)


def test_a_non_standard_lstm_is_refused():
    k = keras()
    model = k.Sequential([k.Input((4, 1)), k.layers.LSTM(2, activation="relu")])
    with pytest.raises(ValueError, match="not a standard LSTM"):
        gates.trace_model(model, np.zeros((4, 1)))


def test_unit_tracking_finds_the_unit_that_follows_the_wave_or_its_envelope():
    steps = np.arange(50)
    wave = 0.5 + 0.5 * np.sin(2 * np.pi * steps / 12) * np.exp(-0.05 * steps)
    envelope = gates.envelope(50, 0.05)
    cell = np.stack([np.ones(50), 3 * wave - 1, -envelope, np.cos(steps)], axis=1)
    tracking = gates.unit_tracking(cell, wave, envelope)
    assert tracking["phase"][0] == 0  # a constant unit
    assert np.isclose(tracking["phase"][1], 1.0) and np.isclose(tracking["decay"][2], -1.0)
    assert gates.interesting_units(tracking) == {"phase": 1, "decay": 2}


def test_the_envelope_bounds_the_damped_sine():
    steps = np.arange(60)
    wave = data.damped_sine(60, 12, 0.07)
    assert np.all(np.abs(wave - 0.5) <= 0.5 * gates.envelope(60, 0.07) + 1e-12)
    peaks = steps[3::12]  # sin = 1 at a quarter period
    np.testing.assert_allclose(wave[peaks] - 0.5, 0.5 * gates.envelope(60, 0.07)[peaks])
    assert gates.envelope(40, 0.0).tolist() == [1.0] * 40


def test_only_the_lstm_layers_are_traced_in_order(trained_sine):
    assert [layer.name for layer in gates.lstm_layers(trained_sine.model)] == ["lstm_1", "lstm_2"]
    single = gates.trace_model(trained_sine.model, waves()[0])  # one wave: (steps, units) arrays
    assert [trace.cell.shape for trace in single] == [(50, 5), (50, 5)]


# -- the GRU (gru_gates.py) ----------------------------------------------------------------------

def gru_layer(reset_after: bool, units: int = 3, features: int = 2, seed: int = 0):
    """A Keras GRU with random weights everywhere, biases too (zero biases would hide a misplaced one)."""
    k = keras()
    layer = k.layers.GRU(units, reset_after=reset_after, return_sequences=True)
    layer.build((None, 7, features))
    rng = np.random.default_rng(seed)
    layer.set_weights([rng.normal(0, 0.8, w.shape).astype(np.float32) for w in layer.get_weights()])
    return layer


@pytest.mark.parametrize("reset_after", [True, False])
def test_gru_equations_match_keras_with_either_reset_placement(reset_after):
    layer = gru_layer(reset_after)
    assert np.asarray(layer.get_weights()[2]).shape == ((2, 9) if reset_after else (9,))
    x = np.random.default_rng(1).normal(size=(4, 7, 2)).astype(np.float32)
    trace = gru_gates.trace_layer(layer, x)
    keras_states = np.asarray(layer(x))
    assert trace.hidden.shape == keras_states.shape == (4, 7, 3)
    assert np.abs(trace.hidden - keras_states).max() < 1e-5
    np.testing.assert_allclose(gru_gates.keras_hidden_states(layer, x), keras_states, atol=1e-6)
    # The reset gate's place matters (the check can fail): the other placement on the same weights differs.
    kernel, recurrent_kernel, bias = layer.get_weights()
    other_bias = bias[0] if reset_after else np.stack([bias, np.zeros_like(bias)])
    other = gru_gates.gru_trace(kernel, recurrent_kernel, other_bias, x, reset_after=not reset_after)
    assert np.abs(other.hidden - keras_states).max() > 1e-3


def test_keras_gru_gate_order_is_update_reset_candidate_and_z_keeps_the_old_state():
    # One unit, no weights: the input bias alone sets each block, in Keras' order z, r, h.
    bias = np.array([[2.0, -1.0, 0.5], [0.0, 0.0, 0.0]])
    trace = gru_gates.gru_trace(np.zeros((1, 3)), np.zeros((1, 3)), bias, np.zeros((3, 1)))
    sigmoid = gates.sigmoid
    assert np.allclose(trace.update_gate[:, 0], sigmoid(2.0))
    assert np.allclose(trace.reset_gate[:, 0], sigmoid(-1.0))
    assert np.allclose(trace.candidate[:, 0], np.tanh(0.5))
    expected = [(1 - sigmoid(2.0)) * np.tanh(0.5)]
    for _ in range(2):  # h_t = z·h_{t-1} + (1 − z)·g
        expected.append(sigmoid(2.0) * expected[-1] + (1 - sigmoid(2.0)) * np.tanh(0.5))
    assert np.allclose(trace.hidden[:, 0], expected)


def test_the_trained_cells_gru_and_lstm_gates_match_keras_and_behave_as_gates():
    from helpers import tiny_trainer
    from lstm_core.experiments import cells

    trained = tiny_trainer()[1]["cells"]
    inputs, _ = cells.holdout(trained.config, 1)
    found = gru_gates.cells_gates(trained.model, inputs[0])
    assert found.difference < 1e-5
    units = trained.config.units
    for values in (found.gru.update_gate, found.gru.reset_gate, found.lstm.forget_gate, found.lstm.input_gate):
        assert values.shape == (trained.config.length, units)
        assert np.all((values > 0) & (values < 1))
    previous = np.vstack([np.zeros((1, units)), found.gru.hidden[:-1]])
    z = found.gru.update_gate
    assert np.allclose(found.gru.hidden, z * previous + (1 - z) * found.gru.candidate)


def test_a_non_standard_gru_is_refused():
    k = keras()
    layer = k.layers.GRU(2, activation="relu")
    layer.build((None, 4, 1))
    with pytest.raises(ValueError, match="not a standard GRU"):
        gru_gates.trace_layer(layer, np.zeros((4, 1)))
