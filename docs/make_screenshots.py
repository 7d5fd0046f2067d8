"""
Screenshots of every lesson as a class sees it: a real server on a
prewarmed store, Debian's Chromium at 1600×1000 (a projector's width), one
picture of the first screen of each lesson, in English, and the sine lesson
in Chinese. A reviewer reads them in `docs/screenshots/` without running
anything; the README links them.

The same run makes the home page's thumbnails: each lesson's first chart, as
present mode shows it, fitted into `THUMBNAIL_SIZE` pixels and kept in
`ui/assets/thumbnails/<url path>.png` (in the repository: the home page shows
them without a network or TensorFlow). A lesson added later gets its own with
`--thumbnails --lessons <url path>`; until then the home page shows its icon.

    .venv/bin/python docs/make_screenshots.py                    # prewarms a temporary store first (~2 min)
    .venv/bin/python docs/make_screenshots.py --store ~/.cache/lstm-explorer/models
    .venv/bin/python docs/make_screenshots.py --thumbnails --lessons board   # one lesson's thumbnail only

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
THUMBNAILS = ROOT / "ui" / "assets" / "thumbnails"
THUMBNAIL_SIZE = (480, 300)  # a home-page card is about 360 pixels wide at 1600: sharp, and a few tens of kB
THUMBNAIL_COLOURS = 128  # a chart has few colours: a palette keeps the file small


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


def thumbnail_pictures(address: str, lessons: list, out: Path = THUMBNAILS) -> list[Path]:
    """Each lesson's first chart in present mode (its whole first screen if it has none), as a small PNG."""
    import io

    from PIL import Image
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    made = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for lesson in lessons:
                page = browser.new_context(viewport=SIZE).new_page()
                page.set_default_timeout(120_000)
                page.goto(f"{address}/{lesson.url_path}?present=1")
                page.wait_for_selector(IDLE)
                page.locator("h1").first.wait_for()
                chart = page.locator('[data-testid="stMain"] [data-testid="stPlotlyChart"]').first
                try:
                    chart.locator(".main-svg").first.wait_for(timeout=10_000)
                    page.wait_for_timeout(1_000)  # the chart finishes its first layout
                    picture = chart.screenshot()
                except PlaywrightTimeout:  # a lesson without a chart on its first screen
                    picture = page.screenshot()
                image = Image.open(io.BytesIO(picture)).convert("RGB")
                image.thumbnail(THUMBNAIL_SIZE, Image.LANCZOS)  # the whole chart, as large as the card allows
                card = Image.new("RGB", THUMBNAIL_SIZE, "white")  # every card the same size, the chart centred
                card.paste(image, ((THUMBNAIL_SIZE[0] - image.width) // 2, (THUMBNAIL_SIZE[1] - image.height) // 2))
                target = out / f"{lesson.url_path}.png"
                card.quantize(THUMBNAIL_COLOURS).save(target, optimize=True)
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
    parser.add_argument("--thumbnails", action="store_true",
                        help=f"make only the home page's thumbnails (in {THUMBNAILS.relative_to(ROOT)})")
    parser.add_argument("--lessons", nargs="+", metavar="URL_PATH",
                        help="thumbnails of these lessons only (their url paths, e.g. board); default every lesson")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    lessons = [lesson for lesson in LESSONS if lesson.url_path]
    if args.lessons:
        unknown = sorted(set(args.lessons) - {lesson.url_path for lesson in lessons})
        if unknown:
            parser.error(f"--lessons: no lesson {', '.join(unknown)} (the url paths are in ui/lessons.py)")
        lessons = [lesson for lesson in lessons if lesson.url_path in args.lessons]
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
            if not args.thumbnails:
                shoot(f"http://127.0.0.1:{port}", out)
            thumbnail_pictures(f"http://127.0.0.1:{port}", lessons)
        finally:
            stop(server)
    return 0


if __name__ == "__main__":
    sys.exit(main())
