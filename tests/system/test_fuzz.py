"""
Bad input, generated: configurations, the command line and page addresses.

Every failure must be a clean one: `ConfigError` naming the field for a
configuration, exit status 2 with one `error:` line for the command line, a
corrected value and one notice for a page address; never another exception
and never a traceback. The command line is driven in-process with a stand-in
trainer (validation is real, no model is trained), plus a few real processes.
"""

from __future__ import annotations

import dataclasses
import json
import math
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT
from lstm_core import presets  # noqa: F401 - imported before a test sets a teacher's limit: see test_teacher.py
from lstm_core.engine.config import ConfigError
from lstm_core.experiments import EXPERIMENTS, config_from_dict
from lstm_core.tools import cli
from ui import params

CONFIG_TYPES = {name: experiment.config for name, experiment in EXPERIMENTS.items()}

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# -- configurations -------------------------------------------------------------------------
anything = st.one_of(
    st.integers(), st.integers(min_value=-3, max_value=300), st.integers(min_value=-2**70, max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True), st.floats(min_value=0, max_value=1),
    st.booleans(), st.none(), st.text(max_size=20), st.text(min_size=500, max_size=600),
    st.tuples(st.integers(-5, 250), st.integers(-5, 250)), st.tuples(st.floats(-1, 2), st.floats(-1, 2)),
    st.lists(st.integers(0, 30), max_size=3), st.tuples(), st.just(10**5000), st.just(-(10**400)), st.just([10**5000]),
)


def _fields(config_type):
    return [f.name for f in dataclasses.fields(config_type)]


# A field whose allowed range depends on others: its default may be refused because of the value given to one
# of these (cells: the lag must be shorter than the sequence, on the lag task).
DEPENDS_ON = {("cells", "lag"): {"length", "task"}}


@pytest.mark.parametrize("config_type", list(CONFIG_TYPES.values()), ids=list(CONFIG_TYPES))
@FUZZ
@given(data=st.data())
def test_a_configuration_is_either_valid_or_a_config_error_naming_its_field(config_type, data):
    names = data.draw(st.lists(st.sampled_from(_fields(config_type)), unique=True, max_size=4))
    values = {name: data.draw(anything, label=name) for name in names}
    try:
        config = config_type(**values)
    except ConfigError as error:
        named = error.field in values or values.keys() & DEPENDS_ON.get((config_type.experiment, error.field), set())
        assert named and error.field in str(error), (error.field, values)
        assert len(str(error)) < 200 and "\n" not in str(error)
        return
    # valid: it has a key and survives the store's round trip
    assert config.key().startswith(config.experiment)
    assert config_from_dict({"experiment": config.experiment, **json.loads(json.dumps(config.to_dict()))}) == config


@FUZZ
@given(data=st.dictionaries(st.text(max_size=15), anything, max_size=6),
       experiment=st.one_of(st.sampled_from(sorted(CONFIG_TYPES)), st.text(max_size=10), st.none()))
def test_a_stored_configuration_of_any_shape_is_rebuilt_or_refused_cleanly(data, experiment):
    try:
        config_from_dict({**data, "experiment": experiment})
    except ConfigError as error:
        assert str(error)


# -- the command line -----------------------------------------------------------------------
class _StandInTrainer:
    """The real `Trainer` would train; this one checks nothing more and returns at once."""

    def __init__(self, store=None):
        from lstm_core.engine.store import ModelStore

        self.store = store if store is not None else ModelStore()
        self.trainings = 0

    def get(self, config, **options):
        import numpy as np

        from lstm_core.engine.fit import Trained

        class Model:
            def save(self, path):
                pass

        return Trained(config=config, model=Model(), steps=np.array([1]), batch_size=1,
                       losses={"loss": np.array([0.1])}, gradient_norm=np.array([1.0]), history=[0.1],
                       metrics={"error": 0.1}, error_metric="error")


FLAGS = ["--units", "--train-size", "--epochs", "--seed", "--batch-size", "--learning-rate", "--depth",
         "--period-range", "--decay-range", "--out", "--list", "--keep", "--clear", "--prune-older-than",
         "--task", "--lag", "--length", "--window", "--horizon", "--cell", "--clipnorm", "--output"]
numbers = st.one_of(st.integers(-10**6, 10**6).map(str), st.integers().map(str),
                    st.floats(allow_nan=True, allow_infinity=True).map(repr), st.sampled_from(["1e999", "-0", "0x10"]))
words = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="/\\"), max_size=12)
token = st.one_of(st.sampled_from(FLAGS), numbers, numbers, words)
argvs = st.tuples(
    st.sampled_from([*(["train", name] for name in CONFIG_TYPES), ["train"], ["store"], ["bogus"], []]),
    st.lists(token, max_size=8),
).map(lambda parts: parts[0] + parts[1])


@pytest.fixture
def stand_in_trainer(monkeypatch, store_dir, tmp_path):
    monkeypatch.setattr("lstm_core.engine.trainer.Trainer", _StandInTrainer)
    monkeypatch.chdir(tmp_path)  # any --store or --out a fuzzed argument names lands here


@FUZZ
@given(argv=argvs)
def test_every_command_line_either_works_or_exits_2_with_one_line(stand_in_trainer, capsys, argv):
    try:
        status = cli.main(argv)
    except SystemExit as leaving:  # only --help (or an abbreviation of it) leaves through argparse
        assert leaving.code == 0 and "usage:" in capsys.readouterr().out
        return
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    if status == 0:
        assert "error" not in err.lower() and isinstance(json.loads(out), dict)  # stderr: progress only
    else:
        assert status == 2 and out == ""
        assert err.startswith("error: ") and err.count("\n") == 1, err


@pytest.mark.parametrize("argv", [
    ["train", "sine", "--units", "1e999"], ["train", "sine", "--units", "100000000000000000000000"],
    ["train", "sine", "--learning-rate", "nan"], ["train", "sine", "--period-range", "20", "5"],
    ["train", "rectangles", "--train-size", "-5"], ["train", "sine", "--depth"], ["store", "--keep", "-1"],
    ["store", "--prune-older-than", "inf"], ["bogus"], [], ["train", "cells", "--lag", "60"],
    ["train", "explode", "--cell", "LSTM2"], ["prewarm", "--sizes", "7"],
])
def test_a_real_process_fails_cleanly(argv, tmp_path):
    done = subprocess.run([sys.executable, "-m", "lstm_core", *argv], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env={"PATH": "/usr/bin:/bin", "LSTM_EXPLORER_STORE": str(tmp_path)})
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("error: ") and done.stderr.count("\n") == 1, done.stderr


# -- page addresses -------------------------------------------------------------------------
SPECS = [params.whole_number("units", 1, 64, 20), params.number("decay", 0.0, 0.2, 0.05),
         params.choice("train_size", [100, 500, 1000, 25_000], 1000)]
url_values = st.lists(st.one_of(
    numbers, words, st.text(max_size=200), st.just(""), st.just("9" * 5000), st.sampled_from(["nan", "inf", "-inf"]),
    st.floats(0, 64).map(str), st.integers(0, 70).map(str)), max_size=3)


@FUZZ
@given(spec=st.sampled_from(SPECS), raw=url_values)
def test_a_url_value_is_always_corrected_into_its_widgets_range(spec, raw):
    value, why = spec.resolve(raw)
    if spec.choices:
        assert value in spec.choices
    else:
        assert spec.low <= value <= spec.high and math.isfinite(value)
    assert isinstance(value, int) if spec.whole else isinstance(value, float)
    if why is None:  # accepted as it is: exactly one value, a number the widget can take
        assert len(raw) == 1 and float(raw[0]) == value
    else:
        assert why and "\n" not in why


def test_url_corrections_clamp_or_fall_back():
    units, decay, size = SPECS
    assert units.resolve(["999"]) == (64, "is above 64")
    assert units.resolve(["-5"])[0] == 1 and units.resolve(["1e308"])[0] == 64 and units.resolve(["inf"])[0] == 64
    assert units.resolve(["abc"])[0] == 20 and units.resolve(["nan"])[0] == 20 and units.resolve([""])[0] == 20
    assert units.resolve(["9" * 5000])[0] == 20  # too long to be typed by a student: the default
    assert units.resolve(["4", "8"]) == (8, "was given more than once")  # the last one, as Streamlit does
    assert units.resolve(["7.9"]) == (7, "is not a whole number") and units.resolve(["12"]) == (12, None)
    assert decay.resolve(["0.5"]) == (0.2, "is above 0.2") and decay.resolve(["0.1"]) == (0.1, None)
    assert size.resolve(["600"])[0] == 500 and size.resolve(["10**9"])[0] == 1000 and size.resolve(["1e9"])[0] == 25_000


HOSTILE = ["abc", "99999999999999999999999", "-7", "nan", "1e308", "<script>alert(1)</script>", "[x](http://e.vil)"]


@pytest.mark.parametrize("page", ["pages/sine.py", "pages/rectangles.py"])
def test_hostile_addresses_give_in_range_widgets_and_one_notice(app, page, monkeypatch):
    monkeypatch.setenv("LSTM_EXPLORER_MAX_UNITS", "16")  # the widgets and the address follow teacher limits
    app.switch_page(page)
    app.run()
    widgets = [w for w in (*app.slider, *app.number_input, *app.select_slider) if w.key]
    defaults = {w.key: w.value for w in widgets}
    assert {"units", "train_size", "seed"} <= set(defaults)
    for index, hostile in enumerate(HOSTILE):
        from streamlit.testing.v1 import AppTest

        test = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        test.query_params.update({key: hostile for key in defaults})
        test.query_params["seed"] = [hostile, "3"] if index % 2 else hostile
        test.switch_page(page)
        test.run()
        assert not test.exception and not test.error, hostile
        notices = [w.value for w in test.warning if "page address" in w.value]
        assert len(notices) == 1, hostile
        for widget in (*test.slider, *test.number_input, *test.select_slider):
            if widget.key not in defaults:
                continue
            assert f"`{widget.key}`" in notices[0]
            if type(widget).__name__ == "SelectSlider":
                assert str(widget.value) in widget.options
            else:
                assert widget.min <= widget.value <= widget.max
        assert "<script>" not in notices[0] and "e.vil" not in notices[0]  # the raw text is never echoed
        test.run()
        assert not [w for w in test.warning if "page address" in w.value]  # once, not on every rerun


@pytest.mark.parametrize("page", ["pages/sine.py", "pages/rectangles.py"])
def test_out_of_range_addresses_clamp_to_the_widgets_ends(app, page):
    from streamlit.testing.v1 import AppTest

    app.switch_page(page)
    app.run()
    ranges = {w.key: (w.min, w.max) for w in (*app.slider, *app.number_input) if w.key}
    for end, asked in ((0, "-1e9"), (1, "1e9")):
        test = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        test.query_params.update({key: asked for key in ranges})
        test.switch_page(page)
        test.run()
        got = {w.key: w.value for w in (*test.slider, *test.number_input) if w.key in ranges}
        assert got == {key: ends[end] for key, ends in ranges.items()}
