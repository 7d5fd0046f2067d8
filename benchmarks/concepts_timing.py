"""
Benchmark: how long the concept lessons' trainings take, cold and warm, with and without XLA.

Each concept experiment (MLP vs LSTM, three cells, three forecasting
strategies, an SGD run) is trained at its page's default settings: first
cold (a new architecture: build, compile, train), then `--repeats` times
warm (other seeds, so the pooled compiled model is reused with fresh
weights). It prints per experiment the cold seconds, the median warm
seconds and the cold/warm ratio, for `jit_compile=True` (what the app
uses: each experiment's `Recipe.jit_compile`) and, with `--no-jit-too`, for
`jit_compile=False` (`lstm_core.engine.fit.JIT_COMPILE = False`). That
second mode runs in the same process after the first, so TensorFlow's
start-up costs are paid already; `--no-jit` times only `jit_compile=False`,
in a process of its own (cold figures comparable with a plain run).

    .venv/bin/python benchmarks/concepts_timing.py [--repeats 3] [--no-jit-too | --no-jit]
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import lstm_core.engine.fit as engine  # noqa: E402
from lstm_core import experiments  # noqa: E402

EXPERIMENTS = {
    "MLP vs LSTM (window 50)": experiments.WindowConfig(),
    "three cells (lag 20)": experiments.CellsConfig(),
    "three forecasters (H 10)": experiments.ForecastConfig(),
    "SGD run (SimpleRNN)": experiments.ExplodeConfig(),
}


def timed(config) -> float:
    """Seconds to train `config` and turn it into what its page reads (the Trainer's work, without the store)."""
    began = time.perf_counter()
    experiments.view(engine.fit(experiments.of(config), config))
    return time.perf_counter() - began


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    modes = parser.add_mutually_exclusive_group()
    modes.add_argument("--no-jit-too", action="store_true", help="also time jit_compile=False")
    modes.add_argument("--no-jit", action="store_true", help="time only jit_compile=False")
    args = parser.parse_args(argv)
    logging.getLogger("tensorflow").setLevel(logging.ERROR)  # retracing notes of each new model's predict
    modes = [False] if args.no_jit else [True, False] if args.no_jit_too else [True]
    print(f"{'experiment':<28} {'jit':>5} {'cold s':>8} {'warm s (median)':>16} {'cold/warm':>10}")
    for jit in modes:
        engine.JIT_COMPILE = jit  # False switches XLA off for every recipe; True keeps each recipe's own
        engine.clear_pool()
        for name, config in EXPERIMENTS.items():
            cold = timed(config)
            warm = [timed(config.replace(seed=config.seed + 1 + k)) for k in range(args.repeats)]
            median = statistics.median(warm)
            print(f"{name:<28} {str(jit):>5} {cold:>8.1f} {median:>16.1f} {cold / median:>10.1f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
