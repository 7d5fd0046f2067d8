"""ladder: the training-size ladder, its table and the sentence computed from its errors."""

import math
import re

import pytest

from conftest import tiny_rectangles, tiny_sine
from helpers import catalogues
from lstm_core import ladder
from lstm_core.engine.config import ConfigError
from lstm_core.figures import ladder as ladder_figures
from lstm_core.engine.store import ModelStore
from lstm_core.engine.trainer import Trainer
from lstm_core.experiments import RectangleConfig, SineConfig
from lstm_core.ladder import Rung


def rungs(sizes, errors, source="trained"):
    return [Rung(size=s, error=e, epochs=1, seconds=1.0, source=source) for s, e in zip(sizes, errors)]


def say(language: str):
    """A page's `t` for one language: the catalogue's template filled with the fields."""
    strings = catalogues()[language]
    return lambda key, **fields: strings[key].format(**fields)


def said(experiment, ladder_rungs, language="en"):
    return ladder.summary_sentence(experiment, ladder_rungs, say(language))


def test_ladder_configs_change_only_the_training_size_smallest_first_each_once():
    base = tiny_sine(units=7, seed=5)
    configs = ladder.ladder_configs(base, [1_000, 100, 500, 100])
    assert [c.train_size for c in configs] == [100, 500, 1_000]
    assert all(c.replace(train_size=base.train_size) == base for c in configs)
    assert len({c.key() for c in configs}) == 3


def test_ladder_configs_reject_no_size_and_sizes_out_of_range():
    with pytest.raises(ConfigError) as empty:
        ladder.ladder_configs(tiny_rectangles(), [])
    assert empty.value.field == "train_size"
    with pytest.raises(ConfigError, match="train_size"):
        ladder.ladder_configs(tiny_rectangles(), [100, 50])


def test_default_ladders_are_both_experiments_at_their_defaults_on_the_books_sizes():
    configs = ladder.default_ladders()
    for default in (SineConfig(), RectangleConfig()):
        same = [c for c in configs if c.experiment == default.experiment]
        assert [c.train_size for c in same] == list(ladder.DEFAULT_SIZES)
        assert all(c.replace(train_size=default.train_size) == default for c in same)
    assert len(configs) == 2 * len(ladder.DEFAULT_SIZES)


@pytest.mark.parametrize("small,large", [(0.21, 0.04), (0.3127, 0.0187), (1.4, 0.9)])
def test_sentence_states_the_numbers_of_the_curve(small, large):
    sentence = said("rectangles", rungs([100, 1_000], [small, large]))
    a, b = ladder.format_error(small), ladder.format_error(large)
    assert sentence.startswith("10× more rectangles cut the consistency error")
    assert f"from {a} to {b}" in sentence
    assert f"{small / large:.1f} times smaller" in sentence


def test_the_sentence_the_chart_the_panels_and_the_table_write_each_error_the_same_way():
    """One rounding, from one function: the figure a student reads in the sentence is the chart's and the table's."""
    ladder_rungs = [Rung(size=s, error=e, epochs=1, seconds=1.0, source="trained",
                         parts=(("free", e), ("completions", e / 3)))
                    for s, e in zip([100, 1_000, 10_000], [0.123456, 0.0456789, 0.00123456])]
    shown = [ladder.format_error(rung.error) for rung in ladder_rungs]
    assert shown == ["0.123", "0.0457", "0.00123"]
    sentence = said("rectangles", ladder_rungs)
    assert "from 0.123 to 0.00123" in sentence
    curve = ladder_figures.error_curve_figure("rectangles", ladder_rungs)
    assert list(curve.data[0].text) == shown and "%{text}" in curve.data[0].hovertemplate
    assert [ladder_figures.panel_title("rectangles", rung).split()[-1] for rung in ladder_rungs] == shown
    rows = ladder.table_rows("rectangles", ladder_rungs)
    assert [row["consistency error"] for row in rows] == shown
    assert [row["drawn from [0, 0]"] for row in rows] == shown
    assert [row["completions"] for row in rows] == [ladder.format_error(e / 3) for e in (0.123456, 0.0456789, 0.00123456)]


def test_sentence_says_when_more_data_did_not_help_or_the_best_size_is_in_the_middle():
    rose = said("sine", rungs([200, 500], [0.03, 0.05]))
    assert rose.startswith("2.5× more training waves did not help") and "rose from 0.03 to 0.05" in rose
    same = said("sine", rungs([100, 10_000], [0.0501, 0.0499]))
    assert "about the same" in same and "0.0501" in same and "0.0499" in same
    assert "about the same (0.123 and 0.123)" in said("sine", rungs([100, 10_000], [0.12344, 0.12341]))
    middle = said("rectangles", rungs([100, 1_000, 25_000], [0.3, 0.02, 0.05]))
    assert "250× more rectangles cut" in middle and "lowest consistency error, 0.02, came with 1,000" in middle
    steady = said("rectangles", rungs([100, 500, 5_000], [0.3, 0.1, 0.05]))
    assert "Every step up the ladder lowered it." in steady
    bump = said("rectangles", rungs([100, 1_000, 10_000], [0.11, 0.18, 0.023]))
    assert "cut the consistency error from 0.11 to 0.023" in bump
    assert "worse before it got better: 0.18 with 1,000 rectangles" in bump
    assert "add another size" in said("sine", rungs([500], [0.04]))
    assert said("sine", []) == "No size is trained yet."


CASES = [  # one ladder per kind of sentence part: (experiment, sizes, errors, parts)
    ("rectangles", [100, 1_000], [0.21, 0.04], ["cut_smaller"]),
    ("rectangles", [100, 1_000], [0.21, 0.18], ["cut"]),
    ("sine", [200, 500], [0.03, 0.05], ["rose"]),
    ("sine", [100, 10_000], [0.0501, 0.0499], ["same"]),
    ("rectangles", [100, 1_000, 25_000], [0.3, 0.02, 0.05], ["cut_smaller", "lowest"]),
    ("rectangles", [100, 500, 5_000], [0.3, 0.1, 0.05], ["cut_smaller", "every_step"]),
    ("rectangles", [100, 1_000, 10_000], [0.11, 0.18, 0.023], ["cut_smaller", "worse_first"]),
    ("rectangles", [1_000, 100], [0.04, 0.21], ["cut_smaller"]),  # the rungs in any order
    ("sine", [500], [0.04], ["one"]),
    ("sine", [], [], ["none"]),
]


@pytest.mark.parametrize("experiment,sizes,errors,parts", CASES)
def test_every_part_of_the_sentence_is_said_in_both_languages_with_the_same_numbers(experiment, sizes, errors, parts):
    ladder_rungs = rungs(sizes, errors)
    found = ladder.summary(experiment, ladder_rungs)
    assert [key for key, _ in found] == parts
    numbers = [value for _, fields in found for value in fields.values()]
    english, chinese = said(experiment, ladder_rungs, "en"), said(experiment, ladder_rungs, "zh")
    for text in (english, chinese):
        assert all(str(number) in text for number in numbers), (text, numbers)
        assert "{" not in text and "}" not in text
    assert re.search(r"[\u4e00-\u9fff]", chinese) and not re.search(r"[\u4e00-\u9fff]", english)
    assert english.count(". ") == chinese.count("。") - 1 == len(parts) - 1
    if sizes:
        assert catalogues()["zh"][f"training_size.error.{experiment}"] in chinese


def test_rungs_are_sorted_and_the_table_has_one_row_per_size_smallest_first():
    assert ladder.rungs([]) == []
    rows = ladder.table_rows("sine", rungs([100, 1_000], [0.1, 0.05]))
    assert [r["training size"] for r in rows] == [100, 1_000]
    assert set(rows[0]) == {"training size", "held-out MAE", "epochs", "training seconds", "model"}
    sources = [row["model"] for row in ladder.table_rows("rectangles", [*rungs([1], [0.1], "store"),
                                                                           *rungs([2], [0.1], "memory"),
                                                                           *rungs([3], [0.1], "trained")])]
    assert len(set(sources)) == 3 and "store" in sources[0]


def test_a_ladder_is_trained_once_per_size_and_a_new_size_trains_alone(store_dir, no_jit):
    trainer = Trainer(ModelStore(store_dir))
    base = tiny_rectangles()
    first = ladder.train_ladder(trainer, ladder.ladder_configs(base, [100]))
    assert trainer.trainings == 1 and len(list(store_dir.glob("*.json"))) == 1
    assert [t.config.train_size for t in first] == [100]
    updates = []
    again = ladder.train_ladder(Trainer(ModelStore(store_dir)), ladder.ladder_configs(base, [200, 100]),
                                on_update=lambda config, status: updates.append(config.train_size))
    assert [t.source for t in again] == ["store", "trained"]
    assert set(updates) == {200}
    assert len(list(store_dir.glob("*.json"))) == 2
    found = ladder.rungs(reversed(again))
    assert [r.size for r in found] == [100, 200] and all(math.isfinite(r.error) for r in found)
    assert [r.source for r in found] == ["store", "trained"] and [r.epochs for r in found] == [1, 1]
    for rung, trained in zip(found, sorted(again, key=lambda t: t.config.train_size)):  # the headline and its parts
        assert rung.error == trained.metrics["consistency"] == max(value for _, value in rung.parts)
        assert dict(rung.parts) == {"free": trained.metrics["consistency_free"],
                                    "completions": trained.metrics["consistency_completions"]}


@pytest.mark.slow
def test_more_rectangles_draw_better_rectangles_for_three_seeds(store_dir, no_jit):
    """The book's claim, measured (benchmarks/ladder_rectangles.py prints the whole table): 10,000 beat 100."""
    trainer = Trainer(ModelStore(store_dir))
    for seed in (0, 1, 2):
        small, large = ladder.train_ladder(trainer, ladder.ladder_configs(RectangleConfig(seed=seed), [100, 10_000]))
        assert large.metrics["consistency"] < small.metrics["consistency"], seed
