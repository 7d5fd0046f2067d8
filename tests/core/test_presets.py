"""presets: every lesson's presets are registered configurations (trained by prewarm) and views that show
what their names promise."""

import pytest

from helpers import train
from lstm_core import experiments, presets
from lstm_core.engine.store import KEY_PATTERN
from lstm_core.experiments import ExplodeConfig
from lstm_core.ladder import DEFAULT_SIZES
from lstm_core.problems import PROBLEMS, SHAPES, unrolled

EVERY = [(lesson, preset) for lesson, found in presets.PRESETS.items() for preset in found]


def preset(lesson, name):
    return next(p for p in presets.PRESETS[lesson] if p.name == name)


@pytest.mark.parametrize("lesson, found", presets.PRESETS.items())
def test_preset_names_are_unique_in_a_lesson_and_each_shows_something(lesson, found):
    assert len({p.name for p in found}) == len(found) >= 2
    assert all(p.configs or p.view for p in found)


def test_every_preset_configuration_is_a_registered_experiment_with_a_store_key():
    for lesson, p in EVERY:
        assert isinstance(p.configs, tuple), (lesson, p.name)
        for config in p.configs:
            assert experiments.of(config).config is type(config)
            assert KEY_PATTERN.fullmatch(config.key()), (lesson, p.name)


def test_configs_lists_every_preset_configuration_once_in_the_order_of_the_lessons():
    found = presets.configs()
    assert len({config.key() for config in found}) == len(found)
    expected = []
    for _, p in EVERY:
        expected.extend(config for config in p.configs if config not in expected)
    assert found == expected
    assert {config.key() for _, p in EVERY for config in p.configs} == {config.key() for config in found}


def test_defaults_are_every_experiments_default_configuration():
    assert presets.defaults() == [experiment.config() for experiment in experiments.EXPERIMENTS.values()]


def test_under_a_teachers_limits_only_the_allowed_presets_and_defaults_are_listed(monkeypatch):
    monkeypatch.setenv("LSTM_EXPLORER_MAX_TRAIN_SIZE", "2048")
    monkeypatch.setenv("LSTM_EXPLORER_MAX_UNITS", "16")
    every = [config for _, p in EVERY for config in p.configs]  # declared at the ceilings, whatever the limits
    assert any(config.train_size > 2048 or config.units > 16 for config in every)
    allowed = [config for config in every if config.train_size <= 2048 and config.units <= 16]
    assert [presets.allowed(config) for config in every] == [config in allowed for config in every]
    assert presets.configs() == list(dict.fromkeys(allowed))  # each once, in lesson order
    assert [config.experiment for config in presets.defaults()] == ["cells", "explode", "throughtime"]


def test_the_sequence_problem_presets_name_known_diagrams():
    for p in presets.SEQUENCE_PROBLEMS:
        if "problem" in p.view:
            assert p.view["problem"] in PROBLEMS and p.view["shape"] in SHAPES
            assert PROBLEMS[p.view["problem"]].feedback == p.view["feedback"]
            unrolled(p.view["shape"], p.view["steps"], feedback=p.view["feedback"])
    # Chapter 1 calls the damped sine's forecast of 5 values sequence-to-sequence; chapter 7's model is many-to-one.
    damped = preset("sequence_problems", "damped_sine").view
    assert (damped["problem"], damped["shape"]) == ("sequence-to-sequence prediction", "many-to-one")
    longer = preset("sequence_problems", "window_longer")
    assert longer.view["test_length"] > longer.configs[0].window  # a wave longer than the MLP's window


def test_the_training_size_presets_are_ladders_over_the_books_sizes():
    for p in presets.TRAINING_SIZE:
        assert [config.train_size for config in p.configs] == list(DEFAULT_SIZES)
        assert len({config.replace(train_size=100) for config in p.configs}) == 1  # only the size changes


@pytest.mark.parametrize("lesson, inside, outside", [("sine", "book", "out_of_range"),
                                                     ("inside_lstm", "book", "out_of_range"),
                                                     ("forecasting", "default", "out_of_range")])
def test_an_out_of_range_preset_shows_a_wave_outside_the_training_range(lesson, inside, outside):
    def in_range(p):
        config = p.configs[0]
        return (config.period_range[0] <= p.view["period"] <= config.period_range[1]
                and config.decay_range[0] <= p.view["decay"] <= config.decay_range[1])

    assert in_range(preset(lesson, inside)) and not in_range(preset(lesson, outside))
    assert in_range(preset("forecasting", "wider_training"))  # the same wave, once the training covers it
    assert preset("forecasting", "wider_training").view == preset("forecasting", "out_of_range").view


@pytest.mark.usefixtures("no_jit")
def test_the_exploding_preset_diverges_and_its_clipped_twin_does_not():
    exploding, clipped = (preset("cells", name).configs[0] for name in ("exploding", "clipped"))
    assert clipped == exploding.replace(clipnorm=1.0) and isinstance(exploding, ExplodeConfig)
    assert train(exploding).diverged
    assert not train(clipped).diverged


# How a preset's note names each setting it changes (English), by control key. A preset that changes a control
# missing here fails the test below: add the words its notes use for it.
MENTIONS = {
    "units": r"\bunits?\b|memory cells?|\bcells?\b",
    "depth": r"\blayers?\b|\bdepth\b",
    "train_size": r"\b(waves|examples|rectangles|sequences)\b",
    "epochs": r"\bepochs?\b",
    "seed": r"\bseed\b",
    "recipe": r"\brecipe\b",
    "period": r"\bperiod\b",
    "decay": r"\bdecay",
    "problem": r"sequence prediction|sequence classification|sequence generation|sequence-to-sequence",
    "shape": r"one-to-one|one-to-many|many-to-one|many-to-many",
    "feedback": r"\bfe(d|eding|eds)\b.*\bback\b",
    "steps": r"\btime steps\b",
    "window": r"\bwindow\b",
    "test_length": r"\btest(ed)? (on a wave|length)",
    "horizon": r"\bH = |\bhorizon\b",
    "period_range": r"trained on periods|training periods",
    "decay_range": r"trained on decays|training decays",
    "lag": r"\blag\b",
    "length": r"\blength\b|\bsteps\b",
    "learning_rate": r"learning rate",
    "task": r"\btask\b",
    "experiment": r"\bsine\b|\brectangles?\b|chapter 7|chapter 11",
    "sizes": r"\bsizes?\b",
    "explode_cell": r"SimpleRNN|\bGRU\b|\bLSTM\b",
    "explode_learning_rate": r"learning rate",
    "explode_clip": r"\bclip",
    "through_scale": r"recurrent scale",
    "framing": r"\bframing\b|one sequence",
    "gap": r"\bgap\b|missing values?",
    "input_steps": r"\bTx\b|input steps",
    "output_steps": r"\bTy\b|output steps",
}


@pytest.mark.parametrize("lesson, found", EVERY, ids=[f"{lesson}-{p.name}" for lesson, p in EVERY])
def test_a_presets_note_names_every_setting_it_changes(lesson, found):
    """What a preset changes is its `changes` (tests/pages/test_page_presets.py holds it against the page);
    its note, which the page shows when it is chosen, names each of them."""
    import re

    from ui import catalogues

    note = catalogues.read("en")[f"preset.{lesson}.{found.name}.note"]
    assert len(set(found.changes)) == len(found.changes)
    unknown = sorted(set(found.changes) - set(MENTIONS))
    assert not unknown, f"say in MENTIONS how a note names {unknown}"
    silent = [key for key in found.changes if not re.search(MENTIONS[key], note, re.IGNORECASE)]
    assert not silent, f"preset.{lesson}.{found.name}.note does not say it changes {silent}: {note}"
