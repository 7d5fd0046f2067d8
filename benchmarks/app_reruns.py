"""
The app itself: how long a student waits for a lesson to redraw, and for the home page.

A Streamlit page runs again from the top on every interaction, so the time
of a *rerun* is the time a student waits after moving a slider. This
benchmark drives the whole app with Streamlit's AppTest (no browser):

1. it trains, into a temporary model store, every configuration the pages
   show by default (`lstm_core.tools.prewarm.default_configs`, as
   `python -m lstm_core prewarm` does before class);
2. it opens each lesson (its model comes from the store), presses each of
   its Train buttons once with the default settings (so a lesson whose
   models are not in the prewarm list trains and caches them now; the
   table counts them under "trained by Train"), then
   reruns it `--reruns` times and reports the median and the slowest rerun
   (target: median ≤ 0.3 s), the charts drawn, and checks that no rerun
   trained anything;
3. it renders the home page in fresh processes (Streamlit imported, no
   model anywhere) and checks that TensorFlow was not imported.

    .venv/bin/python benchmarks/app_reruns.py             # about 1-2 minutes
    .venv/bin/python benchmarks/app_reruns.py --reruns 30
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

from _common import ROOT, machine_line, median, table, verdict

TARGET_RERUN = 0.3

HOME_SCRIPT = """
import sys, time
began = time.perf_counter()
from streamlit.testing.v1 import AppTest
imported = time.perf_counter()
at = AppTest.from_file('app.py', default_timeout=60).run()
rendered = time.perf_counter()
assert not at.exception, at.exception
print(imported - began, rendered - imported, 'tensorflow' in sys.modules, 'keras' in sys.modules)
"""


def prewarm(store: str) -> tuple[int, float]:
    """Train the pages' default configurations into `store` in a child process; (count, seconds)."""
    began = time.perf_counter()
    code = ("from lstm_core.tools.prewarm import default_configs, prewarm\n"
            "from lstm_core.engine.trainer import Trainer\n"
            "configs = default_configs()\n"
            "prewarm(configs, Trainer())\n"
            "print(len(configs))\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=900,
                          env={**os.environ, "LSTM_EXPLORER_STORE": store})
    if done.returncode != 0:
        raise RuntimeError(f"prewarm failed:\n{done.stderr[-3000:]}")
    return int(done.stdout.split()[-1]), time.perf_counter() - began


def home_in_fresh_process() -> tuple[float, float, bool]:
    done = subprocess.run([sys.executable, "-c", HOME_SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise RuntimeError(f"home page failed:\n{done.stderr[-3000:]}")
    imported, rendered, tensorflow, keras = done.stdout.split()[-4:]
    return float(imported), float(rendered), tensorflow == "True" or keras == "True"


def exception_text(element) -> str:
    """The last line of a page's exception (its type and message), short."""
    lines = [line.strip() for line in (getattr(element, "stack_trace", None) or []) if line.strip()]
    text = lines[-1] if lines else str(getattr(element, "message", element))
    return f"exception: {text[:70]}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reruns", type=int, default=15, help="reruns timed per lesson (default 15)")
    parser.add_argument("--home-runs", type=int, default=3, help="fresh processes rendering the home page (default 3)")
    args = parser.parse_args()

    print("# The app: lesson reruns with cached models, and the home page in a fresh process")
    print(machine_line())
    began = time.perf_counter()
    store = tempfile.mkdtemp(prefix="lstm-explorer-bench-store-")
    os.environ["LSTM_EXPLORER_STORE"] = store
    count, seconds = prewarm(store)
    print(f"prewarmed {count} default configurations into a temporary store in {seconds:.1f} s")

    import logging

    from streamlit.testing.v1 import AppTest

    logging.getLogger("tensorflow").setLevel(logging.ERROR)  # retracing notes of freshly loaded models

    from lstm_core.engine.store import ModelStore
    from ui.lessons import LESSONS

    trained_during_reruns = 0
    prewarmed = set(ModelStore(store).keys())
    os.chdir(ROOT)
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    app.run()
    rows, medians, failed = [], [], []
    for lesson in LESSONS:
        app.switch_page(lesson.file)
        first = time.perf_counter()
        app.run()
        first = time.perf_counter() - first
        stored = len(ModelStore(store).keys())
        pressed = time.perf_counter()
        for index in range(len(app.get("form_submit_button"))):
            app.get("form_submit_button")[index].click()
            app.run()
        pressed = time.perf_counter() - pressed
        before = len(ModelStore(store).keys())
        trained_by_train = before - stored  # models the prewarm did not cover
        times = []
        for _ in range(args.reruns):
            start = time.perf_counter()
            app.run()
            times.append(time.perf_counter() - start)
        problem = exception_text(app.exception[0]) if app.exception else ""
        if problem:
            failed.append(lesson.url_path or "home")
        else:
            medians.append(median(times))
        trained_during_reruns += len(ModelStore(store).keys()) - before
        charts = len(app.get("plotly_chart"))
        rows.append([lesson.url_path or "home", first, pressed, trained_by_train, median(times), max(times), charts,
                     problem or "ok"])
        print(f"  {lesson.url_path or 'home'}: first visit {first:.2f} s, rerun median {median(times):.3f} s", flush=True)

    homes = [home_in_fresh_process() for _ in range(args.home_runs)]
    print()
    print(table(["lesson", "first visit s", "Train pressed s", "trained by Train", "rerun median s", "rerun max s",
                 "charts", "status"],
                rows))
    print()
    print(table(["home page, fresh process", "median s"],
                [["import streamlit.testing", median([h[0] for h in homes])],
                 ["render app.py (home)", median([h[1] for h in homes])],
                 ["TensorFlow imported", str(any(h[2] for h in homes))]]))
    print()
    slowest = max(medians) if medians else float("nan")
    ok = bool(medians) and slowest <= TARGET_RERUN and not failed and trained_during_reruns == 0
    missing = sorted(set(ModelStore(store).keys()) - prewarmed)
    if missing:
        print(f"trained by the lessons, not by the prewarm ({len(missing)}): {', '.join(missing)}")
    print(f"target: every lesson's rerun median <= {TARGET_RERUN} s: slowest median {slowest:.3f} s -> {verdict(ok)} "
          f"(models trained during reruns: {trained_during_reruns}; lessons that raised an exception, "
          f"so not measured: {', '.join(failed) or 'none'})")
    print(f"target: home page imports no TensorFlow -> {verdict(not any(h[2] for h in homes))}")
    print(f"(the first lesson visit includes importing TensorFlow and loading its models; "
          f"benchmark ran {time.perf_counter() - began:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
