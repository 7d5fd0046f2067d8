"""
The book's recipe through the app, like for like: `python -m lstm_core train
sine --recipe book` (chapter 7's model, 10,000 waves, batches of 10, Adam at
Keras' default 1e-3, one epoch) for three seeds, its held-out MAE next to the
book's 0.0217, and beside it the app's default `fast` recipe (batches of 20,
Adam 3e-3, 2 epochs) for the same seeds: what the fast recipe buys, in time and
error, measured in the same run.

Each run is the real command as a whole process on a fresh store (Python,
TensorFlow import, build, compile, training, scoring and saving), alternating
book and fast seed by seed; wall and CPU seconds (the child's user + system)
and the machine's load are printed per run, medians at the end.

    .venv/bin/python benchmarks/book_recipe.py [--seeds 0 1 2]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile

from _common import machine_line, median, table, whole_process

BOOK_MAE = 0.0217  # chapter 7 prints 0.021665 (lstm_core.experiments.sine.BOOK_MAE)


def run(recipe: str, seed: int) -> dict:
    store = tempfile.mkdtemp(prefix="book-recipe-store-")
    try:
        ran = whole_process([sys.executable, "-m", "lstm_core", "train", "sine", "--recipe", recipe, "--seed",
                             str(seed), "--store", store], what=f"{recipe} seed {seed}")
    finally:
        shutil.rmtree(store, ignore_errors=True)
    summary = ran["summary"]
    config = summary["config"]
    return {"recipe": recipe, "seed": seed, "wall": ran["wall"], "load": ran["load"], "mae": summary["metrics"]["mae"],
            "cpu": ran["cpu"],
            "setting": f"batch {config['batch_size']}, Adam {config['learning_rate']:g}, {config['epochs']} epoch(s), "
                       f"{config['train_size']:,} waves"}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    args = parser.parse_args(argv)
    print("# The book's recipe through the app (`train sine --recipe book`) against the book's 0.0217")
    print(machine_line())
    rows = []
    for index, seed in enumerate(args.seeds):
        for recipe in (("book", "fast") if index % 2 == 0 else ("fast", "book")):
            row = run(recipe, seed)
            rows.append(row)
            print(f"  {recipe} seed {seed}: MAE {row['mae']:.4f}, wall {row['wall']:.1f} s, CPU {row['cpu']:.1f} s, "
                  f"load {row['load']:.2f}", flush=True)
    print()
    print(table(["recipe", "setting", "seeds", "held-out MAE per seed", "median MAE", "vs the book's 0.0217",
                 "median wall s", "median CPU s"],
                [[recipe, next(r["setting"] for r in rows if r["recipe"] == recipe),
                  " ".join(str(r["seed"]) for r in rows if r["recipe"] == recipe),
                  " ".join(f"{r['mae']:.4f}" for r in rows if r["recipe"] == recipe),
                  f"{median([r['mae'] for r in rows if r['recipe'] == recipe]):.4f}",
                  f"{median([r['mae'] for r in rows if r['recipe'] == recipe]) - BOOK_MAE:+.4f}",
                  f"{median([r['wall'] for r in rows if r['recipe'] == recipe]):.1f}",
                  f"{median([r['cpu'] for r in rows if r['recipe'] == recipe]):.1f}"] for recipe in ("book", "fast")]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
