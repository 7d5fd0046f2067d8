"""
Benchmark: does the rectangle model draw better rectangles with more data?

The book (chapter 11, figures 11.5-11.7) shows rectangles drawn after 100,
500, 1,000, 5,000 and 10,000 training rectangles and says they improve. This
trains the training-size lab's default rectangle ladder for three seeds
through the same `Trainer` as the app (into a fresh temporary store unless
`--store` is given), prints the consistency error of every size and seed,
the median per size with its training seconds, the ratio of the error at
the smallest size to the error at the largest, and checks the claim: for
every seed, the largest size has a lower error than the smallest.

    .venv/bin/python benchmarks/ladder_rectangles.py [--seeds 0 1 2] [--sizes 100 10000] [--store DIR]

Exit status 1 if the claim fails for a seed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lstm_core import ladder  # noqa: E402
from lstm_core.engine.store import ModelStore  # noqa: E402
from lstm_core.engine.trainer import Trainer  # noqa: E402
from lstm_core.experiments import RectangleConfig  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(ladder.DEFAULT_SIZES))
    parser.add_argument("--store", help="model store folder (default: a fresh temporary folder)")
    args = parser.parse_args(argv)

    folder = args.store or tempfile.mkdtemp(prefix="ladder-bench-")
    trainer = Trainer(ModelStore(folder), max_models=4)
    errors: dict[int, dict[int, float]] = {}
    seconds: dict[int, list[float]] = {size: [] for size in sorted(set(args.sizes))}
    began = time.perf_counter()
    for seed in args.seeds:
        configs = ladder.ladder_configs(RectangleConfig(seed=seed), args.sizes)
        for trained in ladder.train_ladder(trainer, configs):
            errors.setdefault(seed, {})[trained.config.train_size] = trained.error
            seconds[trained.config.train_size].append(trained.seconds)
            print(f"seed {seed}, {trained.config.train_size:>6,} rectangles: consistency error "
                  f"{trained.error:.4f} ({trained.source}, {trained.seconds:.1f} s)", file=sys.stderr)
    total = time.perf_counter() - began

    sizes = sorted(seconds)
    print(f"Rectangle consistency error by training size (RectangleConfig defaults, store {folder})\n")
    print("| size | " + " | ".join(f"seed {s}" for s in args.seeds) + " | median | median training s |")
    print("|---:|" + "---:|" * len(args.seeds) + "---:|---:|")
    for size in sizes:
        row = [errors[seed][size] for seed in args.seeds]
        print(f"| {size:,} | " + " | ".join(f"{e:.4f}" for e in row)
              + f" | {statistics.median(row):.4f} | {statistics.median(seconds[size]):.1f} |")
    small, large = sizes[0], sizes[-1]
    ratios = [errors[seed][small] / errors[seed][large] for seed in args.seeds]
    print(f"\nerror at {small:,} / error at {large:,}: median {statistics.median(ratios):.1f}× "
          f"(per seed: {', '.join(f'{r:.1f}×' for r in ratios)})")
    better = [errors[seed][large] < errors[seed][small] for seed in args.seeds]
    print(f"{large:,} rectangles beat {small:,} for {sum(better)} of {len(better)} seeds; "
          f"wall time {total:.0f} s ({trainer.trainings} trainings)")
    return 0 if all(better) else 1


if __name__ == "__main__":
    sys.exit(main())
