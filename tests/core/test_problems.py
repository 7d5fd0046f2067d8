"""problems: chapter 1's problem types and the course notes' input/output shapes, as unrolled-diagram data."""

import pytest

from helpers import catalogues
from lstm_core.engine.config import ConfigError
from lstm_core.problems import PROBLEMS, SHAPES, text_id, unrolled


def test_many_to_one_takes_every_input_and_puts_only_the_last_output_in_the_loss():
    diagram = unrolled("many-to-one", 6)
    assert diagram.steps == 6 and all(diagram.inputs)
    assert diagram.outputs == (False,) * 5 + (True,)
    assert diagram.loss == diagram.outputs
    assert diagram.recurrent_links == 5
    assert diagram.input_labels == ("x1", "x2", "x3", "x4", "x5", "x6")
    assert diagram.output_labels == ("",) * 5 + ("ŷ1",)


def test_one_to_many_takes_one_input_and_feeds_its_outputs_back_when_generating():
    plain = unrolled("one-to-many", 4)
    assert plain.inputs == (True, False, False, False) and all(plain.outputs)
    assert not any(plain.fed_back)
    assert plain.input_labels == ("x1", "", "", "")
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
    assert not any(unrolled("many-to-one", 4).encoder)  # only an encoder-decoder has an encoder


def test_equal_many_to_many_and_one_to_one():
    equal = unrolled("many-to-many (equal lengths)", 3)
    assert all(equal.inputs) and all(equal.outputs) and all(equal.loss)
    assert unrolled("many-to-many (equal lengths)", 3, feedback=True).fed_back == (False, True, True)
    single = unrolled("one-to-one", 9)
    assert single.steps == 1 and single.inputs == (True,) and single.outputs == (True,)
    assert single.recurrent_links == 0


def test_a_bad_shape_or_step_count_names_the_field():
    with pytest.raises(ConfigError) as error:
        unrolled("two-to-three")
    assert error.value.field == "shape"
    with pytest.raises(ConfigError) as error:
        unrolled("many-to-one", 0)
    assert error.value.field == "steps"
    with pytest.raises(ConfigError) as error:
        unrolled("many-to-many (unequal lengths)", 3, output_steps=21)
    assert error.value.field == "output_steps"


def test_every_problem_type_has_a_known_shape_and_a_distinct_text_id():
    assert len(PROBLEMS) == 4 and all(name == problem.name for name, problem in PROBLEMS.items())
    assert {problem.shape for problem in PROBLEMS.values()} <= set(SHAPES)
    assert PROBLEMS["sequence prediction"].example_input == "[1, 2, 3, 4, 5]"
    assert [name for name, problem in PROBLEMS.items() if problem.feedback] == ["sequence generation"]
    assert text_id("many-to-many (equal lengths)") == "many_to_many_equal_lengths"
    assert len({text_id(name) for name in [*PROBLEMS, *SHAPES]}) == len(PROBLEMS) + len(SHAPES)


def test_every_problem_and_shape_has_its_texts_in_every_catalogue():
    found = catalogues()
    assert {"en", "zh"} <= set(found)
    for language, strings in found.items():
        for name in PROBLEMS:
            for part in ("", ".description", ".applications", ".ours"):
                assert strings[f"sequence_problems.problem.{text_id(name)}{part}"].strip(), (language, name, part)
        for shape in SHAPES:
            for part in ("", ".example", ".ours"):
                assert strings[f"sequence_problems.shape.{text_id(shape)}{part}"].strip(), (language, shape, part)
    english = found["en"]  # the English names are the options themselves (and the link's values)
    assert all(english[f"sequence_problems.problem.{text_id(name)}"] == name for name in PROBLEMS)
    assert all(english[f"sequence_problems.shape.{text_id(shape)}"] == shape for shape in SHAPES)
