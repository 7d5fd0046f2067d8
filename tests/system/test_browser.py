"""
End to end: Debian's Chromium, driven by Playwright, against a real
`streamlit run serve.py` (the README's command: the app with its warm start)
on a free local port.

On an empty model store it opens every lesson listed in `ui/lessons.py` and
checks that none shows an exception; on the two book lessons it moves a
slider, sets a tiny model through the page address, presses Train and waits
for the Plotly charts. On a store filled by the real
`python -m lstm_core prewarm`, served by a second, freshly started server,
every lesson opens with its charts drawn and no "not trained yet" prompt.

Without Chromium or Playwright the test is skipped with a message, except in
CI (`CI=true`), where a missing browser is a failure. Playwright never
downloads a browser here: it launches /usr/bin/chromium.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from conftest import ROOT
from lstm_core.figures.replay import FRAME_MS
from lstm_core.presets import PRESETS
from ui.lessons import LESSONS

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("LSTM_EXPLORER_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-quic", "--no-first-run", "--disable-sync"]
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
PAGE_SECONDS = 60
TRAIN_SECONDS = 120
# Tiny models through the page address (the sliders are bound to it), so Train takes seconds.
TINY = {"sine": "units=2&depth=1&train_size=100&epochs=1&seed=1", "rectangles": "units=2&train_size=100&seed=1"}


def _missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright's Python package is not installed (pip install -r requirements-dev.txt)"
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        return f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    return None


@pytest.fixture(scope="module")
def browser():
    reason = _missing()
    if reason:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{reason}; CI=true, so the browser test must run")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_healthy(address: str, process, log, seconds: float, what: str) -> None:
    """Wait until `address` answers its health check; fail with the log's end if `process` stops or time runs out."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if urllib.request.urlopen(f"{address}/_stcore/health", timeout=2).read() == b"ok":
                return
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"{what} did not start:\n{log.read_text()[-3000:]}")
        time.sleep(0.2)


def _serve(folder, store, script="serve.py"):
    """Run `streamlit run <script>` (serve.py: the app with its warm start; or app.py) on `store` until the
    generator is closed; yields its address and log file."""
    port, log = _free_port(), folder / "server.log"
    env = {**os.environ, "LSTM_EXPLORER_STORE": str(store), "TF_CPP_MIN_LOG_LEVEL": "3"}
    command = [sys.executable, "-m", "streamlit", "run", script, "--server.port", str(port),
               "--server.headless", "true", "--server.fileWatcherType", "none"]
    with open(log, "w") as output:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    address = f"http://localhost:{port}"
    try:
        wait_healthy(address, process, log, 60, "streamlit")
        yield address, log
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A real server on an empty store."""
    folder = tmp_path_factory.mktemp("browser")
    yield from _serve(folder, folder / "store")


@pytest.fixture(scope="module")
def prewarmed_server(tmp_path_factory, browser, prewarmed_store):
    """A real server, started after `python -m lstm_core prewarm` filled its store (the class's morning)."""
    yield from _serve(tmp_path_factory.mktemp("prewarmed"), prewarmed_store)


def _context_page(browser, tmp_path):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(PAGE_SECONDS * 1000)
    return context, tab


@pytest.fixture
def page(browser, server, tmp_path):
    """A fresh browser context (a new student); a screenshot is kept if the test fails."""
    context, tab = _context_page(browser, tmp_path)
    yield tab
    tab.screenshot(path=str(tmp_path / "last.png"), full_page=True)
    context.close()


def _exceptions(tab) -> list[str]:
    return [text[:500] for text in tab.get_by_test_id("stException").all_inner_texts()]


def _open(tab, server, path: str) -> None:
    address, log = server
    tab.goto(f"{address}/{path}")
    tab.wait_for_selector(IDLE)
    assert tab.get_by_test_id("stApp").is_visible()


@pytest.mark.parametrize("lesson", LESSONS, ids=[lesson.url_path or "home" for lesson in LESSONS])
def test_every_lesson_opens_without_an_exception(page, server, lesson):
    _open(page, server, lesson.url_path)
    page.locator("h1").first.wait_for()
    assert _exceptions(page) == [], f"{lesson.file} shows an exception"


@pytest.mark.parametrize("lesson", ["sine", "rectangles"])
def test_move_a_slider_train_a_tiny_model_and_see_the_chart(page, server, lesson):
    address, log = server
    _open(page, server, f"{lesson}?{TINY[lesson]}")
    units = page.get_by_role("slider", name="units")
    units.focus()
    page.keyboard.press("ArrowRight")  # 2 → 3 units; the address follows the slider
    page.wait_for_url(lambda url: "units=3" in url)
    if lesson == "sine":
        period = page.get_by_role("slider", name="period")
        period.focus()
        page.keyboard.press("ArrowRight")  # the test wave redraws at once
        page.wait_for_url(lambda url: "period=16" in url)
        page.wait_for_selector(IDLE)
    page.get_by_role("button", name="Train", exact=True).click()
    page.get_by_test_id("stMetric").first.wait_for(timeout=TRAIN_SECONDS * 1000)  # trained: the scores are shown
    page.wait_for_selector(IDLE, timeout=TRAIN_SECONDS * 1000)
    charts = page.locator('[data-testid="stPlotlyChart"] .main-svg')
    charts.first.wait_for()
    assert charts.count() >= 2  # the model's drawing or prediction, and its loss curve
    assert _exceptions(page) == [], log.read_text()[-2000:]
    assert page.get_by_test_id("stAlertContentError").count() == 0


TRAINING_LESSONS = [lesson for lesson in LESSONS if lesson.url_path in PRESETS]


@pytest.mark.prewarmed
@pytest.mark.slow
@pytest.mark.parametrize("lesson", TRAINING_LESSONS, ids=[lesson.url_path for lesson in TRAINING_LESSONS])
def test_after_prewarm_every_lesson_opens_on_its_results(browser, prewarmed_server, tmp_path, lesson):
    context, tab = _context_page(browser, tmp_path)
    try:
        _open(tab, prewarmed_server, lesson.url_path)
        tab.locator("h1").first.wait_for()
        prompts = [text for text in tab.get_by_test_id("stAlertContentInfo").all_inner_texts()
                   if "not trained yet" in text.lower()]
        assert prompts == [], f"{lesson.url_path} asks for a training after prewarm: {prompts}"
        tab.locator('[data-testid="stPlotlyChart"] .main-svg').first.wait_for()
        assert _exceptions(tab) == []
        failures = [text for text in tab.get_by_test_id("stAlertContentError").all_inner_texts()
                    if text.startswith(("Training failed", "Invalid setting"))]  # a diverged SGD run is the lesson
        assert failures == []
    finally:
        tab.screenshot(path=str(tmp_path / f"{lesson.url_path}.png"), full_page=True)
        context.close()


def _host(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).hostname or ""


@pytest.mark.prewarmed
@pytest.mark.slow
def test_a_visit_to_every_lesson_requests_nothing_beyond_this_machine(browser, prewarmed_server, tmp_path):
    """A classroom may have no internet: every request the pages make goes to the app itself."""
    context, tab = _context_page(browser, tmp_path)
    requested = []
    context.on("request", lambda request: requested.append(request.url))
    try:
        for lesson in LESSONS:
            _open(tab, prewarmed_server, lesson.url_path)
            tab.locator("h1").first.wait_for()
            tab.wait_for_timeout(300)  # late requests: fonts, icons
        outside = sorted({url for url in requested if url.startswith(("http:", "https:", "ws:", "wss:"))
                          and _host(url) not in ("localhost", "127.0.0.1", "::1")})
        assert requested and outside == []
        log = prewarmed_server[1].read_text().lower()  # the server imported TensorFlow and ran models by now
        assert "cuda" not in log and "onednn" not in log, log[-2000:]
    finally:
        context.close()


# The browser plays the replay from the figure's own frames: sample the drawn trace while it plays, until Plotly
# says the animation ended (`ended`: "animated", its last frame drawn; "interrupted"; or null after `seconds`,
# a limit only: a loaded machine draws the frames later than their FRAME_MS).
SAMPLE_REPLAY = """async ([trace, seconds]) => {
    const plot = [...document.querySelectorAll('.js-plotly-plot')].find(p => (p.layout.sliders || []).length);
    const values = (array) => Array.from(array || [], (v) => Math.round(v * 1e6) / 1e6);
    const state = () => JSON.stringify([values(plot._fullData[trace].x), values(plot._fullData[trace].y)]);
    const before = state(), seen = [before];
    let ended = null;
    plot.on('plotly_animated', () => { ended = ended || 'animated'; });
    plot.on('plotly_animationinterrupted', () => { ended = ended || 'interrupted'; });
    const buttons = plot.querySelectorAll('.updatemenu-button');
    buttons[0].dispatchEvent(new MouseEvent('click', {bubbles: true}));
    const end = Date.now() + seconds * 1000;
    while (ended === null && Date.now() < end) {
        await new Promise(r => setTimeout(r, 50));
        const now = state();
        if (now !== seen[seen.length - 1]) seen.push(now);
    }
    return {before: before, seen: seen, after: state(), ended: ended, frames: plot._transitionData._frames.length,
            active: plot.layout.sliders[0].active};
}"""


@pytest.mark.prewarmed
@pytest.mark.slow
@pytest.mark.parametrize("lesson, trace", [("sine", "predicted"), ("rectangles", 0)])
def test_play_replays_the_training_in_the_browser_and_ends_on_the_trained_model(browser, prewarmed_server, tmp_path,
                                                                               lesson, trace):
    """After prewarm, Play moves the drawn prediction (sine) or drawing (rectangles) through the snapshots with
    no training and no rerun, and stops on the trained model's view, the one the page opened on."""
    context, tab = _context_page(browser, tmp_path)
    try:
        _open(tab, prewarmed_server, lesson)
        tab.locator(".updatemenu-button").first.wait_for()
        assert tab.get_by_test_id("stAlertContentInfo").filter(has_text="not trained yet").count() == 0
        replay = "[...document.querySelectorAll('.js-plotly-plot')].find(p => (p.layout.sliders || []).length)"
        frames = tab.evaluate(f"() => {replay}._transitionData._frames.length")
        if isinstance(trace, str):  # the first trace of that name (the main panel's, before the zoomed window's)
            trace = tab.evaluate(f"name => {replay}.data.findIndex(t => t.name === name)", trace)
            assert trace >= 0
        played = tab.evaluate(SAMPLE_REPLAY, [trace, frames * FRAME_MS / 1000 + PAGE_SECONDS])  # the whole replay
        assert played["ended"] == "animated", {name: played[name] for name in ("ended", "frames", "active")}
        assert played["frames"] >= 10
        assert len(played["seen"]) >= 10, f"only {len(played['seen'])} different drawings while playing"
        assert played["after"] == played["before"]  # the last frame is the trained model's view
        assert tab.get_by_test_id("stProgress").count() == 0  # nothing trained
        tab.wait_for_selector(IDLE)
        assert _exceptions(tab) == []
    finally:
        tab.screenshot(path=str(tmp_path / f"replay-{lesson}.png"), full_page=True)
        context.close()
