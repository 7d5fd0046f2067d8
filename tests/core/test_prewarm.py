"""tools/prewarm: everything the pages show by default, each once; a second run trains nothing."""

import io
import json
import shutil

from conftest import tiny_rectangles
from helpers import tiny, tiny_trainer
from lstm_core import experiments, ladder, presets
from lstm_core.engine.store import ModelStore
from lstm_core.engine.trainer import Trainer
from lstm_core.tools import prewarm


def test_default_configs_hold_every_default_ladder_and_preset_exactly_once():
    keys = [config.key() for config in prewarm.default_configs()]
    assert len(keys) == len(set(keys))
    for experiment in experiments.EXPERIMENTS.values():
        assert keys.count(experiment.config().key()) == 1, experiment.name
    for config in presets.configs() + ladder.default_ladders():
        assert keys.count(config.key()) == 1, config.key()
    other = experiments.SineConfig(train_size=200)  # the ladders follow --sizes
    assert other.key() not in keys and other in prewarm.default_configs(sizes=(100, 200))


def test_default_configs_leave_out_what_a_teachers_limits_forbid(monkeypatch):
    monkeypatch.setenv("LSTM_EXPLORER_MAX_TRAIN_SIZE", "1000")
    configs = prewarm.default_configs()
    assert configs and all(presets.allowed(config) for config in configs)
    assert {config.train_size for config in configs if config.experiment == "rectangles"} == {100, 500, 1000}
    assert {config.experiment for config in configs} == {"sine", "rectangles"}  # the others train on more


def test_tiny_configs_are_one_tiny_model_per_experiment():
    configs = prewarm.tiny_configs()
    assert [config.experiment for config in configs] == list(experiments.EXPERIMENTS)
    assert all(config.units == 4 and config.epochs == 1 and config.train_size == 100 for config in configs)


def test_unique_keeps_the_first_of_each_key_in_order():
    a, b = tiny_rectangles(seed=1), tiny_rectangles(seed=2)
    assert prewarm.unique([a, b, a.replace(), b]) == [a, b]


def test_a_tiny_prewarm_trains_what_is_missing_and_a_second_run_trains_nothing(store, no_jit):
    configs = [tiny("sine"), tiny("rectangles"), tiny("explode")]
    progress = io.StringIO()
    first = prewarm.prewarm(configs, Trainer(store), progress=prewarm.StderrProgress(progress))
    assert [entry["key"] for entry in first["trained"]] == [config.key() for config in configs]
    assert first["already"] == [] and first["failed"] == [] and first["store_writable"] is True
    assert first["store"] == str(store.root) and first["seconds"] > 0
    fields = {"experiment", "train_size", "description", "error", "seconds"}
    assert all(fields <= set(entry) for entry in first["trained"])
    assert all(store.has(config.key()) for config in configs)
    lines = progress.getvalue().splitlines()
    assert [line.split("]")[0] for line in lines if "trained in" in line] == ["[1/3", "[2/3", "[3/3"]
    json.dumps(first)  # the summary is printed as JSON

    trainer = Trainer(ModelStore(store.root))
    progress = io.StringIO()
    second = prewarm.prewarm(configs, trainer, progress=prewarm.StderrProgress(progress))
    assert second["trained"] == [] and second["failed"] == [] and trainer.trainings == 0
    assert [entry["key"] for entry in second["already"]] == [config.key() for config in configs]
    assert progress.getvalue().count("already in the store") == len(configs)

    dry = prewarm.prewarm(configs + [tiny_rectangles(seed=99)], trainer, dry_run=True)
    assert [entry["key"] for entry in dry["to_train"]] == [tiny_rectangles(seed=99).key()]
    assert len(dry["already"]) == len(configs) and trainer.trainings == 0


def test_a_store_holding_every_tiny_model_needs_no_training(tmp_path):
    shutil.copytree(tiny_trainer()[0].store.root, tmp_path / "copy")  # every experiment's tiny model, trained once
    trainer = Trainer(ModelStore(tmp_path / "copy"))
    summary = prewarm.prewarm(prewarm.tiny_configs(), trainer)
    assert len(summary["already"]) == len(experiments.EXPERIMENTS) and summary["trained"] == []
    assert trainer.trainings == 0


def test_a_failed_training_is_reported_and_the_others_go_on(store, no_jit):
    class Failing(Trainer):
        def get(self, config, **kwargs):
            if config.train_size == 100:
                raise RuntimeError("no memory")
            return super().get(config, **kwargs)

    summary = prewarm.prewarm([tiny_rectangles(train_size=100), tiny_rectangles(train_size=200)], Failing(store))
    assert [e["train_size"] for e in summary["failed"]] == [100] and "no memory" in summary["failed"][0]["error"]
    assert [e["train_size"] for e in summary["trained"]] == [200]


def test_prewarm_trains_each_architecture_in_one_run_so_it_compiles_once():
    from lstm_core import experiments

    def architecture(config):
        experiment = experiments.of(config)
        return experiment.architecture(config, experiment.recipe(config))

    order = [architecture(config) for config in prewarm.default_configs()]
    runs = [name for index, name in enumerate(order) if index == 0 or order[index - 1] != name]
    assert len(runs) == len(set(runs)) < len(order)  # each architecture in one block, some shared
