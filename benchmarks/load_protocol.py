"""
Load check with cheap clients: simulated students that speak Streamlit's own
WebSocket protocol to one LSTM Explorer server, so that the server's capacity
is what is measured, not the browsers' (`load.py` drives one Chromium per
student on the same 2 cores).

Each student is a few protobuf messages on a WebSocket, as the browser sends
them (captured from Chromium against Streamlit 1.67): `GET /_stcore/health`,
`/_stcore/host-config` and the page, then `/_stcore/stream` with the
subprotocol list `streamlit, PLACEHOLDER_AUTH_TOKEN`; a `BackMsg.rerun_script`
(`ClientState`: the link's `query_string`, `page_name`, the browser's
`context_info`); the server answers with `ForwardMsg`s (`new_session`,
`navigation` with the page's script hash, `delta`s carrying the elements
with their widget ids and values) and `script_finished`. A later rerun sends
every widget's value as `WidgetStates` (what the frontend holds, read from
the elements), the `page_script_hash`, and for a button press its
`trigger_value`. Cacheable messages are kept and their hashes sent back
(`cached_message_hashes`), and `ref_hash` answers resolved, as the frontend
does.

A student: opens the sine lesson with a tiny model in the link
(`/sine?units=4&train_size=200&epochs=1&seed=N`), waits for the script to
finish, finds the Train button (the form's submit button labelled as in
`ui/locales/en.json`), presses it and waits for the result (the held-out MAE
metric and the prediction chart after it), then moves the test wave's
`period` slider (a cached view: no training, one prediction) and times that
rerun. Students arrive within `--spread` seconds; half of the unique
configurations are prewarmed into the store before the server starts (the
other half are trained by the class, each once however many ask). A
teacher's visit (one protocol client opening a prewarmed lesson) comes before
the class: it imports TensorFlow in the server, as `serve.py`'s warm start
does, and sets the idle memory.

It reports completions, trainings run against the configurations to train
(counted by the same `fit` wrapper as `load.py`), p50/p95 to open a
prewarmed lesson, from Train to the result and of a slider move, the
server's CPU (from /proc/<pid>/stat) and peak memory (VmHWM, reset after the
teacher's visit), memory per session ((peak - idle) / N), the harness's own
CPU (what the clients cost), and the machine load at the start and the end.

    .venv/bin/python benchmarks/load_protocol.py                  # 10 students (run_all's size)
    .venv/bin/python benchmarks/load_protocol.py --students 30
    .venv/bin/python benchmarks/load_protocol.py --students 60      # 12 unique models, 6 prewarmed
    .venv/bin/python benchmarks/load_protocol.py --check          # + 2 Chromium students beside them
    .venv/bin/python benchmarks/load_protocol.py --students 60 --nginx 2   # nginx before 2 replicas

`--check` adds two real browser students (Playwright, Debian's Chromium) on
the same server, one on a prewarmed configuration and one on a trained one,
and compares what they see with what the protocol students with the same
configuration saw: the MAE text and the prediction chart's title after the
slider move. `--assets` makes the protocol students also fetch the page's
own scripts, styles and font (about 60 files, as a browser with an empty
cache; the chunks a browser loads later are not fetched).

`--nginx N` runs the class as a school does (`deploy/run-replicas.sh`): this
script starts N replicas (1 to 4) of its counting wrapper on one store, one
count file and one cookie secret, and Debian's nginx in front of them with
`deploy/nginx.conf` filled in as that script fills it (@RUN@, @PORT@, @USER@
and `upstream.conf`, in the work folder), all on loopback; the students open
nginx's address. A student keeps the cookies its responses set and sends them
on later requests and on the WebSocket handshake, as a browser does, so
nginx's sticky cookie keeps it on one replica. The teacher visits each
replica directly (each one warmed, as with one server). CPU and memory are
summed over the replicas; a second table gives each replica's students (the
`X-LSTM-Explorer-Replica` header nginx adds to every response), CPU and
memory, and nginx's own. A student answered by two replicas fails the run.
nginx and the replicas are stopped at the end, on an error or on SIGTERM.

`--replicas URL,URL` drives servers started elsewhere (loopback only;
round-robin; see `replica_hooks` for what is then measured). A replica that
counts its trainings is this file's wrapper, one per port, all appending to
one file:

    LSTM_EXPLORER_STORE=DIR .venv/bin/python benchmarks/load_protocol.py --serve PORT COUNTS serve.py &
    .venv/bin/python benchmarks/load_protocol.py --replicas http://127.0.0.1:PORT,http://127.0.0.1:PORT2 \
        --replica-pids PID,PID2 --store DIR --count-file COUNTS

Exits with status 1 if a student did not complete, a
configuration was trained more or less than once, the check disagrees, or
(`--nginx`) a student was answered by more than one replica.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlparse

from _common import ROOT, machine_line, table, verdict, wait_until_healthy
from load import CHROMIUM, CHROMIUM_ARGS, IDLE, free_port, percentile

EN = json.loads((ROOT / "ui" / "locales" / "en.json").read_text(encoding="utf-8"))
TRAIN_LABEL = EN["sine.train"]  # the form's submit button
MAE_LABEL = EN["sine.mae"]  # the metric drawn only with a result
DECAY = 0.05  # the test wave's default decay (ui/controls.py), in the prediction chart's title
OPEN_S, TRAIN_S, SLIDER_S = 120.0, 600.0, 60.0  # per step, within the global --timeout
MAX_STUDENTS = 200
LOOPBACK = ("127.0.0.1", "localhost", "::1")
TARGET_OPEN, TARGET_SLIDER = 3.0, 1.0  # p95 seconds


def prediction_title(period: int) -> str:
    return EN["sine.figure"].format(period=period, decay=DECAY)


# -- the server (the counting wrapper of load.py, with the script to run as a parameter) -------------------
def serve(port: int, count_file: str, script: str) -> None:
    """Run `streamlit run SCRIPT` on loopback in this process, appending a line to `count_file` per training."""
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    from lstm_core.engine import trainer

    real_fit = trainer.Trainer._fit  # once per training the server runs, in its thread or a worker process

    def counted(self, flight):
        began = time.time()
        trained = real_fit(self, flight)
        with open(count_file, "a") as counts:  # the key, and when the training ran (to tell reruns beside it)
            counts.write(f"{flight.key} {began:.3f} {time.time():.3f}\n")
        return trained

    trainer.Trainer._fit = counted
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", script, "--server.port", str(port), "--server.address", "127.0.0.1",
                "--server.headless", "true", "--server.fileWatcherType", "none"]
    cli.main()


def launch_server(port: int, store: str, count_file: str, log_file: str, script: str,
                  env: dict | None = None) -> subprocess.Popen:
    """Start the counting wrapper (`--serve`) on `port`, without waiting for it to answer."""
    env = {**os.environ, "LSTM_EXPLORER_STORE": store, "TF_CPP_MIN_LOG_LEVEL": "3", **(env or {})}
    with open(log_file, "w") as log:
        return subprocess.Popen([sys.executable, __file__, "--serve", str(port), count_file, script], cwd=ROOT,
                                env=env, stdout=log, stderr=subprocess.STDOUT)


def start_server(port: int, store: str, count_file: str, log_file: str, script: str,
                 env: dict | None = None) -> subprocess.Popen:
    process = launch_server(port, store, count_file, log_file, script, env)
    wait_until_healthy(process, port, log_file, 90)
    return process


# -- a school: nginx in front of N replicas (deploy/run-replicas.sh, with the counting wrapper) -------------
NGINX = os.environ.get("NGINX", "/usr/sbin/nginx")
NGINX_TEMPLATE = ROOT / "deploy" / "nginx.conf"
MAX_REPLICAS = 4  # 2 cores: more replicas than that only share them thinner


def nginx_config(run: Path, port: int) -> str:
    """`deploy/nginx.conf` filled in as `deploy/run-replicas.sh` fills it (its `sed` line): @RUN@ and @PORT@
    everywhere; as root, @USER@ is this user and group (else nginx's workers would run as nobody, locked out of
    the run folder), otherwise the `user` line is dropped (nginx warns about a user it cannot switch to)."""
    import grp
    import pwd

    lines = []
    for line in NGINX_TEMPLATE.read_text().splitlines(keepends=True):
        line = line.replace("@RUN@", str(run)).replace("@PORT@", str(port))
        if os.geteuid() == 0:
            line = line.replace("@USER@", f"{pwd.getpwuid(os.getuid()).pw_name} {grp.getgrgid(os.getgid()).gr_name}")
        elif line.startswith("user @USER@;"):
            continue
        lines.append(line)
    return "".join(lines)


def stop_all(processes: list[subprocess.Popen], seconds: float = 30.0) -> None:
    """Terminate every process still running, wait up to `seconds` for them all, then kill what is left."""
    for process in processes:
        if process.poll() is None:
            process.terminate()
    deadline = time.monotonic() + seconds
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def children(pid: int) -> list[int]:
    """The child processes of `pid` (nginx's workers under its master), from /proc."""
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def start_school(replicas: int, store: str, count_file: str, work: Path, script: str,
                 started: list[subprocess.Popen]) -> tuple[str, list[str], subprocess.Popen]:
    """N counting replicas on one store and one cookie secret, then nginx in front of them; every process is
    appended to `started` as soon as it runs (the caller stops them, whatever happens here). Returns nginx's
    address, the replicas' addresses and nginx's process."""
    import secrets

    if not (os.path.isfile(NGINX) and os.access(NGINX, os.X_OK)):
        raise SystemExit(f"--nginx: nginx is not installed at {NGINX} (apt-get install nginx, or set NGINX)")
    run = work / "nginx"
    run.mkdir()
    # One cookie secret for every replica, as run-replicas.sh sets: what one signed, another accepts.
    env = {"STREAMLIT_SERVER_COOKIE_SECRET": os.environ.get("STREAMLIT_SERVER_COOKIE_SECRET", secrets.token_hex(32))}
    ports, launched = [], []
    while len(ports) < replicas:
        port = free_port()
        if port in ports:  # free again: the replica given it has not bound it yet
            continue
        ports.append(port)
        launched.append(launch_server(port, store, count_file, str(work / f"replica-{port}.log"), script, env))
        started.append(launched[-1])
    for process, port in zip(launched, ports):  # started together: they import and warm up side by side
        wait_until_healthy(process, port, work / f"replica-{port}.log", 180)
    (run / "upstream.conf").write_text("".join(f"server 127.0.0.1:{port} max_fails=1 fail_timeout=10s;\n"
                                               for port in ports))
    front = free_port()
    config = run / "nginx.conf"
    config.write_text(nginx_config(run, front))
    command = [NGINX, "-c", str(config), "-p", f"{run}/", "-e", str(run / "error.log")]
    checked = subprocess.run([*command[:1], "-t", "-q", *command[1:]], capture_output=True, text=True, timeout=30)
    if checked.returncode != 0:
        raise SystemExit(f"--nginx: nginx -t rejected {config}:\n{checked.stderr}")
    with open(run / "nginx.out", "w") as output:
        nginx = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
    started.append(nginx)
    wait_until_healthy(nginx, front, run / "error.log", 30)  # through nginx, to a replica
    return f"http://127.0.0.1:{front}", [f"http://127.0.0.1:{port}" for port in ports], nginx


def family(pid: int) -> list[int]:
    """`pid` and every process under it (a server's training workers, nginx's workers under its master)."""
    found, queue = [], [pid]
    while queue:
        found.append(queue.pop())
        queue.extend(children(found[-1]))
    return found


class Probe:
    """CPU (utime + stime, all threads) and memory (VmRSS, VmHWM) of server processes and the processes under
    them (a server's training workers, `lstm_core/engine/workers.py`), from /proc."""

    TICK = os.sysconf("SC_CLK_TCK")

    def __init__(self, pids: list[int]):
        self.pids = pids
        self.samples: list[tuple[float, float]] = []  # (monotonic time, CPU seconds)

    def _all(self) -> list[int]:
        return [member for pid in self.pids for member in family(pid)]

    def cpu(self) -> float:
        total = 0.0
        for pid in self._all():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:  # ended since it was listed
                continue
            total += sum(int(value) for value in fields[11:15]) / self.TICK  # utime, stime, of ended children too
        return total

    def memory_mb(self, field_name: str) -> float:
        total = 0
        for pid in self._all():
            try:
                lines = Path(f"/proc/{pid}/status").read_text().splitlines()
            except OSError:
                continue
            total += sum(int(line.split()[1]) for line in lines if line.startswith(field_name + ":"))
        return total / 1024

    def reset_peak(self) -> bool:
        """Reset VmHWM to the current RSS (Linux: `5` into clear_refs); False where that is not allowed."""
        try:
            for pid in self._all():
                Path(f"/proc/{pid}/clear_refs").write_text("5")
            return True
        except OSError:
            return False

    async def sample(self, stop: asyncio.Event, every: float = 0.5) -> None:
        while not stop.is_set():
            self.samples.append((time.monotonic(), self.cpu()))
            try:
                await asyncio.wait_for(stop.wait(), every)
            except asyncio.TimeoutError:
                pass
        self.samples.append((time.monotonic(), self.cpu()))

    def busiest(self, window: float = 2.0) -> float:
        """The most cores used over any `window` seconds of the samples."""
        best = 0.0
        for i, (t0, c0) in enumerate(self.samples):
            for t1, c1 in self.samples[i + 1:]:
                if t1 - t0 >= window:
                    best = max(best, (c1 - c0) / (t1 - t0))
                    break
        return best


# -- the protocol client ------------------------------------------------------------------------------------
async def http_get(host: str, port: int, path: str, decode: bool = False,
                   cookie: str = "") -> tuple[int, bytes, list[tuple[str, str]]]:
    """A plain HTTP/1.1 GET (what the page's loader asks before the WebSocket), with a `Cookie` header if given:
    the status code, the body (gzip accepted, as a browser does; unzipped with `decode`) and the headers
    (lower-case names)."""
    reader, writer = await asyncio.open_connection(host, port)
    writer.write((f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept-Encoding: gzip\r\n"
                  + (f"Cookie: {cookie}\r\n" if cookie else "") + "Connection: close\r\n\r\n").encode())
    await writer.drain()
    data = await reader.read()
    writer.close()
    head, _, body = data.partition(b"\r\n\r\n")
    status, *lines = head.decode("latin-1").split("\r\n")
    headers = [(name.strip().lower(), value.strip()) for name, _, value in (line.partition(":") for line in lines)]
    if ("transfer-encoding", "chunked") in headers:  # nginx re-chunks a body whose length it does not know
        body = dechunk(body)
    if decode and ("content-encoding", "gzip") in headers:
        body = gzip.decompress(body)
    return int(status.split(" ", 2)[1]), body, headers


def dechunk(body: bytes) -> bytes:
    """The body of a `Transfer-Encoding: chunked` response."""
    parts, at = [], 0
    while True:
        end = body.index(b"\r\n", at)
        size = int(body[at:end].split(b";")[0], 16)
        if size == 0:
            return b"".join(parts)
        parts.append(body[end + 2:end + 2 + size])
        at = end + 2 + size + 2


def page_assets(html: bytes) -> list[str]:
    """The scripts, styles and fonts the page names itself (`./static/...`; not the chunks loaded later)."""
    text = html.decode(errors="replace")
    return sorted({"/" + path for path in re.findall(r'(?:src|href)="\./(static/[^"]+)"', text)})


def widget_state(element, WidgetState):
    """The WidgetState the frontend holds for a widget element (its value when drawn), or None if it holds
    none (a button: only a press sends its trigger). An option widget with no value sends its id alone."""
    kind = element.WhichOneof("type")
    proto = getattr(element, kind)
    state = WidgetState(id=proto.id)
    if kind in ("radio", "selectbox"):
        if proto.HasField("raw_value"):
            state.string_value = proto.raw_value
        elif proto.HasField("default"):
            state.string_value = proto.options[proto.default]
        return state
    if kind == "slider":
        if proto.options:  # select_slider: the options' texts
            texts = list(proto.raw_value) or [proto.options[int(i)] for i in (proto.value if proto.set_value
                                                                               else proto.default)]
            state.string_array_value.data.extend(texts)
        else:
            state.double_array_value.data.extend(proto.value if proto.set_value else proto.default)
        return state
    if kind == "number_input":
        value = proto.value if proto.set_value else proto.default
        if proto.data_type == type(proto).INT:
            state.int_value = int(value)
        else:
            state.double_value = value
        return state
    if kind == "checkbox":
        state.bool_value = proto.value if proto.set_value else proto.default
        return state
    return None


@dataclass
class Run:
    """What one script run drew: elements by delta path, the result's MAE and when it was drawn."""
    began: float
    elements: dict = field(default_factory=dict)
    mae: str | None = None
    result_at: float | None = None  # the MAE metric and, after it, the prediction chart with `title`
    titles: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    status: int | None = None


class Student:
    """One simulated browser tab: a WebSocket to `/_stcore/stream` and the frontend's widget values."""

    def __init__(self, base: str, page: str, query: str, assets: bool = False):
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
        from streamlit.proto.WidgetStates_pb2 import WidgetState

        self.BackMsg, self.ForwardMsg, self.WidgetState = BackMsg, ForwardMsg, WidgetState
        self.base, self.page, self.query = base.rstrip("/"), page, query
        self.assets = assets  # also fetch the page's own scripts and styles, as a browser with an empty cache
        parsed = urlparse(self.base)
        self.host, self.port = parsed.hostname, parsed.port
        self.ws = None
        self.cookies: dict = {}  # name -> value, as a browser's cookie jar holds them for this site
        self.replicas: list = []  # every `X-LSTM-Explorer-Replica` answer (nginx's; none from a bare server)
        self.page_script_hash = ""  # "" until the server named the page (first run: by page_name)
        self.values: dict = {}  # widget id -> WidgetState, as the frontend's widget manager holds them
        self.screen: dict = {}  # delta path -> Element of the last finished run
        self.cache: dict = {}  # ForwardMsg hash -> cacheable ForwardMsg (the frontend's message cache)

    async def open(self, timeout: float) -> Run:
        from websockets.asyncio.client import connect

        began = time.perf_counter()
        async with asyncio.timeout(timeout):
            status, html, headers = await http_get(self.host, self.port, f"/{self.page}?{self.query}", decode=True,
                                                   cookie=self.cookie_header())
            self._remember(headers)
            lanes = asyncio.Semaphore(6)  # a browser's connections per host

            async def get(path: str) -> None:
                async with lanes:
                    status, _, headers = await http_get(self.host, self.port, path, cookie=self.cookie_header())
                self._remember(headers)
                if status != 200:
                    raise RuntimeError(f"GET {path}: HTTP {status}")

            await get("/_stcore/health")
            await get("/_stcore/host-config")
            if self.assets:
                await asyncio.gather(*(get(path) for path in page_assets(html)))
            ws_base = "ws" + self.base[len("http"):]
            cookie = self.cookie_header()
            self.ws = await connect(f"{ws_base}/_stcore/stream", subprotocols=["streamlit", "PLACEHOLDER_AUTH_TOKEN"],
                                    max_size=None, open_timeout=timeout,
                                    additional_headers={"Cookie": cookie} if cookie else None)
            self._remember([(name.lower(), value) for name, value in self.ws.response.headers.raw_items()])
        return await self.rerun(timeout - (time.perf_counter() - began), began=began, first=True)

    def _remember(self, headers: list[tuple[str, str]]) -> None:
        """What a browser keeps of a response: its cookies (`Set-Cookie`; an empty value or `Max-Age=0` deletes
        one), and here also which replica answered."""
        for name, value in headers:
            if name == "set-cookie":
                pair, *attributes = value.split(";")
                key, _, cookie = pair.strip().partition("=")
                if cookie and not any(a.strip().lower() == "max-age=0" for a in attributes):
                    self.cookies[key] = cookie
                else:
                    self.cookies.pop(key, None)
            elif name == "x-lstm-explorer-replica":
                self.replicas.append(value)

    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def _states(self, changed: dict | None = None, trigger: str | None = None):
        from streamlit.proto.WidgetStates_pb2 import WidgetStates

        states = WidgetStates()
        for element in self.screen.values():
            kind = element.WhichOneof("type")
            widget_id = getattr(getattr(element, kind), "id", "") if kind else ""
            if widget_id and widget_id in self.values:
                states.widgets.append((changed or {}).get(widget_id, self.values[widget_id]))
        if trigger:
            states.widgets.append(self.WidgetState(id=trigger, trigger_value=True))
        return states

    async def rerun(self, timeout: float, *, changed: dict | None = None, trigger: str | None = None,
                    title: str | None = None, began: float | None = None, first: bool = False) -> Run:
        """Send a rerun (the link, every widget's value, a button's trigger) and read until the script finished."""
        message = self.BackMsg()
        client = message.rerun_script
        client.query_string = self.query
        if first:
            client.widget_states.SetInParent()
            client.page_name = self.page
        else:
            client.widget_states.CopyFrom(self._states(changed, trigger))
            client.page_script_hash = self.page_script_hash
        client.cached_message_hashes.extend(self.cache)
        info = client.context_info
        info.timezone, info.timezone_offset, info.locale = "UTC", 0, "en-US"
        info.url, info.is_embedded, info.color_scheme = f"{self.base}/{self.page}", False, "light"
        if changed:
            self.values.update(changed)
        run = Run(began if began is not None else time.perf_counter())
        await self.ws.send(message.SerializeToString())
        async with asyncio.timeout(timeout):
            while run.status is None:
                self._receive(await self.ws.recv(), run, title)
        self.screen = dict(sorted(run.elements.items()))
        for element in self.screen.values():
            kind = element.WhichOneof("type")
            proto = getattr(element, kind)
            widget_id = getattr(proto, "id", "")
            if widget_id and (widget_id not in self.values or getattr(proto, "set_value", False)):
                state = widget_state(element, self.WidgetState)
                if state is not None:
                    self.values[widget_id] = state
        return run

    def _receive(self, raw, run: Run, title: str | None) -> None:
        if isinstance(raw, str):
            return
        message = self.ForwardMsg()
        message.ParseFromString(raw)
        kind = message.WhichOneof("type")
        if kind == "ref_hash":  # a message this client said it holds: the cached copy, with the new metadata
            cached = self.cache.get(message.ref_hash)
            if cached is None:
                run.problems.append(f"cache miss {message.ref_hash}")
                return
            resolved = self.ForwardMsg()
            resolved.CopyFrom(cached)
            resolved.metadata.CopyFrom(message.metadata)
            message, kind = resolved, resolved.WhichOneof("type")
        elif message.metadata.cacheable and message.hash:
            self.cache[message.hash] = message
        if kind == "new_session":
            run.elements.clear()  # a new run (after an st.rerun) draws the page again
        elif kind == "navigation":
            self.page_script_hash = message.navigation.page_script_hash
        elif kind == "page_info_changed":
            self.query = message.page_info_changed.query_string
        elif kind == "page_not_found":
            run.problems.append(f"page not found: {message.page_not_found.page_name}")
        elif kind == "delta" and message.delta.WhichOneof("type") == "new_element":
            element = message.delta.new_element
            run.elements[tuple(message.metadata.delta_path)] = element
            what = element.WhichOneof("type")
            if what == "metric" and element.metric.label == MAE_LABEL:
                run.mae = element.metric.body
            elif what == "plotly_chart":
                spec = element.plotly_chart.spec
                if '"title"' in spec:
                    run.titles.append(spec)
                if run.mae is not None and run.result_at is None and (title is None or title in spec):
                    run.result_at = time.perf_counter()
            elif what == "exception":
                run.problems.append(f"exception: {element.exception.type}: {element.exception.message[:200]}")
            elif what == "alert" and element.alert.format == 1:  # ERROR
                run.problems.append(f"error: {element.alert.body[:200]}")
        elif kind == "script_finished":
            status = message.script_finished
            if status == self.ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                return  # an st.rerun: the next run follows
            if status == self.ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                run.problems.append("script compile error")
            run.status = status

    def find(self, kind: str, test) -> object | None:
        for element in self.screen.values():
            if element.WhichOneof("type") == kind and test(getattr(element, kind)):
                return getattr(element, kind)
        return None

    def train_button(self) -> str | None:
        button = self.find("button", lambda b: b.is_form_submitter and b.label == TRAIN_LABEL)
        return button.id if button is not None else None

    def slider_move(self, key: str, value: float) -> dict:
        """The frontend's side of moving a bound slider: its new value, and the link updated (sorted)."""
        slider = self.find("slider", lambda s: s.query_param_key == key)
        if slider is None:
            raise RuntimeError(f"no slider bound to {key!r}")
        state = self.WidgetState(id=slider.id)
        state.double_array_value.data.append(value)
        params = dict(parse_qsl(self.query, keep_blank_values=True))
        if [value] == list(slider.default):
            params.pop(key, None)
        else:
            params[key] = f"{value:g}"
        self.query = urlencode(sorted(params.items()))
        return {slider.id: state}

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()


# -- the class ----------------------------------------------------------------------------------------------
@dataclass
class Outcome:
    student: int
    query: str
    base: str = ""
    prewarmed: bool = False
    browser: bool = False
    period: int = 16
    shown_at_open: bool = False
    open_at: float = float("nan")  # wall clock (time.time) when the step began, to compare with trainings
    slider_at: float = float("nan")
    open_seconds: float = float("nan")
    train_seconds: float = float("nan")
    slider_seconds: float = float("nan")
    mae: str = ""
    title_after_slider: str = ""
    replicas: list = field(default_factory=list)  # the replicas that answered it (nginx's header), distinct
    completed: bool = False
    problem: str = ""


def left(deadline: float, most: float) -> float:
    remaining = deadline - time.perf_counter()
    if remaining <= 0:
        raise TimeoutError("the global timeout ran out")
    return min(most, remaining)


async def protocol_student(outcome: Outcome, delay: float, deadline: float, done: asyncio.Event,
                           assets: bool = False) -> None:
    await asyncio.sleep(delay)
    student = Student(outcome.base, "sine", outcome.query, assets)
    try:
        outcome.open_at = time.time()
        opened = await student.open(left(deadline, OPEN_S))
        outcome.open_seconds = time.perf_counter() - opened.began
        outcome.shown_at_open = opened.mae is not None
        trigger = student.train_button()
        if opened.problems or trigger is None:
            raise RuntimeError("; ".join(opened.problems) or "no Train button drawn")
        await asyncio.sleep(random.uniform(0.3, 1.0))  # reading the page
        trained = await student.rerun(left(deadline, TRAIN_S), trigger=trigger, title=prediction_title(15))
        if trained.problems or trained.result_at is None:
            raise RuntimeError("; ".join(trained.problems) or "Train drew no result")
        outcome.train_seconds = trained.result_at - trained.began
        outcome.mae = trained.mae
        await asyncio.sleep(random.uniform(0.3, 1.0))  # looking at the result
        wanted = prediction_title(outcome.period)
        outcome.slider_at = time.time()
        moved = await student.rerun(left(deadline, SLIDER_S), changed=student.slider_move("period", outcome.period),
                                    title=wanted)
        if moved.problems or moved.result_at is None:
            raise RuntimeError("; ".join(moved.problems) or f"the slider move drew no chart titled {wanted!r}")
        outcome.slider_seconds = time.perf_counter() - moved.began
        outcome.title_after_slider = wanted
        outcome.completed = True
        await done.wait()  # the tab stays open until the end of the class: its session stays in memory
    except Exception as error:  # noqa: BLE001 - a benchmark reports, it does not stop
        outcome.problem = f"{type(error).__name__}: {str(error)[:300]}"
    finally:
        outcome.replicas = sorted(set(student.replicas))
        try:
            await student.close()
        except Exception:  # noqa: BLE001
            pass


async def browser_student(browser, outcome: Outcome, delay: float, deadline: float, done: asyncio.Event) -> None:
    """A real Chromium tab doing what a protocol student does (the check)."""
    await asyncio.sleep(delay)
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = await context.new_page()
        page.set_default_timeout(left(deadline, OPEN_S) * 1000)
        began = time.perf_counter()
        await page.goto(f"{outcome.base}/sine?{outcome.query}")
        await page.wait_for_selector(IDLE)
        train = page.get_by_role("button", name=TRAIN_LABEL, exact=True)
        await train.wait_for()
        outcome.open_seconds = time.perf_counter() - began
        outcome.shown_at_open = await page.get_by_test_id("stMetric").count() > 0
        page.set_default_timeout(left(deadline, TRAIN_S) * 1000)
        began = time.perf_counter()
        await train.click()
        await page.locator('[data-testid="stPlotlyChart"] .gtitle', has_text=prediction_title(15)).first.wait_for()
        await page.wait_for_selector(IDLE)
        outcome.train_seconds = time.perf_counter() - began
        outcome.mae = (await page.get_by_test_id("stMetricValue").first.inner_text()).strip()
        page.set_default_timeout(left(deadline, SLIDER_S) * 1000)
        slider = page.get_by_test_id("stSlider").filter(has_text="period").get_by_role("slider")
        began = time.perf_counter()
        await slider.focus()
        for _ in range(outcome.period - 15):
            await page.keyboard.press("ArrowRight")
        title = page.locator('[data-testid="stPlotlyChart"] .gtitle', has_text=prediction_title(outcome.period))
        await title.first.wait_for()
        await page.wait_for_selector(IDLE)
        outcome.slider_seconds = time.perf_counter() - began
        outcome.title_after_slider = (await title.first.text_content() or "").strip()  # an SVG text
        exceptions = await page.get_by_test_id("stException").all_inner_texts()
        outcome.completed = not exceptions
        outcome.problem = exceptions[0][:300] if exceptions else ""
        await done.wait()
    except Exception as error:  # noqa: BLE001
        outcome.problem = f"{type(error).__name__}: {str(error)[:300]}"
    finally:
        await context.close()


async def teacher(base: str, query: str, timeout: float) -> float:
    """One protocol visit before class (a prewarmed lesson opened and left): its seconds."""
    student = Student(base, "sine", query)
    try:
        run = await student.open(timeout)
        if run.problems:
            raise RuntimeError("; ".join(run.problems))
        return time.perf_counter() - run.began
    finally:
        await student.close()


async def classroom(students: list[Outcome], delays: list[float], browsers: list[Outcome],
                    browser_delays: list[float], deadline: float, probe: Probe | None, assets: bool = False) -> float:
    """Run every student; the harness's own CPU seconds (the clients' cost, browsers not included)."""
    done, stop = asyncio.Event(), asyncio.Event()
    sampler = asyncio.create_task(probe.sample(stop)) if probe else None
    cpu_began = time.process_time()
    playwright = browser = None
    try:
        tasks = [protocol_student(o, d, deadline, done, assets) for o, d in zip(students, delays)]
        if browsers:
            from playwright.async_api import async_playwright

            playwright = await async_playwright().start()
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            tasks += [browser_student(browser, o, d, deadline, done) for o, d in zip(browsers, browser_delays)]
        running = [asyncio.create_task(task) for task in tasks]
        everyone = students + browsers
        while time.perf_counter() < deadline and not all(o.completed or o.problem for o in everyone):
            await asyncio.sleep(0.1)
        done.set()
        await asyncio.wait(running, timeout=30)
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)
    finally:
        stop.set()
        if sampler:
            await sampler
        if browser:
            await browser.close()
        if playwright:
            await playwright.stop()
    return time.process_time() - cpu_began


# -- set-up and report --------------------------------------------------------------------------------------
def configurations(unique: int) -> list[str]:
    """`unique` tiny sine models as link parameters (the app's depth default, 2 layers)."""
    return [f"units=4&train_size=200&epochs=1&seed={200 + index}" for index in range(unique)]


def prewarm(queries: list[str], store: str) -> float:
    """Train these configurations into `store` in a child process (the harness imports no TensorFlow)."""
    code = ("import json, sys\n"
            "from urllib.parse import parse_qsl\n"
            "from lstm_core.engine.store import ModelStore\n"
            "from lstm_core.engine.trainer import Trainer\n"
            "from lstm_core.experiments import SineConfig\n"
            "from lstm_core.tools.prewarm import by_architecture, prewarm\n"
            "configs = [SineConfig(**{k: int(v) for k, v in parse_qsl(q)}) for q in json.loads(sys.argv[1])]\n"
            "summary = prewarm(by_architecture(configs), Trainer(ModelStore(sys.argv[2])))\n"
            "assert not summary['failed'], summary['failed']\n")
    began = time.perf_counter()
    subprocess.run([sys.executable, "-c", code, json.dumps(queries), store], cwd=ROOT, check=True, timeout=600,
                   env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - began


def p50_p95(values) -> tuple[float, float]:
    return percentile(values, .5), percentile(values, .95)


def shown(values) -> str:
    values = [v for v in values if v == v]
    if not values:
        return "n/a"
    p50, p95 = p50_p95(values)
    return f"{p50:.2f} / {p95:.2f} (n={len(values)})"


def loads() -> str:
    return " / ".join(f"{value:.2f}" for value in os.getloadavg())


def replica_hooks(args) -> tuple[list[str], list[int]]:
    """The servers to drive with `--replicas`, started elsewhere (`--nginx` starts its own: `start_school`).

    With replicas: students go round-robin to the URLs; the prewarm writes into `--store` (it must be the
    replicas' shared store, else nothing is prewarmed); trainings are read from `--count-file` if the
    replicas run this file's `--serve` wrapper appending to it; CPU and memory from `--replica-pids`. The
    configurations (seeds 200, 201, ...) must not be in that store yet, or they are not trained in class. Each
    replica has its own Trainer, but a configuration asked on two replicas at once is trained once (the store's
    lock, `lstm_core/engine/store.py`), so the trainings count still equals the configurations to train; the
    same holds behind nginx.
    """
    urls = [url.strip().rstrip("/") for url in args.replicas.split(",") if url.strip()]
    for url in urls:
        if urlparse(url).hostname not in LOOPBACK:
            raise SystemExit(f"--replicas: {url} is not a loopback address (this harness stays on this machine)")
    pids = [int(pid) for pid in args.replica_pids.split(",") if pid.strip()] if args.replica_pids else []
    return urls, pids


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=10)
    parser.add_argument("--unique", type=int, default=None, help="different models asked for (default max(4, N/5))")
    parser.add_argument("--prewarmed", type=int, default=None, help="of those, in the store before class (half)")
    parser.add_argument("--spread", type=float, default=10.0, help="students arrive within this many seconds")
    parser.add_argument("--timeout", type=float, default=None, help="global seconds for the class (default 100 + 2 N)")
    parser.add_argument("--script", default="serve.py", choices=["serve.py", "app.py"], help="what the server runs")
    parser.add_argument("--slots", type=int, default=None, help="training slots (default: the app's, 1)")
    parser.add_argument("--assets", action="store_true",
                        help="protocol students also fetch the page's scripts and styles (an empty browser cache)")
    parser.add_argument("--check", action="store_true", help="also 2 Chromium students, compared with the others")
    parser.add_argument("--seed", type=int, default=0, help="who asks for what, and when")
    parser.add_argument("--replicas", default="", help="URL,URL of servers started elsewhere (loopback only)")
    parser.add_argument("--replica-pids", default="", help="their pids, for CPU and memory")
    parser.add_argument("--store", default=None, help="model store (default: a new temporary folder)")
    parser.add_argument("--count-file", default=None, help="with --replicas: the file their wrapper counts into")
    parser.add_argument("--nginx", type=int, default=None, metavar="N",
                        help=f"start N replicas (1 to {MAX_REPLICAS}) behind nginx (deploy/nginx.conf); students "
                             "open nginx's address")
    args = parser.parse_args(argv)
    if not 1 <= args.students <= MAX_STUDENTS:
        parser.error(f"--students: 1 to {MAX_STUDENTS}")
    if args.nginx is not None and not 1 <= args.nginx <= MAX_REPLICAS:
        parser.error(f"--nginx: the number of replicas, 1 to {MAX_REPLICAS} (got {args.nginx})")
    if args.nginx and args.replicas:
        parser.error("--nginx starts its own replicas: give --nginx or --replicas, not both")
    unique = args.unique or max(4, args.students // 5)
    unique = max(1, min(unique, args.students))
    prewarmed = unique // 2 if args.prewarmed is None else max(0, min(args.prewarmed, unique))
    if args.replicas and not args.store:
        prewarmed = 0  # the replicas' store is not known: nothing can be prewarmed for them
    timeout = args.timeout or 100 + 2 * args.students
    if args.slots is not None:
        os.environ["LSTM_EXPLORER_TRAINING_SLOTS"] = str(args.slots)

    began_all = time.perf_counter()
    print("# Load with protocol clients: simulated students on Streamlit's WebSocket protocol")
    print(machine_line())
    print(f"load average (1 / 5 / 15 min) at the start: {loads()}")
    work = Path(tempfile.mkdtemp(prefix="lstm-explorer-load-protocol-"))
    store = args.store or str(work / "store")
    count_file = args.count_file or str(work / "trainings.txt")
    Path(count_file).touch()
    counted_before = len(Path(count_file).read_text().splitlines())  # a replicas' count file may hold earlier runs
    rng = random.Random(args.seed)
    random.seed(args.seed)
    models = configurations(unique)
    to_train = models[prewarmed:]
    asked = [models[i % len(models)] for i in range(args.students)]  # every model asked for at least once
    rng.shuffle(asked)

    bases, pids = replica_hooks(args) if args.replicas else ([], [])
    seconds = prewarm(models[:prewarmed], store) if prewarmed else 0.0
    servers = (f" x {len(bases)} replicas" if args.replicas
               else f" x {args.nginx} replicas behind nginx" if args.nginx else "")
    print(f"{args.students} students on /sine, {unique} unique tiny models ({prewarmed} prewarmed in {seconds:.1f} s, "
          f"{len(to_train)} to train); arrivals within {args.spread:g} s; server `streamlit run {args.script}`"
          f"{servers}; training slots "
          f"{os.environ.get('LSTM_EXPLORER_TRAINING_SLOTS', '1 (default)')}; work folder {work}", flush=True)
    started: list[subprocess.Popen] = []  # every server this run starts (stopped in `finally`, whatever happens)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # a SIGTERM runs `finally` too
    replica_bases: list[str] = []  # with --nginx: each replica's own address (the teacher's visits)
    nginx = None
    try:
        if args.nginx:
            front, replica_bases, nginx = start_school(args.nginx, store, count_file, work, args.script, started)
            bases, pids = [front], [process.pid for process in started if process is not nginx]
            print(f"nginx on {front} (configuration {work / 'nginx' / 'nginx.conf'}) in front of "
                  f"{', '.join(replica_bases)}", flush=True)
        elif not args.replicas:
            port = free_port()
            started.append(launch_server(port, store, count_file, str(work / "server.log"), args.script))
            wait_until_healthy(started[-1], port, work / "server.log", 90)
            bases, pids = [f"http://127.0.0.1:{port}"], [started[-1].pid]
        probe = Probe(pids) if pids else None
        # With nginx: each replica apart (CPU, memory), and nginx itself (its master and workers).
        each = {urlparse(base).netloc: Probe([pid]) for base, pid in zip(replica_bases, pids)}
        if nginx is not None:
            each["nginx"] = Probe([nginx.pid, *children(nginx.pid)])
        students = [Outcome(i, query, bases[i % len(bases)], query in models[:prewarmed], period=16 + i % 20)
                    for i, query in enumerate(asked)]
        delays = [rng.uniform(0, args.spread) for _ in students]
        browsers = []
        if args.check:
            picks = [models[0], models[prewarmed] if prewarmed < unique else models[-1]]
            browsers = [Outcome(1000 + i, query, bases[0], query in models[:prewarmed], browser=True, period=16)
                        for i, query in enumerate(picks)]
        browser_delays = [rng.uniform(0, args.spread) for _ in browsers]
        # each replica warmed (with nginx: visited directly, not through nginx's hash)
        visit = max(asyncio.run(teacher(base, models[0], OPEN_S)) for base in replica_bases or bases)
        time.sleep(1.0)
        idle = probe.memory_mb("VmRSS") if probe else float("nan")
        peak_reset = probe.reset_peak() if probe else False
        cpu_before = probe.cpu() if probe else float("nan")
        if nginx is not None:
            each["nginx"].reset_peak()
        apart = {name: {"idle": one.memory_mb("VmRSS"), "cpu": one.cpu()} for name, one in each.items()}
        began = time.perf_counter()
        harness_cpu = asyncio.run(classroom(students, delays, browsers, browser_delays, began + timeout, probe,
                                            args.assets))
        wall = time.perf_counter() - began
        cpu = probe.cpu() - cpu_before if probe else float("nan")
        peak = probe.memory_mb("VmHWM") if probe else float("nan")
        for name, one in each.items():
            apart[name].update(cpu=one.cpu() - apart[name]["cpu"], peak=one.memory_mb("VmHWM"))
    finally:
        stop_all(started)

    runs = [line.split() for line in Path(count_file).read_text().splitlines()[counted_before:] if line.strip()]
    trainings = [run[0] for run in runs]  # configuration keys
    counted = not args.replicas or args.count_file  # replicas started elsewhere may not count their trainings
    spans = [(float(run[1]), float(run[2])) for run in runs if len(run) == 3]

    def beside_training(start: float, seconds: float) -> bool:
        return any(begin < start + seconds and start < end for begin, end in spans)

    expected = to_train
    (work / "outcomes.json").write_text(json.dumps([vars(o) for o in students + browsers], indent=1))
    trained_keys = len(set(trainings))
    completed = sum(o.completed for o in students)
    prewarm_open = [o.open_seconds for o in students if o.prewarmed]
    other_open = [o.open_seconds for o in students if not o.prewarmed]
    live = [o.train_seconds for o in students if not o.prewarmed]
    ready = [o.train_seconds for o in students if o.prewarmed]
    slider = [o.slider_seconds for o in students]
    slider_alone = [o.slider_seconds for o in students if not beside_training(o.slider_at, o.slider_seconds)]
    slider_beside = [o.slider_seconds for o in students if beside_training(o.slider_at, o.slider_seconds)]
    open_beside = [o.open_seconds for o in students if o.prewarmed and beside_training(o.open_at, o.open_seconds)]
    per_session = (peak - idle) / args.students if probe else float("nan")
    several = len(pids) > 1  # CPU and memory are sums over the replicas
    server = "replicas'" if several else "server"
    summed = ", summed" if several else ""
    answered = [o for o in students if o.replicas]
    unsticky = [o for o in answered if len(o.replicas) > 1]  # with nginx: answered by two replicas or more
    reruns = sum((o.open_seconds == o.open_seconds) + (o.train_seconds == o.train_seconds)
                 + (o.slider_seconds == o.slider_seconds) for o in students + browsers)  # script runs finished
    rows = [
        ["students completed", f"{completed} / {len(students)}"],
        ["trainings run / configurations to train",
         f"{len(trainings)} / {len(expected)} ({trained_keys} distinct; {unique} unique asked, {prewarmed} prewarmed)"
         if counted else f"n/a (replicas without --count-file) / {len(expected)}"],
        ["teacher's visit before class (s; the slowest replica's" + (", direct)" if args.nginx else ")")
         if args.replicas or args.nginx else "teacher's visit before class (s)", f"{visit:.2f}"],
        ["open a prewarmed lesson p50 / p95 (s)", shown(prewarm_open)],
        ["  of which while a training ran", shown(open_beside)],
        ["open an untrained lesson p50 / p95 (s)", shown(other_open)],
        ["Train → result p50 / p95 (s), all", shown(live + ready)],
        ["  of which trained now", shown(live)],
        ["  of which already trained", shown(ready)],
        ["slider move on a cached view p50 / p95 (s)", shown(slider)],
        ["  while a training ran / while none ran", f"{shown(slider_beside)}; {shown(slider_alone)}"],
        ["class wall time (s)", f"{wall:.1f}"],
        [f"{server} CPU in class{summed} (s; mean / busiest 2 s, cores)",
         f"{cpu:.1f}; {cpu / wall:.2f} / {probe.busiest():.2f}" if probe else "n/a (no pids)"],
        [f"{server} CPU per page run{summed} (s; trainings included)",
         f"{cpu / max(reruns, 1):.2f} ({reruns} runs)" if probe else f"n/a ({reruns} runs)"],
        [f"{server} idle memory after the teacher{summed} (MB, VmRSS)", f"{idle:.0f}"],
        [f"{server} peak memory in class{', sum of their peaks' if several else ''} (MB, VmHWM)",
         f"{peak:.0f}" + ("" if peak_reset else " (peak since start)")],
        ["memory per session ((peak − idle) / N, MB)", f"{per_session:.1f}"],
        ["harness CPU, all protocol clients (s)", f"{harness_cpu:.1f} ({harness_cpu / wall:.2f} cores"
                                                  f"{'; browsers not included' if browsers else ''})"],
        ["machine load 1 / 5 / 15 min at the end", loads()],
    ]
    if args.nginx:
        rows.insert(2, ["students answered by one replica / by several (nginx's header)",
                        f"{len(answered) - len(unsticky)} / {len(unsticky)}"])
    print()
    print(table(["measure", "value"], rows))
    if args.nginx:
        rows = []
        for name, measured in apart.items():
            served = sum(o.replicas == [name] for o in students) if name != "nginx" else len(answered)
            rows.append([name, served, f"{measured['cpu']:.1f} ({measured['cpu'] / wall:.2f} cores)",
                         f"{measured['idle']:.0f}", f"{measured['peak']:.0f}"])
        print()
        print(table(["replica (X-LSTM-Explorer-Replica)", "students served", "CPU in class (s)",
                     "idle memory (MB, VmRSS)", "peak memory in class (MB, VmHWM)"], rows))
    failed = [o for o in students + browsers if not o.completed]
    for outcome in failed[:10]:
        print(f"student {outcome.student} ({outcome.query}): {outcome.problem or 'did not finish in time'}")
    if len(failed) > 10:
        print(f"... and {len(failed) - 10} more")

    check_ok = True
    if browsers:
        rows = []
        for outcome in browsers:
            twins = [o for o in students if o.query == outcome.query and o.completed]
            maes = sorted({o.mae for o in twins})
            same_mae = outcome.completed and maes == [outcome.mae]
            same_title = outcome.title_after_slider == prediction_title(outcome.period)
            check_ok &= same_mae and same_title
            rows.append([outcome.query, "prewarmed" if outcome.prewarmed else "trained in class",
                         outcome.mae or "-", ", ".join(maes) or "-", outcome.title_after_slider or "-",
                         f"{outcome.open_seconds:.2f} / {outcome.train_seconds:.2f} / {outcome.slider_seconds:.2f}",
                         verdict(same_mae and same_title)])
        print()
        print(table(["Chromium student's link", "model", "MAE in Chromium", "MAE, protocol students",
                     "chart after the slider (Chromium)", "open / Train / slider s", "same as protocol"], rows))

    open_p95 = p50_p95(prewarm_open)[1]
    slider_p95 = p50_p95(slider)[1]
    trainings_ok = len(trainings) == len(expected) == trained_keys  # each configuration to train, once
    print()
    print(f"target: p95 to open a prewarmed lesson ≤ {TARGET_OPEN:g} s ({args.students} students): "
          + (f"{open_p95:.2f} s -> {verdict(open_p95 <= TARGET_OPEN)}" if open_p95 == open_p95
             else "not measured (no prewarmed lesson opened)"))
    print(f"target: p95 slider move on a cached view ≤ {TARGET_SLIDER:g} s ({args.students} students): "
          + (f"{slider_p95:.2f} s -> {verdict(slider_p95 <= TARGET_SLIDER)}" if slider_p95 == slider_p95
             else "not measured (no slider move finished)"))
    if counted:
        print(f"target: trainings = unique configurations to train, each once: {len(trainings)} run, "
              f"{len(expected)} expected -> {verdict(trainings_ok)}")
    else:
        print("target: trainings = unique configurations to train: not measured (replicas without --count-file)")
        trainings_ok = True
    if browsers:
        print(f"check: Chromium students see what protocol students see (MAE, chart title) -> {verdict(check_ok)}")
    if args.nginx:
        print(f"target: every student answered by one replica (nginx's sticky cookie): {len(unsticky)} of "
              f"{len(answered)} answered by several -> {verdict(not unsticky and len(answered) == len(students))}")
    print(f"(machine load at the end {loads()}; whole run {time.perf_counter() - began_all:.0f} s)")
    ok = completed == len(students) and trainings_ok and check_ok and all(o.completed for o in browsers)
    ok &= not args.nginx or (not unsticky and len(answered) == len(students))
    return 0 if ok else 1


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        serve(int(sys.argv[2]), sys.argv[3], sys.argv[4] if len(sys.argv) > 4 else "app.py")
    else:
        sys.exit(main())
