"""
Load check: a classroom of simulated students on one LSTM Explorer server.

A real `streamlit run app.py` serves an empty model store on a free local
port; each student is a browser context of its own in Debian's Chromium,
driven by Playwright, so every student is a real Streamlit session on one
server, as in class. The students arrive within a few seconds of each other,
open a book lesson with a tiny model in the page address (several ask for the
same model, the others for different ones), press Train and wait for the
result. Meanwhile a visitor reloads the home page every second, to see
whether the server stays responsive while it trains.

It reports completions (the result shown, no exception), the trainings the
server actually ran (they must equal the number of unique models: identical
requests share one), the p50/p95 time to open a lesson and from Train to the
result, the home page's time under load, and the server's peak memory.

    .venv/bin/python benchmarks/load.py            # 30 students, 6 unique models
    .venv/bin/python benchmarks/load.py --quick    # 10 students, 4 unique models (the CI size)
    .venv/bin/python benchmarks/load.py --students 30 --unique 10 --slots 2

The server counts its trainings through a wrapper around the `fit` that
`lstm_core.engine.trainer.Trainer` calls for every training it actually runs
(this file run with `--serve`); the app itself is unchanged. AppTest sessions
in threads were tried first and dropped: Streamlit's AppTest keeps per-run
state in globals and breaks (KeyError, lost widgets) with many threads.
Exits with status 1 if a student did not complete or a model was trained twice.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import resource
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from _common import stop, wait_until_healthy

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("LSTM_EXPLORER_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-quic", "--no-first-run", "--disable-sync"]
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
PATIENCE_MS = 15 * 60 * 1000  # for a result: the queue can be long
OPEN_MS = 3 * 60 * 1000  # for a page to open


@dataclass
class Outcome:
    student: int
    path: str
    open_seconds: float = float("nan")
    train_seconds: float = float("nan")
    completed: bool = False
    problem: str = ""


@dataclass
class Visitor:
    seconds: list = field(default_factory=list)
    problems: int = 0


def unique_models(count: int) -> list[str]:
    """`count` different tiny models, alternating lessons, as page addresses."""
    paths = []
    for index in range(count):
        seed = 100 + index // 2
        if index % 2 == 0:
            paths.append(f"sine?units=2&depth=1&train_size=100&epochs=1&seed={seed}")
        else:
            paths.append(f"rectangles?units=2&train_size=100&seed={seed}")
    return paths


# -- the server ---------------------------------------------------------------------------
def serve(port: int, count_file: str) -> None:
    """Run `streamlit run app.py` in this process, appending one line to `count_file` per training."""
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    from lstm_core.engine import trainer

    real_fit = trainer.fit  # what `Trainer._train` calls, once per training it runs (memory and store hits skip it)

    def counted(experiment, config, **kwargs):
        trained = real_fit(experiment, config, **kwargs)
        with open(count_file, "a") as counts:
            counts.write(config.key() + "\n")
        return trained

    trainer.fit = counted
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", "app.py", "--server.port", str(port), "--server.headless", "true",
                "--server.fileWatcherType", "none"]
    cli.main()


def start_server(port: int, store: str, count_file: str, log_file: str) -> subprocess.Popen:
    env = {**os.environ, "LSTM_EXPLORER_STORE": store, "TF_CPP_MIN_LOG_LEVEL": "3"}
    with open(log_file, "w") as log:
        process = subprocess.Popen([sys.executable, __file__, "--serve", str(port), count_file], cwd=ROOT, env=env,
                                   stdout=log, stderr=subprocess.STDOUT)
    wait_until_healthy(process, port, log_file, 90)
    return process


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# -- the students -------------------------------------------------------------------------
async def student(browser, address: str, outcome: Outcome, delay: float) -> None:
    await asyncio.sleep(delay)
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = await context.new_page()
        page.set_default_timeout(OPEN_MS)
        began = time.perf_counter()
        await page.goto(f"{address}/{outcome.path}")
        await page.wait_for_selector(IDLE)
        await page.get_by_role("button", name="Train", exact=True).wait_for()
        outcome.open_seconds = time.perf_counter() - began
        page.set_default_timeout(PATIENCE_MS)
        began = time.perf_counter()
        await page.get_by_role("button", name="Train", exact=True).click()
        await page.get_by_test_id("stMetric").first.wait_for()
        await page.locator('[data-testid="stPlotlyChart"] .main-svg').first.wait_for()
        outcome.train_seconds = time.perf_counter() - began
        await page.wait_for_selector(IDLE)
        exceptions = await page.get_by_test_id("stException").all_inner_texts()
        outcome.completed = not exceptions
        outcome.problem = exceptions[0][:300] if exceptions else ""
    except Exception as error:  # noqa: BLE001 - a benchmark reports, it does not stop
        outcome.problem = f"{type(error).__name__}: {str(error)[:300]}"
    finally:
        await context.close()


async def visit_home(browser, address: str, visitor: Visitor, stop: asyncio.Event) -> None:
    context = await browser.new_context()
    page = await context.new_page()
    while not stop.is_set():
        began = time.perf_counter()
        try:
            await page.goto(address, timeout=60_000)
            await page.wait_for_selector(IDLE, timeout=60_000)
            await page.locator("h1").first.wait_for(timeout=60_000)
            visitor.seconds.append(time.perf_counter() - began)
        except Exception:  # noqa: BLE001
            visitor.problems += 1
        try:
            await asyncio.wait_for(stop.wait(), 1.0)
        except asyncio.TimeoutError:
            pass
    await context.close()


async def classroom(address: str, outcomes: list[Outcome], delays: list[float], visitor: Visitor) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        stop = asyncio.Event()
        watcher = asyncio.create_task(visit_home(browser, address, visitor, stop))
        await asyncio.gather(*(student(browser, address, o, d) for o, d in zip(outcomes, delays)))
        stop.set()
        await watcher
        await browser.close()


# -- the report ---------------------------------------------------------------------------
def percentile(values, share: float) -> float:
    values = sorted(v for v in values if v == v)
    if not values:
        return float("nan")
    return values[min(len(values) - 1, round(share * (len(values) - 1)))]


def spread(values) -> str:
    return f"{percentile(values, .5):.2f} / {percentile(values, .95):.2f}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--unique", type=int, default=6, help="different models asked for")
    parser.add_argument("--quick", action="store_true", help="10 students, 4 unique models (the CI size)")
    parser.add_argument("--spread", type=float, default=5.0, help="students arrive within this many seconds")
    parser.add_argument("--slots", type=int, default=None, help="training slots (default: the app's, 1)")
    parser.add_argument("--seed", type=int, default=0, help="who asks for what, and when")
    args = parser.parse_args(argv)
    if args.quick:
        args.students, args.unique = 10, 4
    if args.slots is not None:
        os.environ["LSTM_EXPLORER_TRAINING_SLOTS"] = str(args.slots)
    work = Path(tempfile.mkdtemp(prefix="lstm-explorer-load-"))
    count_file, log_file = work / "trainings.txt", work / "server.log"
    count_file.touch()

    rng = random.Random(args.seed)
    models = unique_models(args.unique)
    asked = [models[i % len(models)] for i in range(args.students)]  # every model asked for at least once
    rng.shuffle(asked)
    outcomes = [Outcome(i, path) for i, path in enumerate(asked)]
    delays = [rng.uniform(0, args.spread) for _ in outcomes]
    visitor = Visitor()

    port = free_port()
    print(f"{args.students} students, {len(models)} unique tiny models; server log and store in {work}", flush=True)
    server = start_server(port, str(work / "store"), str(count_file), str(log_file))
    began = time.perf_counter()
    try:
        asyncio.run(classroom(f"http://localhost:{port}", outcomes, delays, visitor))
    finally:
        wall = time.perf_counter() - began
        stop(server)
    # The server is the only child waited for so far (Chromium's processes belong to Playwright's driver).
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024

    trainings = count_file.read_text().split()
    completed = sum(o.completed for o in outcomes)
    slots = os.environ.get("LSTM_EXPLORER_TRAINING_SLOTS", "1 (default)")
    rows = [
        ("students completed", f"{completed} / {len(outcomes)}"),
        ("trainings run / unique models", f"{len(trainings)} / {len(models)} ({len(set(trainings))} distinct)"),
        ("training slots", slots),
        ("open a lesson p50 / p95 (s)", spread([o.open_seconds for o in outcomes])),
        ("press Train → result p50 / p95 (s)", spread([o.train_seconds for o in outcomes])),
        ("home page under load p50 / p95 (s)",
         f"{spread(visitor.seconds)} ({len(visitor.seconds)} visits, {visitor.problems} failed)"),
        ("wall time (s)", f"{wall:.1f}"),
        ("server peak memory (MB, ru_maxrss)", f"{peak_mb:.0f}"),
    ]
    width = max(len(name) for name, _ in rows)
    print()
    for name, value in rows:
        print(f"| {name.ljust(width)} | {value} |")
    for outcome in outcomes:
        if not outcome.completed:
            print(f"student {outcome.student} ({outcome.path}): {outcome.problem}")
    ok = completed == len(outcomes) and sorted(trainings) == sorted(set(trainings)) and len(trainings) == len(models)
    print("\nOK" if ok else "\nFAILED: a student did not complete, or a model was trained more than once or not at all")
    return 0 if ok else 1


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        serve(int(sys.argv[2]), sys.argv[3])
    else:
        sys.exit(main())
