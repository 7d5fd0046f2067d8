"""
The peer, side by side: the app's chapter 7 default against the same model in PyTorch, whole processes.

The app: `python -m lstm_core train sine --seed S --store <fresh temporary folder>` as a subprocess,
everything a teacher waits for (Python start, TensorFlow import, data, build, XLA compile, training,
scoring on the 1,000 held-out waves, saving to the store). Its held-out MAE is read from the JSON it
prints; the MAE of the app's default (`SineConfig()`, seed 0) is the **target**.

The peer: the same architecture in PyTorch (`torch.nn.LSTM(1, 20, num_layers=2, batch_first=True)`,
a `Linear(20, 5)` head on the last hidden state, MAE loss, Adam), trained on the same data generator
(`lstm_core.data.sine_examples`, the same 10,000 training waves as the app's configuration of that
seed) in a subprocess of its own (Python start and `import torch` included). Every `--check-every`
steps it scores the same 1,000 held-out waves (`lstm_core.evaluate.sine_holdout`, numpy only: the peer
imports no TensorFlow) and stops as soon as the MAE is at or below the target, or after `--cap`
seconds of training (then it says it never got there). Its recipe (batch, learning rate, threads) is
the fastest one found in a sweep on this machine (see `--batch`, `--lr`, `--threads`); the torch
initialisation is torch's own (seeded).

The two alternate (app first in even rounds, the peer first in odd ones; the target comes from the
first round, which runs the app's seed 0 first), over `--seeds`; each run's load average is printed
with it. Printed: per run the wall time, MAE, the framework's import (`import tensorflow`, timed by a
launcher that imports it first and then runs the command as `-m` does; `import torch`) and load; the
medians; the ratio PyTorch / app (target: at least 1.0, i.e. the app whole process is no slower than
the peer's), and the same ratio for the whole processes less their framework's import.

PyTorch is a benchmark-only dependency: `benchmarks/requirements.txt` (torch==2.13.0, the CPU wheel
this machine has, and numpy) is installed into `benchmarks/.venv-peer` (git-ignored) the first time,
about 20 s; another torch version would pull a multi-GB CUDA build.

    .venv/bin/python benchmarks/peer_pytorch.py                       # 3 seeds, about 1.5 minutes
    .venv/bin/python benchmarks/peer_pytorch.py --seeds 0 1 2 3 4 --threads 2 --lr 3e-3
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
ROOT = HERE.parent
PEER_VENV = HERE / ".venv-peer"
REQUIREMENTS = HERE / "requirements.txt"
TORCH_VERSION = "2.13.0"
TARGET_RATIO = 1.0
# The peer's recipe: the fastest to the app's MAE in a sweep on this machine (load ~2), whole process:
# batch 32 with Adam 1e-3 7.5-7.9 s, 3e-3 5.0-5.1 s, 5e-3 4.3-4.5 s, 1e-2 4.0-4.3 s, 2e-2 4.0-4.6 s;
# batch 16 at 5e-3/1e-2 4.1-4.3 s, 64 at 1e-2/2e-2 4.6-5.3 s, 128 at 2e-2 6.9-8.4 s; 2 threads slower
# than 1 (5.7 and 11.0 s against 5.0-5.1 s at 3e-3): the other core is busy with TensorFlow's or
# other programs' work on this shared machine.
BATCH, LEARNING_RATE, THREADS, CHECK_EVERY = 32, 1e-2, 1, 50


# -- the peer (runs in benchmarks/.venv-peer: numpy, torch, lstm_core.data by path) ---------------
def peer(args) -> int:
    sys.path.insert(0, str(ROOT))
    import numpy as np

    from lstm_core import data, evaluate  # plain numpy, no TensorFlow (checked below)

    began = time.perf_counter()
    import torch

    imported = time.perf_counter() - began
    assert "tensorflow" not in sys.modules
    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(args.seed)

    class Peer(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = torch.nn.LSTM(1, 20, num_layers=2, batch_first=True)
            self.head = torch.nn.Linear(20, 5)

        def forward(self, x):
            sequence, _ = self.lstm(x)
            return self.head(sequence[:, -1])

    class Config:  # the fields of SineConfig() that the data reads (sine_holdout reads them too)
        length, output, period_range, decay_range, train_size = 50, 5, (10, 20), (0.01, 0.1), 10_000

    inputs, targets = data.sine_examples(Config.train_size, data.rng(args.seed), length=Config.length,
                                         output=Config.output, period_range=Config.period_range,
                                         decay_range=Config.decay_range)
    held_in, held_out = evaluate.sine_holdout(Config)
    inputs, targets = torch.from_numpy(inputs), torch.from_numpy(targets)
    held_in, held_out = torch.from_numpy(held_in), torch.from_numpy(held_out)
    model = Peer()
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    loss_function = torch.nn.L1Loss()
    order = torch.Generator().manual_seed(args.seed)

    def held_out_mae() -> float:
        with torch.no_grad():
            return float((model(held_in) - held_out).abs().mean())

    trained_from = time.perf_counter()
    step, checks, mae, reached = 0, [], float("nan"), None
    usable = len(inputs) - len(inputs) % args.batch
    while reached is None and time.perf_counter() - trained_from < args.cap:
        permutation = torch.randperm(len(inputs), generator=order)[:usable] if args.shuffle else torch.arange(usable)
        for first in range(0, usable, args.batch):
            batch = permutation[first:first + args.batch]
            optimizer.zero_grad(set_to_none=True)
            loss = loss_function(model(inputs[batch]), targets[batch])
            loss.backward()
            optimizer.step()
            step += 1
            if step % args.check_every == 0:
                mae = held_out_mae()
                checks.append([step, time.time(), mae])  # the parent subtracts its launch time
                if mae <= args.target:
                    reached = step
                    break
                if time.perf_counter() - trained_from >= args.cap:
                    break
    result = {
        "import_torch_seconds": imported, "train_seconds": time.perf_counter() - trained_from, "steps": step,
        "epochs": step * args.batch / usable, "mae": mae, "reached": reached is not None,
        "checks": checks, "numpy": np.__version__, "torch": torch.__version__,
        "threads": torch.get_num_threads(), "printed": time.time(),
    }
    print("PEER-RESULT " + json.dumps(result), flush=True)
    return 0


# -- the parent (the app's venv) -------------------------------------------------------------------
def peer_python() -> Path:
    """The peer venv's python, created and filled from requirements.txt when missing or wrong."""
    python = PEER_VENV / "bin" / "python"
    check = [str(python), "-c", "import numpy, torch; print(torch.__version__)"]
    if python.exists():
        done = subprocess.run(check, capture_output=True, text=True)
        if done.returncode == 0 and done.stdout.strip().split("+")[0] == TORCH_VERSION:
            return python
    print(f"installing {REQUIREMENTS.name} into {PEER_VENV} (once, about 20 s) ...", flush=True)
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(PEER_VENV)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "-q", "-r", str(REQUIREMENTS)], check=True)
    done = subprocess.run(check, capture_output=True, text=True, check=True)
    if done.stdout.strip().split("+")[0] != TORCH_VERSION:
        raise RuntimeError(f"{PEER_VENV} has torch {done.stdout.strip()}, not {TORCH_VERSION}")
    return python


def load() -> float:
    return os.getloadavg()[0]


def children_cpu() -> float:
    """User + system seconds of the finished children so far (one child runs at a time)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# `python -m lstm_core ...` with its TensorFlow import timed: imported first (the command imports it anyway, as its
# first need), then the command run as `-m` runs it. The process does the same work; stderr gets the import seconds.
APP_LAUNCHER = (
    "import os, runpy, sys, time; os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3'); began = time.perf_counter()\n"
    "import tensorflow\n"
    "print('IMPORT-TENSORFLOW', time.perf_counter() - began, file=sys.stderr, flush=True)\n"
    "sys.argv = ['lstm_core', *sys.argv[1:]]; runpy.run_module('lstm_core', run_name='__main__', alter_sys=True)\n")


def run_app(seed: int) -> dict:
    store = tempfile.mkdtemp(prefix="peer-app-store-")
    arguments = ["train", "sine", "--seed", str(seed), "--store", store]
    command = [sys.executable, "-c", APP_LAUNCHER, *arguments]
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    before, usage = load(), children_cpu()
    began = time.perf_counter()
    try:
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=env, timeout=600)
        wall = time.perf_counter() - began
    finally:
        shutil.rmtree(store, ignore_errors=True)
    cpu = children_cpu() - usage
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"{' '.join(command)} exited {done.returncode}:\n{done.stderr[-3000:]}")
    result = json.loads(lines[-1])
    config = result["config"]
    steps = config["train_size"] // config["batch_size"] * config["epochs"]
    imported = [float(line.split()[1]) for line in done.stderr.splitlines() if line.startswith("IMPORT-TENSORFLOW ")]
    return {"which": "app", "steps": steps, "epochs": config["epochs"], "seed": seed, "wall": wall, "cpu": cpu,
            "mae": result["metrics"]["mae"], "load": before, "import": imported[0], "inner": result["seconds"],
            "command": " ".join(["python -m lstm_core", *arguments[:-1], "<fresh dir>"])}


def run_peer(python: Path, seed: int, target: float, args) -> dict:
    command = [str(python), str(Path(__file__).resolve()), "--peer", "--seed", str(seed), "--target", repr(target),
               "--batch", str(args.batch), "--lr", repr(args.lr), "--threads", str(args.threads),
               "--check-every", str(args.check_every), "--cap", repr(args.cap)]
    if not args.shuffle:
        command.append("--no-shuffle")
    before, usage = load(), children_cpu()
    launched = time.time()
    began = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=args.cap + 300)
    wall = time.perf_counter() - began
    cpu = children_cpu() - usage
    lines = [line for line in done.stdout.splitlines() if line.startswith("PEER-RESULT ")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"the peer exited {done.returncode}:\n{done.stderr[-3000:]}")
    result = json.loads(lines[-1][len("PEER-RESULT "):])
    reach = next((t for _, t, m in result["checks"] if m <= target), None)
    return {"which": "pytorch", "seed": seed, "wall": wall, "cpu": cpu, "mae": result["mae"], "load": before,
            "reached": result["reached"], "steps": result["steps"], "epochs": result["epochs"],
            "import": result["import_torch_seconds"], "train": result["train_seconds"],
            "to_target": None if reach is None else reach - launched, "threads": result["threads"],
            "exit": wall - (result["printed"] - launched),
            "command": " ".join(["benchmarks/.venv-peer/bin/python", "benchmarks/peer_pytorch.py"] + command[2:])}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--batch", type=int, default=BATCH)
    parser.add_argument("--lr", type=float, default=LEARNING_RATE)
    parser.add_argument("--threads", type=int, default=THREADS, help="torch.set_num_threads (interop: 1)")
    parser.add_argument("--check-every", type=int, default=CHECK_EVERY, help="steps between held-out checks")
    parser.add_argument("--cap", type=float, default=120.0, help="seconds of peer training at most")
    parser.add_argument("--no-shuffle", dest="shuffle", action="store_false",
                        help="the peer takes batches in order, as the app does (default: reshuffled each epoch)")
    parser.add_argument("--target", type=float, help="held-out MAE to reach (default: the app default's, measured)")
    parser.add_argument("--peer", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.peer:
        return peer(args)

    sys.path.insert(0, str(HERE))
    from _common import machine_line, median, table, verdict

    print("# The peer: the app's `train sine` against PyTorch, whole processes, to the app default's MAE")
    print(machine_line())
    print(f"load average (1, 5, 15 min) at the start: {', '.join(f'{v:.2f}' for v in os.getloadavg())}")
    python = peer_python()
    began = time.perf_counter()
    rows, target = [], args.target
    if target is None and 0 not in args.seeds:
        target = run_app(0)["mae"]
    seeds = sorted(args.seeds, key=lambda seed: seed != 0) if target is None else list(args.seeds)
    for index, seed in enumerate(seeds):  # without --target, seed 0 comes first and the app's run sets it
        for which in (("app", "pytorch") if index % 2 == 0 else ("pytorch", "app")):
            row = run_app(seed) if which == "app" else run_peer(python, seed, target, args)
            if which == "app" and target is None and seed == 0:
                target = row["mae"]
                print(f"target: the app default's held-out MAE {target:.5f}", flush=True)
            rows.append(row)
            extra = (f", reached at {row['to_target']:.2f} s" if row.get("to_target") else
                     ", NEVER reached the target" if which == "pytorch" else "")
            print(f"  {which:7s} seed {seed}: {row['wall']:.2f} s, MAE {row['mae']:.5f}{extra}, "
                  f"load {row['load']:.2f}", flush=True)

    print()
    def reached(row) -> str:
        if row["which"] == "app":
            return "yes (target)" if row["seed"] == 0 else "yes" if row["mae"] <= target + 1e-9 else "no: above"
        return f"yes, at {row['to_target']:.2f} s" if row["reached"] else "NO (capped)"

    print(table(["run", "seed", "whole process s", "CPU s", "held-out MAE", "reached the target", "steps (epochs)",
                 "import tensorflow / torch s", "exit s", "load (1 min)"],
                [[r["which"], r["seed"], r["wall"], r["cpu"], r["mae"], reached(r),
                  f"{r['steps']:,} ({r['epochs']:.2f})",
                  r.get("import", ""), r.get("exit", ""), f"{r['load']:.2f}"] for r in rows]))
    app = median([r["wall"] for r in rows if r["which"] == "app"])
    torch_rows = [r for r in rows if r["which"] == "pytorch"]
    peer_time = median([r["wall"] for r in torch_rows])
    ratio = peer_time / app
    rest_app = median([r["wall"] - r["import"] for r in rows if r["which"] == "app"])
    rest_peer = median([r["wall"] - r["import"] for r in torch_rows])
    print()
    print(table(["median of seeds", "app (python -m lstm_core train sine)", "PyTorch peer", "ratio PyTorch / app"],
                [["whole process s", app, peer_time, f"{ratio:.2f}"],
                 ["CPU s (user + system)", median([r["cpu"] for r in rows if r["which"] == "app"]),
                  median([r["cpu"] for r in torch_rows]),
                  f"{median([r['cpu'] for r in torch_rows]) / median([r['cpu'] for r in rows if r['which'] == 'app']):.2f}"],
                 ["framework import s (TensorFlow / torch)", median([r["import"] for r in rows if r["which"] == "app"]),
                  median([r["import"] for r in torch_rows]), ""],
                 ["whole process less the import s", rest_app, rest_peer, f"{rest_peer / rest_app:.2f}"],
                 ["held-out MAE", median([r["mae"] for r in rows if r["which"] == "app"]),
                  median([r["mae"] for r in torch_rows]), ""]]))
    print()
    print(f"target MAE {target:.5f} (the app default's, SineConfig() seed 0); the peer: batch {args.batch}, "
          f"Adam {args.lr:g}, {'reshuffled' if args.shuffle else 'in order'} epochs of the same 10,000 waves, "
          f"torch.set_num_threads({torch_rows[0]['threads']}), set_num_interop_threads(1), held-out check every "
          f"{args.check_every} steps, cap {args.cap:g} s")
    missed = [r["seed"] for r in torch_rows if not r["reached"]]
    if missed:
        print(f"the peer NEVER reached the target within {args.cap:g} s for seeds {missed}: its times are the cap")
    print(f"commands: {rows[0]['command']}  |  {torch_rows[0]['command']}")
    print(f"target: PyTorch / app >= {TARGET_RATIO:g}: {ratio:.2f} -> {verdict(ratio >= TARGET_RATIO)}")
    print(f"load average at the end: {', '.join(f'{v:.2f}' for v in os.getloadavg())}; "
          f"(benchmark ran {time.perf_counter() - began:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
