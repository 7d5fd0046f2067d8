"""
What a teacher sees from the command line: progress on stderr, as plain
lines when stderr is a file, without TensorFlow's native start-up lines,
and one JSON object on stdout.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys

from conftest import ROOT
from lstm_core.tools import prewarm, quiet

NATIVE = [  # as TensorFlow 2.21 prints them on a machine without a GPU
    "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR",
    "I0000 00:00:1796387390.853048    1003 port.cc:153] oneDNN custom operations are on. You may see slightly "
    "different numerical results due to floating-point round-off errors.",
    "I0000 00:00:1796387390.853480    1003 cudart_stub.cc:31] Could not find cuda drivers on your machine, GPU "
    "will not be used.",
    "E0000 00:00:1796387179.737383   30108 cuda_platform.cc:52] failed call to cuInit: INTERNAL: CUDA error: "
    "Failed call to cuInit: UNKNOWN ERROR (303)",
    "To enable the following instructions: AVX2 AVX512F FMA, in other operations, rebuild TensorFlow.",
]
KEPT = [
    "E0000 00:00:1796387179.7 30108 saver.cc:12] could not write /tmp/x: No space left on device",
    "/work/main/lstm_core/engine/fit.py:80: UserWarning: something a teacher should see",
    "[1/2] sine 100 examples, 4 units × 1 layers, 1 epoch, seed 0: trained in 8.0 s, error 0.4222",
    "Traceback (most recent call last):",
]


def test_the_filter_drops_tensorflows_start_up_lines_and_nothing_else():
    assert [line for line in NATIVE if not quiet.is_noise(line)] == []
    assert [line for line in KEPT if quiet.is_noise(line)] == []


def test_progress_is_plain_lines_off_a_terminal_and_a_bar_on_one():
    assert isinstance(prewarm.progress_for(io.StringIO()), prewarm.StderrProgress)

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    bar = prewarm.progress_for(Terminal())
    try:
        assert isinstance(bar, prewarm.BarProgress)
    finally:
        bar.close()


def test_train_with_stderr_to_a_file_writes_plain_progress_and_no_native_noise(tmp_path):
    with open(tmp_path / "stderr.txt", "w") as stderr:
        done = subprocess.run(
            [sys.executable, "-m", "lstm_core", "train", "rectangles", "--units", "2", "--train-size", "100",
             "--store", str(tmp_path / "store")], cwd=ROOT, stdout=subprocess.PIPE, stderr=stderr, text=True,
            timeout=300, env={k: v for k, v in __import__("os").environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"})
    lines = (tmp_path / "stderr.txt").read_text().splitlines()
    assert done.returncode == 0, lines[-20:]
    assert json.loads(done.stdout)["source"] == "trained"
    assert any(line.startswith("[1/1] rectangles 100 rectangles") and "epoch 1/1 done" in line for line in lines)
    assert [line for line in lines if quiet.is_noise(line) or "cuda" in line.lower() or "oneDNN" in line] == []
