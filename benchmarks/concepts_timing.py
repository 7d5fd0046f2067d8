"""
Benchmark: how long the concept lessons' trainings take, cold and warm, with and without XLA.

Each concept experiment (MLP vs LSTM, three cells, three forecasting
strategies, an SGD run) is trained at its page's default settings: first
cold (a new architecture: build, compile, train), then `--repeats` times
warm (other seeds, so the pooled compiled model is reused with fresh
weights). It prints per experiment the cold seconds, the median warm
seconds and the cold/warm ratio, for `jit_compile=True` (what the app
uses) and, with `--no-jit-too`, for `jit_compile=False`.

    .venv/bin/python benchmarks/concepts_timing.py [--repeats 3] [--no-jit-too]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lstm_core import fitting, forecasting, problems, recurrent  # noqa: E402

EXPERIMENTS = {
    "MLP vs LSTM (window 50)": (problems.compare_window, problems.WindowConfig()),
    "three cells (lag 20)": (recurrent.compare_cells, recurrent.CellsConfig()),
    "three forecasters (H 10)": (forecasting.train_forecasters, forecasting.ForecastConfig()),
    "SGD run (SimpleRNN)": (recurrent.explode, recurrent.ExplodeConfig()),
}


def timed(run, config) -> float:
    began = time.perf_counter()
    run(config)
    return time.perf_counter() - began


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-jit-too", action="store_true", help="also time jit_compile=False")
    args = parser.parse_args(argv)
    modes = [True, False] if args.no_jit_too else [True]
    print(f"{'experiment':<28} {'jit':>5} {'cold s':>8} {'warm s (median)':>16} {'cold/warm':>10}")
    for jit in modes:
        fitting.JIT_COMPILE = jit
        fitting.clear_pool()
        for name, (run, config) in EXPERIMENTS.items():
            cold = timed(run, config)
            warm = [timed(run, config.replace(seed=config.seed + 1 + k)) for k in range(args.repeats)]
            median = statistics.median(warm)
            print(f"{name:<28} {str(jit):>5} {cold:>8.1f} {median:>16.1f} {cold / median:>10.1f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
