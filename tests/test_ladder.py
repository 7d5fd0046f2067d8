"""The training-size ladder, its figures and sentence, and prewarm (tiny configurations, real training)."""

import json
import math
import re

import numpy as np
import pytest

from conftest import tiny_rectangles, tiny_sine
from lstm_core import cli, ladder, prewarm
from lstm_core.config import ConfigError, RectangleConfig, SineConfig
from lstm_core.ladder import Rung
from lstm_core.service import Trainer
from lstm_core.store import ModelStore
from ui import i18n


def rungs(sizes, errors):
    return [Rung(size=s, error=e, epochs=1, seconds=1.0, source="trained") for s, e in zip(sizes, errors)]


def say(language: str):
    """The page's `t` for one language, without Streamlit: the catalogue's template filled with the fields."""
    return lambda key, **fields: i18n.catalogue(language)[key].format(**fields)


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
    assert [c.train_size for c in configs if isinstance(c, SineConfig)] == list(ladder.DEFAULT_SIZES)
    assert [c.train_size for c in configs if isinstance(c, RectangleConfig)] == list(ladder.DEFAULT_SIZES)
    assert all(c.replace(train_size=SineConfig().train_size) == SineConfig() for c in configs
               if isinstance(c, SineConfig))


@pytest.mark.parametrize("small,large", [(0.21, 0.04), (0.3127, 0.0187), (1.4, 0.9)])
def test_sentence_states_the_numbers_of_the_curve(small, large):
    sentence = said("rectangles", rungs([100, 1_000], [small, large]))
    a, b = ladder.format_pair(small, large)
    assert sentence.startswith("10× more rectangles cut the consistency error")
    assert f"from {a} to {b}" in sentence
    assert f"{small / large:.1f} times smaller" in sentence


def test_sentence_says_when_more_data_did_not_help_or_the_best_size_is_in_the_middle():
    rose = said("sine", rungs([200, 500], [0.03, 0.05]))
    assert rose.startswith("2.5× more training waves did not help") and "rose from 0.03 to 0.05" in rose
    same = said("sine", rungs([100, 10_000], [0.0501, 0.0499]))
    assert "about the same" in same and "0.0501" in same and "0.0499" in same
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
        assert i18n.catalogue("zh")[f"training_size.error.{experiment}"] in chinese


def test_figures_have_one_panel_and_one_curve_point_per_size():
    sizes, errors = [100, 500, 1_000, 5_000, 10_000, 25_000], [0.4, 0.2, 0.1, 0.05, 0.03, 0.02]
    ladder_rungs = rungs(sizes, errors)
    free = np.tile(np.array([[0, 0], [0.5, 0], [0.5, 0.5], [0, 0.5]], float), (6, 1, 1))
    completed = np.tile(free[:1], (6, 3, 1, 1))
    figure = ladder.rectangle_panels_figure(ladder_rungs, free, completed)
    titles = [a.text for a in figure.layout.annotations]
    assert [t.split()[0] for t in titles] == [f"{s:,}" for s in sizes]
    assert figure.layout.xaxis6.range == (-0.1, 1.1) and figure.layout.yaxis.range == (-0.1, 1.1)
    free_traces = [t for t in figure.data if t.name == "drawn from [0, 0]"]
    assert len(free_traces) == 6 and sum(t.showlegend for t in free_traces) == 1

    inputs, expected = np.linspace(0, 1, 50), np.linspace(1, 0, 5)
    sine = ladder.sine_panels_figure(ladder_rungs[:3], inputs, expected, [expected + 0.1] * 3)
    assert len([t for t in sine.data if t.name == "predicted"]) == 3
    y_ranges = {tuple(sine.layout[f"yaxis{'' if i == 0 else i + 1}"].range) for i in range(3)}
    assert len(y_ranges) == 1  # the same axes in every panel
    assert len(sine.layout.annotations) >= 3

    curve = ladder.error_curve_figure("sine", ladder_rungs)
    assert list(curve.data[0].x) == sizes and list(curve.data[0].y) == errors
    assert curve.layout.xaxis.type == "log"


def test_table_rows_one_per_size_smallest_first():
    ladder_rungs = ladder.rungs([])
    assert ladder_rungs == []
    rows = ladder.table_rows("sine", rungs([100, 1_000], [0.1, 0.05]))
    assert [r["training size"] for r in rows] == [100, 1_000]
    assert set(rows[0]) == {"training size", "held-out MAE", "epochs", "training seconds", "model"}


def test_a_ladder_is_trained_once_per_size_and_a_new_size_trains_alone(store_dir):
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
    rows = ladder.rungs(again)
    assert [r.size for r in rows] == [100, 200] and all(math.isfinite(r.error) for r in rows)


def test_prewarm_lists_every_default_configuration_once():
    configs = prewarm.default_configs()
    keys = [c.key() for c in configs]
    from lstm_core import presets

    assert len(keys) == len(set(keys))
    assert SineConfig().key() in keys and RectangleConfig().key() in keys
    assert {c.key() for c in ladder.default_ladders(ladder.DEFAULT_SIZES)} <= set(keys)
    assert {c.key() for c in presets.configs()} <= set(keys)


def test_prewarm_command_trains_then_trains_nothing_the_second_time(tmp_path, capsys):
    folder = str(tmp_path / "models")
    assert cli.main(["prewarm", "--dry-run", "--tiny", "--store", folder]) == 0
    dry = json.loads(capsys.readouterr().out)
    assert len(dry["to_train"]) == 2 and dry["trained"] == [] and not (tmp_path / "models").exists()

    assert cli.main(["prewarm", "--tiny", "--store", folder]) == 0
    first = capsys.readouterr()
    summary = json.loads(first.out)
    assert len(summary["trained"]) == 2 and summary["already"] == [] and summary["failed"] == []
    assert "[2/2]" in first.err and "trained in" in first.err

    assert cli.main(["prewarm", "--tiny", "--store", folder]) == 0
    second = capsys.readouterr()
    summary = json.loads(second.out)
    assert summary["trained"] == [] and len(summary["already"]) == 2
    assert second.err.count("already in the store") == 2


def test_prewarm_reports_a_failed_training_and_goes_on(store_dir):
    class Failing(Trainer):
        def get(self, config, **kwargs):
            if config.train_size == 100:
                raise RuntimeError("no memory")
            return super().get(config, **kwargs)

    summary = prewarm.prewarm([tiny_rectangles(train_size=100), tiny_rectangles(train_size=200)],
                              Failing(ModelStore(store_dir)))
    assert [e["train_size"] for e in summary["failed"]] == [100] and "no memory" in summary["failed"][0]["error"]
    assert [e["train_size"] for e in summary["trained"]] == [200]


def test_prewarm_rejects_a_bad_size_with_a_usage_error(capsys):
    assert cli.main(["prewarm", "--dry-run", "--sizes", "100", "50"]) == cli.EXIT_USAGE
    assert "--sizes" in capsys.readouterr().err



@pytest.mark.slow
def test_more_rectangles_draw_better_rectangles_for_three_seeds(store_dir):
    """The book's claim, measured (benchmarks/ladder_rectangles.py prints the whole table): 10,000 beat 100."""
    trainer = Trainer(ModelStore(store_dir))
    for seed in (0, 1, 2):
        small, large = ladder.train_ladder(trainer, ladder.ladder_configs(RectangleConfig(seed=seed), [100, 10_000]))
        assert large.metrics["consistency"] < small.metrics["consistency"], seed
