"""
A school's set-up, end to end: `deploy/run-replicas.sh 2` (two replicas of the README's `streamlit run serve.py`
on one model store, behind Debian's nginx with `deploy/nginx.conf`), and Debian's Chromium, driven by
Playwright, talking to nginx only.

A student opens the sine lesson with a tiny model in its link, presses Train, sees the result and plays its
replay, every response of that browser coming from one replica (sticky sessions: a cookie nginx sets, hashed to
a replica); a second student on the other replica trains another model at the same time, and the class board
(`pages/board.py`, opened through nginx) lists both runs, from the store the replicas share. Browsers without
the cookie are spread over both replicas; Ctrl-C on the script stops nginx and every replica.

Skipped (with a message) when nginx or Chromium is missing on a developer's machine; in CI (`CI=true`, where
`.ci/run` installs both) that is a failure.
"""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from conftest import ROOT
from lstm_core.experiments import SineConfig
from lstm_core.figures.replay import FRAME_MS
from test_browser import (IDLE, PAGE_SECONDS, SAMPLE_REPLAY, TRAIN_SECONDS, _context_page, browser,  # noqa: F401
                          _exceptions, wait_healthy)

pytestmark = pytest.mark.browser

NGINX = os.environ.get("NGINX", "/usr/sbin/nginx")
COOKIE = "lstm_explorer_replica"
REPLICA_HEADER = "X-LSTM-Explorer-Replica"
TINY = dict(units=2, depth=1, train_size=200, epochs=1)  # with enough steps for a replay of several moments


def link(seed: int) -> str:
    return "&".join(f"{name}={value}" for name, value in {**TINY, "seed": seed}.items())


def _free_run(count: int) -> int:
    """The first of `count` consecutive free loopback ports (nginx's, then the replicas')."""
    for _ in range(200):
        base = random.randrange(20_000, 60_000)
        try:
            probes = []
            for port in range(base, base + count):
                probe = socket.socket()
                probes.append(probe)
                probe.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
        finally:
            for probe in probes:
                probe.close()
    raise RuntimeError("no free run of ports")


def _answers(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _get(url: str, cookie: str | None = None) -> tuple[str, str | None]:
    """`(the replica that answered, the replica cookie set, if any)` of one request through nginx."""
    request = urllib.request.Request(url, headers={"Cookie": f"{COOKIE}={cookie}"} if cookie else {})
    with urllib.request.urlopen(request, timeout=10) as response:
        set_cookies = response.headers.get_all("Set-Cookie") or []
        value = next((c.split(";")[0].split("=", 1)[1] for c in set_cookies if c.startswith(COOKIE + "=")), None)
        return response.headers[REPLICA_HEADER], value


@pytest.fixture(scope="module")
def school(tmp_path_factory):
    """`deploy/run-replicas.sh 2` on free ports and an empty store: `(nginx's address, replica ports, process)`."""
    if not (os.path.isfile(NGINX) and os.access(NGINX, os.X_OK)):
        reason = f"nginx is not installed at {NGINX} (apt-get install nginx)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{reason}; CI=true, so the nginx test must run")
        pytest.skip(reason)
    folder = tmp_path_factory.mktemp("school")
    port = _free_run(3)
    env = {**os.environ, "PORT": str(port), "REPLICA_PORT": str(port + 1), "LSTM_EXPLORER_STORE": str(folder / "store"),
           "TMPDIR": str(folder), "PYTHON": sys.executable, "NGINX": NGINX, "TF_CPP_MIN_LOG_LEVEL": "3"}
    log = folder / "run-replicas.log"
    with open(log, "w") as output:
        process = subprocess.Popen(["bash", str(ROOT / "deploy" / "run-replicas.sh"), "2"], cwd=ROOT, env=env,
                                   stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
    address = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(address, process, log, 120, "run-replicas.sh")  # nginx starts once both replicas answer
        yield address, [port + 1, port + 2], process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


def _student(browser, tmp_path, cookie: str | None = None) -> tuple:
    """A new browser (with this replica cookie, if given): `(context, tab, replicas that answered it)`."""
    context, tab = _context_page(browser, tmp_path)
    if cookie is not None:
        context.add_cookies([{"name": COOKIE, "value": cookie, "url": "http://127.0.0.1"}])
    answered = []
    context.on("response", lambda response: answered.append(response.headers.get(REPLICA_HEADER.lower())))
    return context, tab, answered


def _press_train(tab, address: str, query: str) -> None:
    tab.goto(f"{address}/sine?{query}")
    tab.wait_for_selector(IDLE)
    assert tab.url.endswith(f"/sine?{query}")  # the link's model, kept (a corrected parameter is rewritten)
    tab.get_by_role("button", name="Train", exact=True).click()


def _result(tab) -> None:
    tab.get_by_test_id("stMetric").first.wait_for(timeout=TRAIN_SECONDS * 1000)  # the held-out MAE
    tab.wait_for_selector(IDLE, timeout=TRAIN_SECONDS * 1000)


def test_students_on_both_replicas_train_see_the_result_and_replay_and_the_board_lists_both_runs(
        browser, school, tmp_path):
    """A student opens a lesson with link parameters (nginx gives the browser its replica cookie), a second
    student is on the other replica; both press Train and see the result, the first plays the replay, and the
    class board, opened through nginx on either replica, lists both runs."""
    address, replica_ports, _ = school
    cookies = {}  # a cookie that leads to each replica
    for _ in range(100):
        replica, cookie = _get(f"{address}/_stcore/health")
        cookies.setdefault(replica, cookie)
        if len(cookies) == len(replica_ports):
            break
    assert set(cookies) == {f"127.0.0.1:{port}" for port in replica_ports}
    first = _student(browser, tmp_path)
    second = board = None
    try:
        _press_train(first[1], address, link(501))
        [replica] = {value for value in first[2] if value}  # every response so far came from one replica
        assert [cookie["name"] for cookie in first[0].cookies() if cookie["name"] == COOKIE] == [COOKIE]
        other = next(name for name in cookies if name != replica)
        second = _student(browser, tmp_path, cookies[other])
        _press_train(second[1], address, link(502))  # the two replicas train side by side
        for (_, tab, answered), expected in ((first, replica), (second, other)):
            _result(tab)
            assert {value for value in answered if value} == {expected}  # sticky, through the whole session
            assert _exceptions(tab) == [] and tab.get_by_test_id("stAlertContentError").count() == 0

        tab = first[1]
        tab.locator(".updatemenu-button").first.wait_for()
        plot = "[...document.querySelectorAll('.js-plotly-plot')].find(p => (p.layout.sliders || []).length)"
        frames = tab.evaluate(f"() => {plot}._transitionData._frames.length")
        predicted = tab.evaluate(f"() => {plot}._fullData.findIndex(trace => trace.name === 'predicted')")
        played = tab.evaluate(SAMPLE_REPLAY, [predicted, frames * FRAME_MS / 1000 + PAGE_SECONDS])  # the whole replay
        assert played["ended"] == "animated", {name: played[name] for name in ("ended", "frames", "active")}
        assert played["frames"] >= 3 and len(played["seen"]) >= 3, played["seen"]
        assert played["after"] == played["before"]  # it ends on the trained model's prediction

        keys = sorted(SineConfig(**TINY, seed=seed).key() for seed in (501, 502))
        board, tab, _ = _student(browser, tmp_path)  # a teacher's browser, on either replica
        tab.goto(f"{address}/board")
        tab.wait_for_selector(IDLE)
        listed = "() => [...document.querySelectorAll('.js-plotly-plot')].flatMap(p => p._fullData)" \
                 ".flatMap(trace => Array.from(trace.customdata || [], point => point[0]))"
        deadline = time.monotonic() + 30  # the board looks at the store every few seconds
        while not set(keys) <= set(tab.evaluate(listed)):
            assert time.monotonic() < deadline, (keys, tab.evaluate(listed))
            tab.wait_for_timeout(500)
        assert _exceptions(tab) == []
    finally:
        first[1].screenshot(path=str(tmp_path / "nginx-sine.png"), full_page=True)
        for context in (first[0], second[0] if second else None, board):
            if context is not None:
                context.close()


def test_a_browser_keeps_to_its_replica_and_new_browsers_spread_over_both(school):
    address, replica_ports, _ = school
    replica, cookie = _get(f"{address}/_stcore/health")
    assert cookie is not None
    assert {_get(f"{address}/_stcore/health", cookie) for _ in range(10)} == {(replica, None)}  # no new cookie
    newcomers = {_get(f"{address}/_stcore/health")[0] for _ in range(20)}  # 2^-19 to see one replica by chance
    assert newcomers == {f"127.0.0.1:{port}" for port in replica_ports}


def test_ctrl_c_stops_nginx_and_every_replica(school):
    address, replica_ports, process = school
    port = int(address.rsplit(":", 1)[1])
    assert all(_answers(p) for p in (port, *replica_ports))
    process.send_signal(signal.SIGINT)  # what Ctrl-C sends the script
    assert process.wait(timeout=30) == 130
    deadline = time.monotonic() + 10
    while any(_answers(p) for p in (port, *replica_ports)):
        assert time.monotonic() < deadline, "a replica or nginx still answers after Ctrl-C"
        time.sleep(0.1)
