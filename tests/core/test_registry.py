"""experiments (the registry): every experiment declared once and found by name or by configuration; the
engine, tools and lessons never dispatch on configuration classes themselves; old module names stay gone."""

import ast
import importlib.util
import subprocess
import sys

import pytest

from helpers import ROOT
from lstm_core import experiments
from lstm_core.engine.config import ConfigError
from lstm_core.engine.fit import plain_model
from lstm_core.engine.store import KEY_PATTERN
from lstm_core.experiments import EXPERIMENTS, formulas
from lstm_core.tools.prewarm import tiny_configs

NAMES = sorted(EXPERIMENTS)


@pytest.mark.parametrize("name", NAMES)
def test_every_experiment_is_found_by_name_and_by_configuration(name):
    experiment = EXPERIMENTS[name]
    config = experiment.config()
    assert experiment.name == name and config.experiment == name
    assert config.key().startswith(name + "-") and KEY_PATTERN.fullmatch(config.key())
    assert experiments.config_from_dict({"experiment": name, **config.to_dict()}) == config
    assert experiments.of(config) is experiment
    assert experiments.describe(config) and isinstance(experiments.describe(config), str)
    assert experiment.error_metric and callable(experiment.build) and callable(experiment.data)


def test_every_tiny_configuration_keys_and_round_trips_too():
    for config in tiny_configs():
        assert KEY_PATTERN.fullmatch(config.key())
        assert experiments.config_from_dict({"experiment": config.experiment, **config.to_dict()}) == config


def test_keys_never_collide_across_experiments():
    configs = [experiment.config() for experiment in EXPERIMENTS.values()] + tiny_configs()
    assert len({config.key() for config in configs}) == len(configs)


def test_an_unknown_experiment_is_refused_naming_the_field():
    with pytest.raises(ConfigError) as caught:
        experiments.config_from_dict({"experiment": "circles", "units": 3})
    assert caught.value.field == "experiment" and "sine" in str(caught.value)
    with pytest.raises(ConfigError):
        experiments.config_from_dict({"units": 3})
    with pytest.raises(TypeError, match="registered experiment"):
        experiments.of(object())


def test_a_configuration_of_another_class_under_a_registered_name_is_refused():
    class Impostor:
        experiment = "sine"

    with pytest.raises(TypeError):
        experiments.of(Impostor())


@pytest.mark.parametrize("config", [experiment.config() for experiment in EXPERIMENTS.values()
                                    if experiment.layers is not None] + [
    experiments.SineConfig(units=7, depth=3, length=30, output=2), experiments.RectangleConfig(units=33)],
    ids=lambda config: config.key())
def test_the_layer_table_from_the_formulas_is_the_built_model(config):
    rows = experiments.layers(config)
    model = plain_model(experiments.of(config), config)
    assert sum(row["parameters"] for row in rows) == model.count_params()
    built = formulas.layer_table(model)
    assert [(row["layer"], tuple(row["output_shape"]), row["parameters"]) for row in rows] == \
           [(row["layer"], row["output_shape"], row["parameters"]) for row in built]


def test_only_the_book_experiments_have_a_keras_script():
    for name, experiment in EXPERIMENTS.items():
        if experiment.script is None:
            with pytest.raises(ValueError, match=name):
                experiments.keras_script(experiment.config())
        else:
            assert "model.fit(" in experiments.keras_script(experiment.config())
    assert {name for name, experiment in EXPERIMENTS.items() if experiment.script} == {"sine", "rectangles"}


def _sources_outside_the_experiments():
    package = ROOT / "lstm_core"
    return [path for path in sorted(package.rglob("*.py")) if (package / "experiments") not in path.parents]


def test_nothing_outside_the_experiments_dispatches_on_configuration_classes():
    config_classes = {experiment.config.__name__ for experiment in EXPERIMENTS.values()}
    found = []
    for path in _sources_outside_the_experiments():
        text = path.read_text()
        if "isinstance(config" in text or "type(config)" in text:
            found.append((path.name, "isinstance(config / type(config)"))
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("isinstance", "issubclass"):
                names = {getattr(n, "id", getattr(n, "attr", None)) for n in ast.walk(node.args[1])}
                if names & config_classes:
                    found.append((path.name, node.lineno))
            if isinstance(node, ast.Compare) and any(  # against a name written out: dispatch, not a filter
                    isinstance(n, ast.Attribute) and n.attr == "experiment" for n in ast.walk(node.left)) and any(
                    isinstance(n, ast.Constant) and isinstance(n.value, str) for n in node.comparators):
                found.append((path.name, node.lineno, "compares .experiment"))
    assert _sources_outside_the_experiments() and not found, found


OLD_MODULES = ("training", "fitting", "service", "models", "config", "codegen", "recurrent", "concept_figures",
               "backend", "store", "cli", "prewarm", "export", "forecasting")


@pytest.mark.parametrize("name", OLD_MODULES)
def test_old_module_names_do_not_come_back(name):
    assert importlib.util.find_spec(f"lstm_core.{name}") is None
    assert not (ROOT / "lstm_core" / f"{name}.py").exists()


def test_importing_the_package_its_registry_and_tools_does_not_import_tensorflow():
    code = ("import sys; import lstm_core, lstm_core.experiments, lstm_core.presets, lstm_core.ladder, "
            "lstm_core.problems, lstm_core.tools.cli, lstm_core.tools.prewarm, lstm_core.engine.trainer; "
            "lstm_core.tools.cli.build_parser(); lstm_core.tools.prewarm.default_configs(); "
            "print(sorted(m for m in ('tensorflow', 'keras') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "[]"
