"""
Scratch evidence for issue 14 item 4: which change gets `python -m lstm_core train sine` to the app
default's held-out MAE sooner, cold, as a whole process.

Each variant is the real command, `python -m lstm_core train sine --store <fresh dir> [flags]`, in a
fresh process, run through a tiny launcher that may first change, in that process only, one engine
setting (XLA off, steps per execution) or set an environment variable (TensorFlow's persistent XLA
compilation cache); nothing in `lstm_core` is edited. Recipe variants are plain configuration
flags. Variants alternate, round after round (the order reversed every other round); each run
prints its wall time, its CPU time (user + system of the child: steadier than wall time when
other programs share the 2 cores) and the 1-minute load average, and its held-out MAE, which must
reach the target (the default's MAE, seed 0) for the variant to count.

    .venv/bin/python benchmarks/sine_cold_variants.py [--rounds 3] [--only default xla-cache ...]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

# Adam from 2e-2 decaying along a cosine to 5% at the last step, batch 32, 16,000 fresh waves once (500 steps)
COSINE = ["--batch-size", "32", "--learning-rate", "2e-2", "--train-size", "16000", "--epochs", "1"]
# name → (configuration flags, engine patch, environment)
VARIANTS = {
    "default": ([], None, {}),
    "xla-cache (warm)": ([], None, {"TF_XLA_FLAGS": "--tf_xla_persistent_cache_directory={cache}"}),
    "no XLA": ([], "nojit", {}),
    "spe 500": ([], "spe500", {}),
    "threads 2": ([], None, {"LSTM_EXPLORER_THREADS": "2"}),
    "XLA opt level 1": ([], None, {"XLA_FLAGS": "--xla_backend_optimization_level=1"}),
    "lr 5e-3, 7,000 x 2 epochs (700 steps)": (["--learning-rate", "5e-3", "--train-size", "7000"], None, {}),
    "cosine 2e-2, b32, 500 steps": (COSINE, "cosine", {}),
    "opt level 1 + xla-cache": ([], None, {
        "XLA_FLAGS": "--xla_backend_optimization_level=1",
        "TF_XLA_FLAGS": "--tf_xla_persistent_cache_directory={cache}"}),
    "cosine + opt level 1 + xla-cache": (COSINE, "cosine", {
        "XLA_FLAGS": "--xla_backend_optimization_level=1",
        "TF_XLA_FLAGS": "--tf_xla_persistent_cache_directory={cache}"}),
}

LAUNCHER = """
import sys
sys.path.insert(0, {root!r})
patch = {patch!r}
if patch == "nojit":
    import lstm_core.engine.fit as engine
    engine.JIT_COMPILE = False
elif patch == "cosine":  # the optimizer's learning rate becomes a schedule over the run's 500 steps
    import lstm_core.engine.fit as engine
    def optimizer(recipe):
        import keras
        rate = keras.optimizers.schedules.CosineDecay(recipe.learning_rate, 500, alpha=0.05)
        return keras.optimizers.Adam(learning_rate=rate)
    engine._optimizer = optimizer
elif patch and patch.startswith("spe"):
    import lstm_core.experiments.sine as sine
    sine.STEPS_PER_EXECUTION = int(patch[3:])
sys.argv = ["lstm_core"] + {argv!r}
import runpy
runpy.run_module("lstm_core", run_name="__main__")
"""


def run(name: str, cache: str) -> dict:
    flags, patch, env = VARIANTS[name]
    store = tempfile.mkdtemp(prefix="variant-store-")
    argv = ["train", "sine", "--store", store, *flags]
    code = LAUNCHER.format(root=str(ROOT), patch=patch, argv=argv)
    from _common import whole_process

    try:
        ran = whole_process([sys.executable, "-c", code], what=name, timeout=600,
                            env={k: v.format(cache=cache) for k, v in env.items()})
    finally:
        shutil.rmtree(store, ignore_errors=True)
    wall, cpu, load, summary = ran["wall"], ran["cpu"], ran["load"], ran["summary"]
    return {"name": name, "wall": wall, "cpu": cpu, "load": load, "mae": summary["metrics"]["mae"],
            "steps": summary.get("history") and len(summary["history"]), "inner": summary["seconds"]}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", nargs="+", choices=list(VARIANTS), default=list(VARIANTS))
    args = parser.parse_args(argv)
    sys.path.insert(0, str(HERE))
    from _common import machine_line, median, table

    print("# `python -m lstm_core train sine` variants, cold, whole process")
    print(machine_line())
    print(f"load average (1, 5, 15 min) at the start: {', '.join(f'{v:.2f}' for v in os.getloadavg())}")
    cache = tempfile.mkdtemp(prefix="xla-cache-")
    try:
        for name in args.only:  # fill the cache once per variant that uses it: they measure a warm cache
            if "xla_persistent_cache" in str(VARIANTS[name][2]):
                run(name, cache)
        rows = []
        for index in range(args.rounds):
            for name in (args.only if index % 2 == 0 else list(reversed(args.only))):
                row = run(name, cache)
                rows.append(row)
                print(f"  round {index + 1}: {name}: wall {row['wall']:.2f} s, CPU {row['cpu']:.2f} s, "
                      f"MAE {row['mae']:.5f}, load {row['load']:.2f}", flush=True)
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    default_mae = median([r["mae"] for r in rows if r["name"] == "default"]) if "default" in args.only else 0.0172
    default_wall = median([r["wall"] for r in rows if r["name"] == "default"]) if "default" in args.only else 1.0
    print()
    print(table(["variant", "wall s (median)", "CPU s (median)", "vs default (wall)", "held-out MAE",
                 "reaches the default's MAE", "loads"],
                [[name, median([r["wall"] for r in rows if r["name"] == name]),
                  median([r["cpu"] for r in rows if r["name"] == name]),
                  f"{median([r['wall'] for r in rows if r['name'] == name]) / default_wall:.2f}",
                  median([r["mae"] for r in rows if r["name"] == name]),
                  "yes" if median([r["mae"] for r in rows if r["name"] == name]) <= default_mae + 1e-9 else "no",
                  ", ".join(format(r["load"], ".2f") for r in rows if r["name"] == name)] for name in args.only]))
    print(f"load average at the end: {', '.join(f'{v:.2f}' for v in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
