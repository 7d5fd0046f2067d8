"""
What one slider move costs the server, with nobody else on it: one protocol
student (`load_protocol.py`'s `Student`) on a real `streamlit run serve.py`
opens `/sine` with a prewarmed tiny model, then moves the test wave's `period`
slider `--moves` times (a new period each time, a cached model: one replay
and one prediction to draw), and the server's CPU seconds (/proc, its process
tree) and the wall time of each move are taken. In a class every page run
queues for the same interpreter lock, so this is the floor of what 30
students' moves cost one after the other.

`--query` picks the model (a tiny one by default: few snapshots to replay).
`--app-root DIR` measures another checkout of the project (a `git worktree`
of an earlier commit, say) beside this one: the two servers alternate round
by round on one store, so that their medians and ratio come from one run.

    .venv/bin/python benchmarks/slider_moves.py
    git worktree add /tmp/before HEAD~3
    .venv/bin/python benchmarks/slider_moves.py --app-root /tmp/before --rounds 2
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import ROOT, machine_line, table, wait_until_healthy
from load_protocol import Probe, Student, free_port, prediction_title, prewarm, stop_all

QUERY = "units=4&train_size=200&epochs=1&seed=200"


def start(root: Path, store: str, work: Path) -> tuple[subprocess.Popen, int]:
    """`root`'s own counting server (its `benchmarks/load_protocol.py --serve`) on a free port, healthy."""
    port = free_port()
    log = work / f"server-{port}.log"
    env = {**os.environ, "LSTM_EXPLORER_STORE": store, "TF_CPP_MIN_LOG_LEVEL": "3"}
    with open(log, "w") as out:
        server = subprocess.Popen([sys.executable, str(root / "benchmarks" / "load_protocol.py"), "--serve", str(port),
                                   str(work / "trainings.txt"), "serve.py"], cwd=root, env=env, stdout=out,
                                  stderr=subprocess.STDOUT)
    wait_until_healthy(server, port, log, 120)
    return server, port


async def moves(port: int, probe: Probe, count: int, query: str) -> tuple[list, list]:
    """`count` slider moves by one student: their wall seconds and the server's CPU seconds for each."""
    student = Student(f"http://127.0.0.1:{port}", "sine", query)
    await student.open(120)
    await student.rerun(120, trigger=student.train_button(), title=prediction_title(15))  # the prewarmed model
    walls, cpus = [], []
    try:
        for index in range(count):
            period = 16 + index % 20
            cpu, began = probe.cpu(), time.perf_counter()
            moved = await student.rerun(60, changed=student.slider_move("period", period),
                                        title=prediction_title(period))
            walls.append(time.perf_counter() - began)
            cpus.append(probe.cpu() - cpu)
            if moved.problems or moved.result_at is None:
                raise RuntimeError("; ".join(moved.problems) or f"no chart titled {prediction_title(period)!r}")
            await asyncio.sleep(0.2)
    finally:
        await student.close()
    return walls, cpus


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--moves", type=int, default=40, help="slider moves a round (1 to 200)")
    parser.add_argument("--rounds", type=int, default=1, help="rounds (1 to 10), the checkouts alternating")
    parser.add_argument("--app-root", type=Path, default=None, help="another checkout to measure beside this one")
    parser.add_argument("--query", default=QUERY, help=f"the model's link parameters (default {QUERY}; "
                                                       "'' for the lesson's default model, 28 snapshots)")
    args = parser.parse_args(argv)
    if not 1 <= args.moves <= 200 or not 1 <= args.rounds <= 10:
        parser.error("--moves: 1 to 200; --rounds: 1 to 10")
    roots = [ROOT] + ([args.app_root.resolve()] if args.app_root else [])
    print("# One student's slider moves on a real server")
    print(machine_line())
    work = Path(tempfile.mkdtemp(prefix="lstm-explorer-slider-"))
    store = str(work / "store")
    print(f"prewarmed {args.query or 'the default model'} in {prewarm([args.query], store):.1f} s; {args.moves} moves a round, {args.rounds} round(s)",
          flush=True)
    measured = {root: ([], []) for root in roots}
    for round_index in range(args.rounds):
        for root in roots if round_index % 2 == 0 else roots[::-1]:
            server, port = start(root, store, work)
            try:
                walls, cpus = asyncio.run(moves(port, Probe([server.pid]), args.moves, args.query))
            finally:
                stop_all([server])
            measured[root][0].extend(walls)
            measured[root][1].extend(cpus)
    # /proc counts CPU in clock ticks (10 ms): a median of single moves is a multiple of them, their mean is finer.
    rows = [[str(root), f"{statistics.median(walls):.3f}", f"{statistics.median(cpus):.3f}",
             f"{statistics.fmean(cpus):.4f}", str(len(walls))] for root, (walls, cpus) in measured.items()]
    print()
    print(table(["checkout", "move wall median (s)", "server CPU a move, median (s)", "server CPU a move, mean (s)",
                 "moves"], rows))
    if args.app_root:
        ours, theirs = (statistics.fmean(measured[root][1]) for root in roots)
        print(f"\nratio of server CPU a move (means), this checkout / {args.app_root}: {ours / theirs:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
