"""Sequence problems: diagram data for every shape, the MLP's fixed window, MLP vs LSTM on other lengths."""

import numpy as np
import pytest

from lstm_core import concept_figures, fitting
from lstm_core.config import ConfigError
from lstm_core.problems import PROBLEMS, SHAPES, WindowConfig, compare_window, fit_to_window, text_id, unrolled


pytestmark = pytest.mark.usefixtures("no_jit")


def test_many_to_one_takes_every_input_and_puts_only_the_last_output_in_the_loss():
    diagram = unrolled("many-to-one", 6)
    assert diagram.steps == 6 and all(diagram.inputs)
    assert diagram.outputs == (False,) * 5 + (True,)
    assert diagram.loss == diagram.outputs
    assert diagram.recurrent_links == 5


def test_one_to_many_takes_one_input_and_feeds_its_outputs_back_when_generating():
    plain = unrolled("one-to-many", 4)
    assert plain.inputs == (True, False, False, False) and all(plain.outputs)
    assert not any(plain.fed_back)
    generating = unrolled("one-to-many", 4, feedback=True)
    assert generating.fed_back == (False, True, True, True)
    assert generating.input_labels == ("x1", "ŷ1", "ŷ2", "ŷ3")


def test_unequal_many_to_many_reads_everything_before_writing():
    diagram = unrolled("many-to-many (unequal lengths)", 4, output_steps=3)
    assert diagram.steps == 7
    assert diagram.inputs == (True,) * 4 + (False,) * 3
    assert diagram.outputs == (False,) * 4 + (True,) * 3
    assert diagram.encoder == (True,) * 4 + (False,) * 3
    assert sum(diagram.loss) == 3


def test_equal_many_to_many_and_one_to_one():
    equal = unrolled("many-to-many (equal lengths)", 3)
    assert all(equal.inputs) and all(equal.outputs) and all(equal.loss)
    single = unrolled("one-to-one", 9)
    assert single.steps == 1 and single.inputs == (True,) and single.outputs == (True,)


def test_a_bad_shape_or_step_count_names_the_field():
    with pytest.raises(ConfigError) as error:
        unrolled("two-to-three")
    assert error.value.field == "shape"
    with pytest.raises(ConfigError) as error:
        unrolled("many-to-one", 0)
    assert error.value.field == "steps"


def test_every_problem_type_has_a_known_shape_and_every_shape_its_texts_in_every_language():
    from ui import i18n

    assert len(PROBLEMS) == 4
    assert {problem.shape for problem in PROBLEMS.values()} <= set(SHAPES)
    assert PROBLEMS["sequence prediction"].example_input == "[1, 2, 3, 4, 5]"
    assert len({text_id(name) for name in [*PROBLEMS, *SHAPES]}) == len(PROBLEMS) + len(SHAPES)
    for language in i18n.LANGUAGES:
        strings = i18n.catalogue(language)
        for name in PROBLEMS:
            for part in ("", ".description", ".applications", ".ours"):
                assert strings[f"sequence_problems.problem.{text_id(name)}{part}"].strip()
        for shape in SHAPES:
            for part in ("", ".example", ".ours"):
                assert strings[f"sequence_problems.shape.{text_id(shape)}{part}"].strip()
    english = i18n.catalogue("en")  # the English names are the options themselves (and the link's values)
    assert all(english[f"sequence_problems.problem.{text_id(name)}"] == name for name in PROBLEMS)
    assert all(english[f"sequence_problems.shape.{text_id(shape)}"] == shape for shape in SHAPES)


def test_diagram_figure_draws_one_loss_box_per_output_in_the_loss():
    for shape in SHAPES:
        diagram = unrolled(shape, 5, feedback=True)
        figure = concept_figures.unrolled_figure(diagram)
        loss_boxes = [a for a in figure.layout.annotations if a.text == "loss"]
        assert len(loss_boxes) == sum(diagram.loss), shape
        cells = [s for s in figure.layout.shapes if s.type == "rect" and s.y0 == -0.3]
        assert len(cells) == diagram.steps


def test_fit_to_window_pads_short_sequences_in_front_and_keeps_the_end_of_long_ones():
    short = np.arange(1, 4, dtype=np.float32)[None]
    assert fit_to_window(short, 5).tolist() == [[0, 0, 1, 2, 3]]
    long = np.arange(10, dtype=np.float32)[None]
    assert fit_to_window(long, 4).tolist() == [[6, 7, 8, 9]]
    assert fit_to_window(long, 10).tolist() == long.tolist()


def test_window_config_rejects_values_out_of_range():
    with pytest.raises(ConfigError) as error:
        WindowConfig(window=3)
    assert error.value.field == "window" and "5" in str(error.value)
    assert WindowConfig().key() != WindowConfig(window=40).key()


def test_mlp_and_lstm_are_trained_on_the_window_and_tested_at_every_length():
    config = WindowConfig(window=10, units=4, train_size=128, epochs=1, seed=1)
    result = compare_window(config, lengths=(5, 10, 20))
    assert result.mlp_errors.shape == result.lstm_errors.shape == (3,)
    assert np.all(np.isfinite(result.mlp_errors)) and np.all(np.isfinite(result.lstm_errors))
    assert set(result.fit.losses) == {"mlp", "lstm", "loss"}
    rng = np.random.default_rng(0)
    long = rng.random((2, 25)).astype(np.float32)
    predicted = result.predict(long)
    assert predicted["mlp"].shape == predicted["lstm"].shape == (2, 5)
    # The MLP only sees the last `window` values; the LSTM reads the whole sequence.
    assert np.allclose(predicted["mlp"], result.predict(long[:, -10:])["mlp"], atol=1e-6)
    assert not np.allclose(predicted["lstm"], result.predict(long[:, -10:])["lstm"], atol=1e-4)
