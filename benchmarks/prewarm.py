"""
Prewarm: how long a teacher waits before class, and what it leaves on disk.

Runs the real command, `python -m lstm_core prewarm --store DIR`, as a whole
process (TensorFlow import, every build, XLA compile, training and store
write included) on a fresh, empty temporary store, and reads its JSON
summary from stdout. It prints:

- the wall time of that first run (target: at most 90 s on this 2-core
  machine), and how much of it the trainings themselves took;
- the number of configurations trained (and any that failed), per
  experiment the count and training seconds, and the slowest configurations
  (the summary's per-entry `seconds`: build, compile if the architecture is
  new to the process's pool of compiled models, fit, scoring and analysis;
  not the store write; the first configuration's also holds the TensorFlow
  import, timed apart in a fresh process after the runs);
- the store's size on disk (from `python -m lstm_core store --store DIR`),
  per entry, and split into `.keras` models and `.json` records;
- the wall time of a second run on the same store, which must train nothing
  (its time is mostly Python start-up: it reads only the records).

"new arch." marks a configuration whose training should have compiled: its
architecture (`Experiment.architecture`) is not in a simulated copy of the
engine's least-recently-used pool (`engine.fit.POOL_SIZE` idle compiled
models) at that point of the run.

    .venv/bin/python benchmarks/prewarm.py                    # about 1-2 minutes
    .venv/bin/python benchmarks/prewarm.py --sizes 100 20000  # ladders with these sizes too (passed on)
    .venv/bin/python benchmarks/prewarm.py --store DIR        # an empty folder of yours, kept afterwards
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import OrderedDict
from pathlib import Path

from _common import ROOT, machine_line, table, verdict

TARGET_FIRST = 90.0  # seconds, the whole first run on an empty store, this 2-core machine


def run_cli(*args: str, timeout: float = 1_800) -> tuple[dict, float, str]:
    """`python -m lstm_core args...` in a fresh process: (its JSON summary, wall seconds, its stderr)."""
    command = [sys.executable, "-m", "lstm_core", *args]
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    began = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=timeout, env=env)
    seconds = time.perf_counter() - began
    lines = [line for line in done.stdout.splitlines() if line.strip().startswith("{")]
    if not lines:
        raise RuntimeError(f"{' '.join(command)} exited {done.returncode} without a JSON summary:\n"
                           f"{done.stderr[-3000:]}")
    summary = json.loads(lines[-1])
    if done.returncode not in (0, 1):  # 1 = some training failed; reported below
        raise RuntimeError(f"{' '.join(command)} exited {done.returncode}:\n{done.stderr[-3000:]}")
    return summary, seconds, done.stderr


def import_seconds() -> float:
    """Seconds a fresh process takes to import TensorFlow and Keras through the project's backend."""
    code = ("import time; began = time.perf_counter()\n"
            "from lstm_core.engine.backend import keras; keras()\n"
            "print(time.perf_counter() - began)")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    return float(done.stdout.split()[-1]) if done.returncode == 0 and done.stdout.split() else float("nan")


def new_architectures(entries: list[dict], sizes: list[int] | None) -> set[str]:
    """Keys of the configurations whose training should compile: their architecture is not in a simulated LRU
    pool of `engine.fit.POOL_SIZE` idle compiled models (trainings run one at a time, in the command's order)."""
    sys.path.insert(0, str(ROOT))
    from lstm_core import experiments
    from lstm_core.engine.fit import POOL_SIZE
    from lstm_core.ladder import DEFAULT_SIZES
    from lstm_core.tools.prewarm import default_configs

    trained = {entry["key"] for entry in entries}
    pool: OrderedDict = OrderedDict()
    compiling = set()
    for config in default_configs(sizes or DEFAULT_SIZES):
        if config.key() not in trained:
            continue
        experiment = experiments.of(config)
        architecture = experiment.architecture(config, experiment.recipe(config))
        if architecture in pool:
            pool.move_to_end(architecture)
        else:
            compiling.add(config.key())
            pool[architecture] = True
            while len(pool) > POOL_SIZE:
                pool.popitem(last=False)
    return compiling


def folder_sizes(folder: Path) -> dict:
    """Bytes on disk by kind of file (`.keras` models, `.json` records, anything else) and the largest record."""
    sizes = {"keras": 0, "json": 0, "other": 0, "largest_json": 0}
    for path in folder.rglob("*"):
        if path.is_file():
            kind = path.suffix.lstrip(".") if path.suffix in (".keras", ".json") else "other"
            sizes[kind] += path.stat().st_size
            if kind == "json":
                sizes["largest_json"] = max(sizes["largest_json"], path.stat().st_size)
    return sizes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", metavar="N",
                        help="training sizes of both ladders (passed to `prewarm --sizes`; default: its own). The "
                             "training-size lesson's presets train the default ladders anyway, so this adds sizes, "
                             "it does not remove any")
    parser.add_argument("--store", help="an empty folder to prewarm into and keep (default: a temporary folder, "
                                        "removed afterwards)")
    parser.add_argument("--slowest", type=int, default=12, help="slowest configurations listed (default 12)")
    parser.add_argument("--log", action="store_true", help="also print the command's progress lines (stderr)")
    args = parser.parse_args()

    print("# Prewarm: `python -m lstm_core prewarm` on an empty store, then again on the same store")
    print(machine_line())
    if args.store:
        folder = Path(args.store)
        if folder.exists() and any(folder.iterdir()):
            parser.error(f"--store {folder} is not empty: this benchmark times a prewarm from scratch")
    else:
        folder = Path(tempfile.mkdtemp(prefix="lstm-explorer-bench-prewarm-"))
    extra = ["--sizes", *map(str, args.sizes)] if args.sizes else []
    try:
        first, first_seconds, log = run_cli("prewarm", "--store", str(folder), *extra)
        if args.log:
            print("\n```\n" + log.strip() + "\n```")
        store, _, _ = run_cli("store", "--store", str(folder))
        on_disk = folder_sizes(folder)
        second, second_seconds, _ = run_cli("prewarm", "--store", str(folder), *extra)
        tensorflow = import_seconds()
    except (RuntimeError, subprocess.TimeoutExpired) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    finally:
        if not args.store:
            shutil.rmtree(folder, ignore_errors=True)

    trained, failed = first["trained"], first["failed"]
    compiling = new_architectures(trained, args.sizes)
    training_seconds = sum(entry.get("seconds", 0.0) for entry in trained)

    print()
    print(table(["run", "wall s", "in-process s", "trained", "already in the store", "failed"], [
        ["first (empty store)", first_seconds, float(first["seconds"]), len(trained), len(first["already"]),
         len(failed)],
        ["second (same store)", second_seconds, float(second["seconds"]), len(second["trained"]),
         len(second["already"]), len(second["failed"])]]))
    print(f"\nfirst run: {training_seconds:.1f} s in trainings (sum of per-entry seconds; the first one includes "
          f"the TensorFlow import, {tensorflow:.1f} s in a fresh process measured afterwards), "
          f"{first_seconds - training_seconds:.1f} s else (Python start-up, store writes, the command's bookkeeping)")

    per_experiment = OrderedDict()
    for entry in trained:
        row = per_experiment.setdefault(entry["experiment"], {"count": 0, "seconds": 0.0, "compiles": 0,
                                                            "slowest": 0.0})
        row["count"] += 1
        row["seconds"] += entry.get("seconds", 0.0)
        row["compiles"] += entry["key"] in compiling
        row["slowest"] = max(row["slowest"], entry.get("seconds", 0.0))
    print()
    print(table(["experiment", "configurations", "training s", "share of training s", "new arch.", "slowest s"],
                [[name, row["count"], row["seconds"], f"{100 * row['seconds'] / max(training_seconds, 1e-9):.0f}%",
                  row["compiles"], row["slowest"]] for name, row in per_experiment.items()]))

    print()
    slowest = sorted(trained, key=lambda entry: -entry.get("seconds", 0.0))[:args.slowest]
    print(table(["slowest configurations", "seconds", "new arch.", "error"],
                [[entry["description"], entry.get("seconds", 0.0), "yes" if entry["key"] in compiling else "",
                  entry.get("error", float("nan"))] for entry in slowest]))
    for entry in failed:
        print(f"FAILED: {entry['description']}: {entry['error']}")

    entries, size = int(store["entries"]), int(store["size_bytes"])
    print()
    print(table(["model store", "value"], [
        ["entries", entries],
        ["size on disk, MB", size / 1e6],
        ["per entry, kB", size / 1e3 / max(entries, 1)],
        [".keras models, MB", on_disk["keras"] / 1e6],
        [".json records, MB", on_disk["json"] / 1e6],
        ["largest .json record, kB", on_disk["largest_json"] / 1e3],
        ["other files, MB", on_disk["other"] / 1e6]]))

    print()
    ok_first = first_seconds <= TARGET_FIRST and not failed
    print(f"target: first prewarm (empty store, whole process) <= {TARGET_FIRST:g} s on this 2-core machine: "
          f"{first_seconds:.1f} s, {len(trained)} configurations trained, {len(failed)} failed -> {verdict(ok_first)}")
    ok_second = not second["trained"] and not second["failed"]
    print(f"target: a second prewarm on the same store trains nothing: {len(second['trained'])} trained, "
          f"{len(second['already'])} already there, in {second_seconds:.1f} s -> {verdict(ok_second)}")
    return 0 if not failed and not second["trained"] else 1


if __name__ == "__main__":
    sys.exit(main())
