"""
Fairness: a class of students where one asks for the largest training the
teacher allows. Do the others' small trainings still come back soon?

One real server (`streamlit run serve.py`, a fresh store, the app's default
training slots and budget). Protocol clients (`load_protocol.py`: Streamlit's
own WebSocket messages, so the clients cost little) play the class:

1. The *big* student opens the sine lesson with the largest model the sliders
   allow (units, depth, training examples and epochs at their maxima) and
   presses Train: the server should refuse it, naming the teacher's limit.
   Then the same student asks for the largest sine model whose estimated
   training fits the budget (found with `engine/cost.py`'s estimate,
   uncalibrated) and presses Train.
2. One second later, `--students` − 1 other students arrive within
   `--spread` seconds, each opening the lesson with a tiny model (as in
   `load_protocol.py`, one model for every five students, none in the store
   yet: each is trained once in class), pressing Train, waiting for the
   result and moving a slider.

It reports whether the largest request was refused and with what message,
when the big training started and ended, the small students' Train → result
p50 / p95 against the 30 s target (issue 14), and how many small trainings
finished while the big one ran.

    .venv/bin/python benchmarks/fairness.py                 # 30 students
    .venv/bin/python benchmarks/fairness.py --students 10 --spread 5
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from _common import machine_line, stop, table, verdict  # noqa: E402
from load_protocol import (OPEN_S, TRAIN_S, Outcome, Student, configurations, free_port,  # noqa: E402
                           loads, p50_p95, protocol_student, shown, start_server, teacher)

TARGET_WAIT = 30.0  # p95 seconds from Train to the result of a small training (issue 14)


def big_configurations() -> tuple[str, str, float, float]:
    """`(largest link, largest link within the budget, estimate of the first, estimate of the second)`."""
    from urllib.parse import urlencode

    from lstm_core.engine import config as limits
    from lstm_core.engine import cost
    from lstm_core.experiments import SineConfig

    budget = limits.max_training_seconds()
    largest = dict(units=limits.max_units(), depth=4, train_size=limits.max_train_size(), epochs=limits.max_epochs())
    within = None
    for epochs in range(limits.max_epochs(), 0, -1):  # fewest epochs cut first: the largest model stays
        values = dict(largest, depth=2, epochs=epochs)
        seconds = cost.estimate(SineConfig(**values))
        if seconds <= 0.95 * budget:
            within = values, seconds
            break
    if within is None:
        raise SystemExit("no sine model of the largest width fits the budget; lower it with --budget")
    return (urlencode(largest), urlencode(within[0]), cost.estimate(SineConfig(**largest)), within[1])


async def big_student(base: str, largest: str, fits: str, deadline: float, report: dict) -> None:
    """Ask for the largest model (expect a refusal), then for the largest within the budget."""
    refused = Student(base, "sine", largest)
    try:
        opened = await refused.open(OPEN_S)
        trigger = refused.train_button()
        if trigger is None:
            report["refusal"] = "; ".join(opened.problems) or "no Train button"
        else:
            run = await refused.rerun(OPEN_S, trigger=trigger)
            report["refusal"] = "; ".join(run.problems) or "not refused: it trained"
    finally:
        await refused.close()
    student = Student(base, "sine", fits)
    try:
        opened = await student.open(OPEN_S)
        trigger = student.train_button()
        if trigger is None:
            report["big"] = "; ".join(opened.problems) or "no Train button"
            return
        report["asked"] = time.time()
        run = await student.rerun(max(1.0, min(TRAIN_S, deadline - time.perf_counter())), trigger=trigger)
        report["big"] = "; ".join(run.problems) or (f"trained, MAE {run.mae}" if run.mae else "no result")
        report["answered"] = time.time()
    except Exception as error:  # noqa: BLE001 - a benchmark reports, it does not stop
        report["big"] = f"{type(error).__name__}: {str(error)[:200]}"
    finally:
        await student.close()


async def lesson(base: str, largest: str, fits: str, students: list, delays: list, deadline: float) -> dict:
    report: dict = {}
    done = asyncio.Event()
    big = asyncio.create_task(big_student(base, largest, fits, deadline, report))
    while "asked" not in report and not big.done():
        await asyncio.sleep(0.1)
    await asyncio.sleep(1.0)  # the big training is under way (or was refused) when the class arrives
    small = [asyncio.create_task(protocol_student(o, d, deadline, done)) for o, d in zip(students, delays)]
    while time.perf_counter() < deadline and not all(o.completed or o.problem for o in students):
        await asyncio.sleep(0.2)
    done.set()
    await asyncio.wait(small, timeout=30)
    await asyncio.wait([big], timeout=max(1.0, deadline - time.perf_counter()))
    for task in [*small, big]:
        task.cancel()
    await asyncio.gather(*small, big, return_exceptions=True)
    return report


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=30, help="the class, the big student included")
    parser.add_argument("--spread", type=float, default=10.0, help="the others arrive within this many seconds")
    parser.add_argument("--timeout", type=float, default=400.0, help="global seconds")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if not 2 <= args.students <= 100:
        parser.error("--students: 2 to 100")
    rng = random.Random(args.seed)
    random.seed(args.seed)
    largest, fits, largest_seconds, fits_seconds = big_configurations()
    print("# Fairness: one student asks for the largest training, the class trains small models")
    print(machine_line())
    print(f"load average (1 / 5 / 15 min) at the start: {loads()}")
    print(f"largest the sliders allow: {largest} (estimated {largest_seconds:,.0f} s); largest within the budget: "
          f"{fits} (estimated {fits_seconds:,.0f} s, uncalibrated)", flush=True)
    work = Path(tempfile.mkdtemp(prefix="lstm-explorer-fairness-"))
    count_file = work / "trainings.txt"
    count_file.touch()
    port = free_port()
    server = start_server(port, str(work / "store"), str(count_file), str(work / "server.log"), "serve.py")
    base = f"http://127.0.0.1:{port}"
    models = configurations(max(4, (args.students - 1) // 5))
    queries = [models[i % len(models)] for i in range(args.students - 1)]
    rng.shuffle(queries)
    students = [Outcome(i, query, base, period=16 + i % 20) for i, query in enumerate(queries)]
    delays = [rng.uniform(0, args.spread) for _ in students]
    try:
        asyncio.run(teacher(base, models[0].replace("seed=", "seed=9"), OPEN_S))  # imports TensorFlow in the server
        began = time.perf_counter()
        report = asyncio.run(lesson(base, largest, fits, students, delays, began + args.timeout))
        wall = time.perf_counter() - began
    finally:
        stop(server)

    runs = [line.split() for line in count_file.read_text().splitlines() if line.strip()]
    big_key = [run for run in runs if "u64" in run[0]]
    big_span = (float(big_key[0][1]), float(big_key[0][2])) if big_key else None
    waits = [o.train_seconds for o in students]
    completed = sum(o.completed for o in students)
    during = sum(1 for run in runs if big_span and run is not big_key[0]
                 and big_span[0] < float(run[2]) < big_span[1])
    p50, p95 = p50_p95([w for w in waits if w == w]) if any(w == w for w in waits) else (float("nan"),) * 2
    rows = [
        ["largest request", report.get("refusal", "not asked")],
        ["largest within the budget", report.get("big", "not asked")],
        ["  its training ran (s after it was asked; seconds)",
         f"{big_span[0] - report['asked']:.1f}; {big_span[1] - big_span[0]:.1f}" if big_span and "asked" in report
         else "n/a"],
        ["small students completed", f"{completed} / {len(students)}"],
        ["small Train → result p50 / p95 (s)", shown(waits)],
        ["small trainings finished while the big one ran", f"{during} of {len(runs) - len(big_key)}"],
        ["class wall time (s)", f"{wall:.1f}"],
        ["machine load 1 / 5 / 15 min at the end", loads()],
    ]
    print()
    print(table(["measure", "value"], rows))
    for outcome in [o for o in students if not o.completed][:5]:
        print(f"student {outcome.student} ({outcome.query}): {outcome.problem or 'did not finish in time'}")
    refused = "limit" in report.get("refusal", "")
    print()
    print(f"target: the largest request is refused, naming the limit -> {verdict(refused)}")
    print(f"target: p95 small Train → result ≤ {TARGET_WAIT:g} s with the big training asked first: "
          f"{p95:.1f} s -> {verdict(p95 <= TARGET_WAIT)}")
    print(f"(work folder {work})")
    return 0 if refused and p95 <= TARGET_WAIT and completed == len(students) else 1


if __name__ == "__main__":
    sys.exit(main())
