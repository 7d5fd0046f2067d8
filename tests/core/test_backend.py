"""The door to TensorFlow: the persistent XLA compilation cache's folder, its bound, and that a program loaded
from it trains the same model as a freshly compiled one (in real processes: TensorFlow reads the flag once)."""

import json
import os
import subprocess
import sys

from conftest import ROOT
from lstm_core.engine import backend


def test_the_cache_folder_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.delenv("LSTM_EXPLORER_XLA_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert backend.xla_cache_dir() == tmp_path / "cache" / "lstm-explorer" / "xla"
    monkeypatch.setenv("LSTM_EXPLORER_XLA_CACHE", str(tmp_path / "mine"))
    assert backend.xla_cache_dir() == tmp_path / "mine"
    for off in ("off", "OFF", ""):
        monkeypatch.setenv("LSTM_EXPLORER_XLA_CACHE", off)
        assert backend.xla_cache_dir() is None


def test_trimming_keeps_the_newest_programs_and_nothing_else(tmp_path):
    for age in range(5):
        path = tmp_path / f"xla_compile_cache__{age}__XLA_CPU_JIT.pb"
        path.write_bytes(b"x")
        os.utime(path, (1_000 + age, 1_000 + age))
    (tmp_path / "notes.txt").write_text("not a program")
    removed = backend.trim_xla_cache(tmp_path, keep=2)
    assert sorted(p.name for p in removed) == [f"xla_compile_cache__{age}__XLA_CPU_JIT.pb" for age in range(3)]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "notes.txt", "xla_compile_cache__3__XLA_CPU_JIT.pb", "xla_compile_cache__4__XLA_CPU_JIT.pb"]


def train(tmp_path, name: str, cache: str) -> dict:
    environment = {**os.environ, "LSTM_EXPLORER_XLA_CACHE": cache, "TF_CPP_MIN_LOG_LEVEL": "3"}
    environment.pop("TF_XLA_FLAGS", None)
    done = subprocess.run(
        [sys.executable, "-m", "lstm_core", "train", "sine", "--store", str(tmp_path / name), "--units", "3",
         "--depth", "1", "--train-size", "200", "--epochs", "1"],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads([line for line in done.stdout.splitlines() if line.startswith("{")][-1])


def test_a_program_from_the_cache_trains_the_same_model_as_a_fresh_compile(tmp_path):
    cache = tmp_path / "xla"
    cold = train(tmp_path, "cold", str(cache))
    programs = list(cache.glob("xla_compile_cache_*"))
    assert programs, "the first process wrote no compiled program"
    warm = train(tmp_path, "warm", str(cache))
    assert warm["metrics"] == cold["metrics"]
    assert sorted(cache.glob("xla_compile_cache_*")) == sorted(programs)  # one program per architecture
    off = train(tmp_path, "off", "off")
    assert off["metrics"] == cold["metrics"]
