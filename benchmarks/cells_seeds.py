"""
Benchmark: which cells learn the long-lag task, seed by seed?

The cells lesson says a SimpleRNN fails to carry a value over a long lag
while GRU and LSTM learn it, and that its gradient with respect to early
inputs vanishes. This trains the lesson's default comparison (50 steps,
lag 20, 16 units, 2,048 sequences, 8 epochs) for several seeds and prints,
per seed, each cell's held-out mean absolute error (0.25 = guessing) and
the SimpleRNN's gradient ratio log10(mean |dL/dx| over the first 5 steps /
over the last 5), then how many seeds each cell "learned" (error below
0.1) and the median training seconds (the first run compiles; later ones
reuse the compiled model).

    .venv/bin/python benchmarks/cells_seeds.py [--seeds 0 1 2 3 4] [--lag 20] [--epochs 8]
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lstm_core import experiments  # noqa: E402
from lstm_core.engine.fit import fit  # noqa: E402
from lstm_core.experiments import CellsConfig  # noqa: E402
from lstm_core.experiments.formulas import CELLS  # noqa: E402

LEARNED = 0.1


def compare_cells(config):
    """The three cells trained side by side, as the cells lesson's Trainer trains them (without the store)."""
    return experiments.view(fit(experiments.of(config), config))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--lag", type=int, default=CellsConfig.lag)
    parser.add_argument("--epochs", type=int, default=CellsConfig.epochs)
    args = parser.parse_args(argv)
    logging.getLogger("tensorflow").setLevel(logging.ERROR)  # retracing notes of each new model's predict

    print(f"lag {args.lag}, {args.epochs} epochs; held-out MAE (0.25 = guessing)")
    print(f"{'seed':>4} " + " ".join(f"{cell:>10}" for cell in CELLS) + f" {'RNN grad':>9} {'seconds':>8} compiled")
    learned = {cell: 0 for cell in CELLS}
    seconds = []
    for seed in args.seeds:
        result = compare_cells(CellsConfig(lag=args.lag, epochs=args.epochs, seed=seed))
        gradient = result.gradients["SimpleRNN"]
        ratio = float(np.log10(gradient[:5].mean() / gradient[-5:].mean()))
        for cell in CELLS:
            learned[cell] += result.errors[cell] < LEARNED
        if not result.fit.compiled:
            seconds.append(result.seconds)
        print(f"{seed:>4} " + " ".join(f"{result.errors[cell]:>10.4f}" for cell in CELLS)
              + f" {ratio:>9.1f} {result.seconds:>8.1f} {result.fit.compiled}")
    print("learned (error < 0.1): " + ", ".join(f"{cell} {learned[cell]}/{len(args.seeds)}" for cell in CELLS))
    if seconds:
        print(f"median seconds once compiled: {statistics.median(seconds):.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
