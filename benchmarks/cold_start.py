"""
What is in a cold start: `python -m lstm_core train sine`, and each concept lesson's default, part by part.

Each experiment's default configuration (`sine`, `window`, `cells`, `explode`, `forecast`,
`rectangles`) is trained in a fresh process, as `python -m lstm_core train` and a server's first
training do: `fit(experiments.of(config), config)`, then the store write of the `Trainer`
(`Trainer.save` into a temporary store). The child stamps every part with `time.perf_counter`
through wrappers set around the engine's own functions at run time (no code of `lstm_core` is
changed):

- *start*: from the parent's launch to the child's first line (Python start-up, `site`);
- *import lstm_core*: the registry and engine, no TensorFlow;
- *import tensorflow*, *import keras*: `engine.backend.keras()` (it also sets the thread pools);
- *data*: the experiment's `data(config)`; *whole batches*: the rest of the set-up before the build;
- *build (handed back)*: `plain_model`, the model the page keeps (built and compiled, no XLA);
- *build + compile (pooled)*: `_borrow`, the `RecordingModel` that trains (graph built, `compile`);
- *weights + optimizer set-up*: copying the seeded weights into the pooled model, zeroing its
  optimizer (and, where the engine has them, its snapshot schedule);
- *fit set-up*: from the callback's creation to `on_train_begin` (the engine's loop, `engine/loop.py`);
- *trace + compile*: the first call into the compiled step, less what its steps cost at the
  steady rate measured over the later reports (XLA compile with `jit_compile=True`, a trace without);
- *training*: the rest of `fit` (every step, the reports, the epoch ends);
- *fit end + copy back*: Keras' end of `fit` after the last report, the trained weights and
  optimizer state into the handed-back model;
- *analyse*, *score*: the experiment's analysis and held-out score, first call (each runs a
  prediction function that traces; a second call, timed apart, says how much was the trace);
- *save*: `Trainer.save` (the `.keras` file, any other file, then the JSON record);
- *exit*: from the child's last stamp to the parent seeing it end (interpreter and TensorFlow teardown).

For the sine the real command, `python -m lstm_core train sine --store <fresh dir>`, is also timed
as a whole process, alternating with the instrumented child, so the two totals can be compared.
The rounds alternate the order of the experiments. `--app-root DIR` measures another checkout
of the project (e.g. `git archive HEAD | tar -x -C DIR`), with the same scripts.

    .venv/bin/python benchmarks/cold_start.py                     # 2 rounds, about 2.5 minutes
    .venv/bin/python benchmarks/cold_start.py --rounds 3 --only sine
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
EXPERIMENT_NAMES = ("sine", "window", "cells", "explode", "forecast", "rectangles")  # registry names
PARTS = ["start", "import lstm_core", "import tensorflow", "import keras", "data", "whole batches",
         "build (handed back)", "build + compile (pooled)", "weights + optimizer set-up", "fit set-up",
         "trace + compile", "training", "fit end + copy back", "analyse", "score", "rest of fit", "save", "exit"]
RESULT = "COLD-START-RESULT "


# -- the child: one experiment's cold start, stamped ----------------------------------------------
def now() -> tuple:
    """(wall, CPU) seconds: `perf_counter` and this process's user + system time (every thread)."""
    return time.perf_counter(), time.process_time()


def child(name: str, launched: float, root: Path) -> None:
    started = time.time() - launched
    sys.path.insert(0, str(root))
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    m = {"start": (0.0, 0.0), "child": now()}  # every mark is (wall, CPU)
    from lstm_core import experiments
    from lstm_core.engine import fit as engine
    from lstm_core.engine import store as store_module
    from lstm_core.engine.trainer import Trainer

    m["imported lstm_core"] = now()
    import tensorflow  # noqa: F401

    m["imported tensorflow"] = now()
    from lstm_core.engine.backend import keras

    keras()
    import logging

    logging.getLogger("tensorflow").setLevel(logging.ERROR)
    m["imported keras"] = now()

    config = experiments.EXPERIMENTS[name].config()
    experiment = experiments.of(config)
    calls, reports, arguments, originals = {"build": 0}, [], {}, {}

    def wrap_experiment(field: str):
        original = getattr(experiment, field)
        if original is None:
            return
        originals[field] = original

        def timed(*args, **kwargs):
            first = field not in arguments
            begin = now()
            result = original(*args, **kwargs)
            if first:
                m[f"{field} begin"], m[f"{field} end"] = begin, now()
                arguments[field] = args
            if field == "data":
                inputs = result[0]
                calls["examples"] = len(next(iter(inputs.values())) if isinstance(inputs, dict) else inputs)
            return result
        object.__setattr__(experiment, field, timed)  # the frozen Experiment of this process only

    for field in ("data", "analyse", "score"):
        wrap_experiment(field)
    build = experiment.build

    def counted_build(*args, **kwargs):
        calls["build"] += 1
        return build(*args, **kwargs)
    object.__setattr__(experiment, "build", counted_build)

    def wrap_module(function_name: str, on_result=None):
        original = getattr(engine, function_name)

        def timed(*args, **kwargs):  # the first call is fit's own (an analysis may call it again later)
            first = f"{function_name} begin" not in m
            begin = now()
            result = original(*args, **kwargs)
            if first:
                m[f"{function_name} begin"], m[f"{function_name} end"] = begin, now()
            return on_result(result) if on_result and first else result
        setattr(engine, function_name, timed)

    def stamped_callback(callback):
        end, begin = callback.on_train_batch_end, callback.on_train_begin

        def on_train_begin(logs=None):
            m["on_train_begin"] = now()
            return begin(logs)

        def on_train_batch_end(batch, logs=None):
            result = end(batch, logs)  # it reads the logs: the step has finished on the host
            reports.append((now(), callback.epoch, batch))
            return result
        callback.on_train_begin, callback.on_train_batch_end = on_train_begin, on_train_batch_end
        return callback

    wrap_module("plain_model")
    wrap_module("_borrow")
    wrap_module("_callback", stamped_callback)

    m["fit begin"] = now()
    trained = engine.fit(experiment, config)
    m["fit end"] = now()

    # The second call of analyse and score: the same work without the trace of their prediction functions.
    again = {}
    for field in ("analyse", "score"):
        if field in arguments:
            t = time.perf_counter()
            originals[field](*arguments[field])
            again[field] = time.perf_counter() - t

    saved = {}
    write_atomic = store_module.write_atomic

    def timed_write(target, write):
        t = time.perf_counter()
        write_atomic(target, write)
        saved[Path(target).suffix] = saved.get(Path(target).suffix, 0.0) + time.perf_counter() - t
    store_module.write_atomic = timed_write
    folder = tempfile.mkdtemp(prefix="cold-start-store-")
    try:
        m["save begin"] = now()
        Trainer(store_module.ModelStore(folder)).save(trained)
        m["save end"] = now()
        sizes = {path.suffix: path.stat().st_size for path in Path(folder).iterdir()}
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    recipe = experiment.recipe(config)
    steps_per_epoch = calls["examples"] // recipe.batch_size  # fit drops the last partial batch
    # Reports: (marks, epoch, batch index); the step reached is epoch * steps_per_epoch + batch + 1.
    steps = [min(epoch * steps_per_epoch + batch + 1, (epoch + 1) * steps_per_epoch) for _, epoch, batch in reports]

    def parts(k: int) -> dict:
        """Every part's seconds on clock k (0 wall, 1 CPU)."""
        def span(a, b):
            return m[b][k] - m[a][k] if a in m and b in m else 0.0
        times = [mark[k] for mark, _, _ in reports]
        per_step = (times[-1] - times[0]) / max(1, steps[-1] - steps[0]) if len(times) >= 2 else 0.0
        first_steps = min(times[0] - m["on_train_begin"][k], steps[0] * per_step)
        fit_returned = m["analyse begin" if "analyse begin" in m else "score begin"][k]
        result = {
            "start": started if k == 0 else m["child"][1],
            "import lstm_core": span("child", "imported lstm_core"),
            "import tensorflow": span("imported lstm_core", "imported tensorflow"),
            "import keras": span("imported tensorflow", "imported keras"),
            "data": span("data begin", "data end"),
            "whole batches": span("data end", "plain_model begin"),
            "build (handed back)": span("plain_model begin", "plain_model end"),
            "build + compile (pooled)": span("_borrow begin", "_borrow end"),
            "weights + optimizer set-up": span("plain_model end", "_borrow begin") + span("_borrow end", "_callback begin"),
            "fit set-up": span("_callback begin", "on_train_begin"),
            "trace + compile": times[0] - m["on_train_begin"][k] - first_steps,
            "training": times[-1] - times[0] + first_steps,
            "fit end + copy back": fit_returned - times[-1],
            "analyse": span("analyse begin", "analyse end"),
            "score": span("score begin", "score end"),
            "save": span("save begin", "save end"),
        }
        result["rest of fit"] = span("fit begin", "fit end") - sum(result[part] for part in PARTS[4:15])
        result["per_step_ms"] = per_step * 1e3
        return result

    wall, cpu = parts(0), parts(1)
    print(RESULT + json.dumps({
        "experiment": name, "stamps": wall, "cpu": cpu, "fit_seconds": m["fit end"][0] - m["fit begin"][0],
        "fit_cpu": m["fit end"][1] - m["fit begin"][1], "builds": calls["build"],
        "child_end": time.time() - launched, "child_cpu": time.process_time(),
        "steps": int(trained.steps[-1]) if len(trained.steps) else 0, "reports": len(reports),
        "per_step_ms": wall["per_step_ms"], "first_report_steps": steps[0] if steps else 0,
        "again": again, "saved": saved, "sizes": sizes, "error": trained.error,
        "jit": bool(recipe.jit_compile and engine.JIT_COMPILE), "batch": recipe.batch_size,
        "steps_per_execution": recipe.steps_per_execution, "epochs": config.epochs,
    }), flush=True)


# -- the parent -------------------------------------------------------------------------------------
def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_child(name: str, root: Path) -> dict:
    load, usage = os.getloadavg()[0], children_cpu()
    launched = time.time()
    began = time.perf_counter()
    done = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", name, "--launched",
                           repr(launched), "--app-root", str(root)], cwd=root, capture_output=True, text=True,
                          timeout=900, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    wall = time.perf_counter() - began
    lines = [line for line in done.stdout.splitlines() if line.startswith(RESULT)]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"cold start child {name} exited {done.returncode}:\n{done.stderr[-3000:]}")
    result = json.loads(lines[-1][len(RESULT):])
    result["wall"], result["cpu_total"], result["load"] = wall, children_cpu() - usage, load
    result["stamps"]["exit"] = wall - result["child_end"]
    result["cpu"]["exit"] = result["cpu_total"] - result["child_cpu"]
    return result


def run_cli(root: Path) -> dict:
    store = tempfile.mkdtemp(prefix="cold-start-cli-")
    load, usage = os.getloadavg()[0], children_cpu()
    began = time.perf_counter()
    try:
        done = subprocess.run([sys.executable, "-m", "lstm_core", "train", "sine", "--store", store], cwd=root,
                              capture_output=True, text=True, timeout=900,
                              env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
        wall = time.perf_counter() - began
    finally:
        shutil.rmtree(store, ignore_errors=True)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"python -m lstm_core train sine exited {done.returncode}:\n{done.stderr[-3000:]}")
    summary = json.loads(lines[-1])
    return {"wall": wall, "cpu": children_cpu() - usage, "load": load, "seconds": summary["seconds"],
            "mae": summary["metrics"]["mae"]}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--only", nargs="+", choices=EXPERIMENT_NAMES, default=list(EXPERIMENT_NAMES))
    parser.add_argument("--app-root", default=str(HERE.parent), help="the project checkout to measure")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--launched", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    root = Path(args.app_root).resolve()
    if args.child:
        child(args.child, args.launched, root)
        return 0

    sys.path.insert(0, str(HERE))
    from _common import machine_line, median, table

    print("# Cold start, part by part: `python -m lstm_core train sine` and each lesson's default")
    print(machine_line())
    print(f"load average (1, 5, 15 min) at the start: {', '.join(f'{v:.2f}' for v in os.getloadavg())}; "
          f"project measured: {root}")
    began = time.perf_counter()
    results, cli = {name: [] for name in args.only}, []
    for index in range(args.rounds):
        names = list(args.only) if index % 2 == 0 else list(reversed(args.only))
        jobs = ([("cli", None)] if "sine" in names else []) + [("child", name) for name in names]
        if index % 2:
            jobs = list(reversed(jobs))
        for kind, name in jobs:
            if kind == "cli":
                row = run_cli(root)
                cli.append(row)
                print(f"  round {index + 1}: python -m lstm_core train sine: {row['wall']:.2f} s whole process "
                      f"(its own 'seconds' {row['seconds']:.2f}), MAE {row['mae']:.5f}, load {row['load']:.2f}",
                      flush=True)
            else:
                row = run_child(name, root)
                results[name].append(row)
                print(f"  round {index + 1}: {name}: {row['wall']:.2f} s whole process, fit {row['fit_seconds']:.2f} s, "
                      f"load {row['load']:.2f}", flush=True)

    names = list(args.only)
    print()
    print("Median seconds of each part over the rounds (fresh process each), wall (CPU: user + system, all threads):")
    print()

    def cell(values_wall, values_cpu) -> str:
        return f"{median(values_wall):.2f} ({median(values_cpu):.2f})"
    rows = []
    for part in PARTS:
        rows.append([part] + [cell([r["stamps"][part] for r in results[name]], [r["cpu"][part] for r in results[name]])
                              for name in names])
    rows.append(["**whole process**"] + [cell([r["wall"] for r in results[name]], [r["cpu_total"] for r in results[name]])
                                         for name in names])
    rows.append(["of which fit()"] + [cell([r["fit_seconds"] for r in results[name]], [r["fit_cpu"] for r in results[name]])
                                      for name in names])
    print(table(["part"] + names, rows))
    print()
    print(table(["experiment", "steps", "batch", "steps/execution", "XLA", "ms/step (steady)", "steps in 1st call",
                 "builds of the graph", "analyse 2nd call s", "score 2nd call s", "save .keras s", "store kB",
                 "error", "load (1 min)"],
                [[name, results[name][0]["steps"], results[name][0]["batch"], results[name][0]["steps_per_execution"],
                  "yes" if results[name][0]["jit"] else "no",
                  median([r["per_step_ms"] for r in results[name]]), results[name][0]["first_report_steps"],
                  results[name][0]["builds"],
                  median([r["again"].get("analyse", 0.0) for r in results[name]]),
                  median([r["again"].get("score", 0.0) for r in results[name]]),
                  median([r["saved"].get(".keras", 0.0) for r in results[name]]),
                  f"{sum(results[name][0]['sizes'].values()) / 1e3:.0f}",
                  median([r["error"] for r in results[name]]),
                  ", ".join(f"{r['load']:.2f}" for r in results[name])] for name in names]))
    if cli:
        print()
        print(f"`python -m lstm_core train sine --store <fresh dir>` as a whole process: median "
              f"{median([r['wall'] for r in cli]):.2f} s (CPU {median([r['cpu'] for r in cli]):.2f} s) over {len(cli)} runs (loads "
              f"{', '.join(format(r['load'], '.2f') for r in cli)}), against {median([r['wall'] for r in results['sine']]):.2f} s "
              f"(CPU {median([r['cpu_total'] for r in results['sine']]):.2f} s) for the instrumented child (no command-line parsing, no trainer thread)")
    print(f"load average at the end: {', '.join(f'{v:.2f}' for v in os.getloadavg())}; "
          f"(benchmark ran {time.perf_counter() - began:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
