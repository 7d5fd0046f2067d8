"""
The first student after a server start: how long until the stacked-LSTM
lesson draws its chart, with and without the warm start.

A store is prewarmed with the sine lesson's default model
(`python -m lstm_core train sine`, the same entry `prewarm` writes). Then,
for each way to start the server, alternating, a fresh server is launched
(`streamlit run serve.py`, which warms in the background, and
`streamlit run app.py`, which does not); the home page is opened in
Chromium as soon as the health check answers (time from launch to its
title), and after a pause (default 15 s: a teacher starts the server a
little before class) a first visitor opens `/sine` (time from the request to
the prediction chart drawn). Medians over rounds; target: the chart within
2 s with the warm start, the home page within 3 s of launch. The next
student's visit to the same lesson (a fresh browser context too, so it loads
the page's JavaScript again) is the floor: what a warmed lesson costs.

    .venv/bin/python benchmarks/first_visit.py            # 3 rounds
    .venv/bin/python benchmarks/first_visit.py --rounds 1 --pause 15
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("LSTM_EXPLORER_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def launch(script: str, store: str, log: Path):
    port = free_port()
    env = {**os.environ, "LSTM_EXPLORER_STORE": store, "TF_CPP_MIN_LOG_LEVEL": "3"}
    began = time.perf_counter()
    with open(log, "w") as output:
        process = subprocess.Popen([sys.executable, "-m", "streamlit", "run", script, "--server.port", str(port),
                                    "--server.headless", "true", "--server.fileWatcherType", "none"],
                                   cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    while True:
        try:
            if urllib.request.urlopen(f"http://localhost:{port}/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            time.sleep(0.05)
        if process.poll() is not None or time.perf_counter() - began > 120:
            raise SystemExit(f"{script} did not start; see {log}")
    return process, f"http://localhost:{port}", began


def one_round(browser, script: str, store: str, pause: float, folder: Path) -> dict:
    process, address, began = launch(script, store, folder / f"{Path(script).stem}.log")
    try:
        context = browser.new_context(viewport={"width": 1600, "height": 1000})
        home = context.new_page()
        home.goto(address)
        home.locator("h1").first.wait_for(timeout=120_000)
        home_seconds = time.perf_counter() - began
        context.close()
        time.sleep(max(0.0, pause - (time.perf_counter() - began)))
        context = browser.new_context(viewport={"width": 1600, "height": 1000})
        page = context.new_page()
        asked = time.perf_counter()
        page.goto(f"{address}/sine")
        page.get_by_test_id("stMetric").first.wait_for(timeout=120_000)
        page.locator('[data-testid="stPlotlyChart"] .main-svg').first.wait_for(timeout=120_000)
        chart_seconds = time.perf_counter() - asked
        prompts = page.get_by_text("not trained yet").count()
        context.close()
        context = browser.new_context(viewport={"width": 1600, "height": 1000})  # the next student: the floor
        page = context.new_page()
        asked = time.perf_counter()
        page.goto(f"{address}/sine")
        page.locator('[data-testid="stPlotlyChart"] .main-svg').first.wait_for(timeout=120_000)
        next_seconds = time.perf_counter() - asked
        context.close()
        return {"home": home_seconds, "chart": chart_seconds, "next": next_seconds, "prompt": prompts}
    finally:
        process.terminate()
        process.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pause", type=float, default=15.0, help="seconds from launch to the first lesson visit")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    folder = Path(tempfile.mkdtemp(prefix="first-visit-"))
    store = str(folder / "store")
    subprocess.run([sys.executable, "-m", "lstm_core", "train", "sine", "--store", store], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    print(f"load average at start: {os.getloadavg()[0]:.2f}; pause before the first lesson visit: {args.pause:g} s")
    results = {"serve.py": [], "app.py": []}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for _ in range(args.rounds):
            for script in results:  # alternating, in one run: the machine is shared and noisy
                results[script].append(one_round(browser, script, store, args.pause, folder))
        browser.close()
    print("\n| server start | home page after launch | first /sine chart after request | the next student's | runs |")
    print("|---|---|---|---|---|")
    for script, runs in results.items():
        print(f"| `streamlit run {script}` | {statistics.median(r['home'] for r in runs):.2f} s | "
              f"{statistics.median(r['chart'] for r in runs):.2f} s | "
              f"{statistics.median(r['next'] for r in runs):.2f} s | {len(runs)} |")
        assert not any(r["prompt"] for r in runs), f"{script}: the lesson asked for a training"
    warm = statistics.median(r["chart"] for r in results["serve.py"])
    home = statistics.median(r["home"] for r in results["serve.py"])
    print(f"\ntarget: first chart ≤ 2 s with the warm start: {warm:.2f} s {'met' if warm <= 2 else 'NOT met'}")
    print(f"target: home page ≤ 3 s after launch: {home:.2f} s {'met' if home <= 3 else 'NOT met'}")


if __name__ == "__main__":
    main()
