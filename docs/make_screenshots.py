"""
Screenshots of every lesson as a class sees it: a real server on a
prewarmed store, Debian's Chromium at 1600×1000 (a projector's width), one
picture of the first screen of each lesson, in English, and the sine lesson
in Chinese. A reviewer reads them in `docs/screenshots/` without running
anything; the README links them.

    .venv/bin/python docs/make_screenshots.py                    # prewarms a temporary store first (~2 min)
    .venv/bin/python docs/make_screenshots.py --store ~/.cache/lstm-explorer/models

Needs `chromium` (apt-get install -y chromium fonts-noto-cjk) and the app's
virtual environment (Playwright comes with requirements-dev).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from _common import stop, wait_until_healthy  # noqa: E402 - benchmarks/_common.py, after the path is set
from load import CHROMIUM, CHROMIUM_ARGS, IDLE, free_port  # noqa: E402
from ui.lessons import LESSONS  # noqa: E402

SIZE = {"width": 1600, "height": 1000}
OUT = ROOT / "docs" / "screenshots"


def shoot(address: str, out: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    made = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            views = [(lesson.url_path or "home", lesson.url_path, "") for lesson in LESSONS]
            views.append(("sine-zh", "sine", "?lang=zh"))
            for name, path, query in views:
                page = browser.new_context(viewport=SIZE).new_page()
                page.set_default_timeout(120_000)
                page.goto(f"{address}/{path}{query}")
                page.wait_for_selector(IDLE)
                page.locator("h1").first.wait_for()
                if path:
                    page.locator('[data-testid="stPlotlyChart"] .main-svg').first.wait_for()
                page.wait_for_timeout(1_000)  # charts finish their first layout
                target = out / f"{name}.png"
                page.screenshot(path=str(target))
                made.append(target)
                print(f"{target.relative_to(ROOT)}", flush=True)
                page.context.close()
        finally:
            browser.close()
    return made


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("--store", help="a prewarmed model store (default: prewarm a temporary one)")
    parser.add_argument("--out", default=str(OUT), help=f"folder for the pictures (default {OUT.relative_to(ROOT)})")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        store = args.store or str(Path(folder) / "store")
        env = {**os.environ, "LSTM_EXPLORER_STORE": store, "TF_CPP_MIN_LOG_LEVEL": "3"}
        subprocess.run([sys.executable, "-m", "lstm_core", "prewarm", "--store", store], cwd=ROOT, env=env,
                       check=True, stdout=subprocess.DEVNULL)  # trains only what the store lacks
        port, log = free_port(), Path(folder) / "server.log"
        with open(log, "w") as output:
            server = subprocess.Popen(
                [sys.executable, "-m", "streamlit", "run", "serve.py", "--server.port", str(port),
                 "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
                cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
        try:
            wait_until_healthy(server, port, log)
            shoot(f"http://127.0.0.1:{port}", out)
        finally:
            stop(server)
    return 0


if __name__ == "__main__":
    sys.exit(main())
