"""
What open class boards cost a real server: its CPU seconds per second and its
memory with no board open, then with N boards (default 30) held open for a
minute, each redrawing itself every few seconds as a browser tab does.

The server is `streamlit run app.py` on a temporary model store holding
`--entries` tiny models of the board's two experiments (trained first, in a
child process, through the Trainer as a class would). Before measuring, one
client opens the board (and first, on a class's server, the sine lesson on a
stored model: TensorFlow imported and a model loaded). The boards are the
cheap protocol clients of `load_protocol.py` (Streamlit's WebSocket
protocol, no browser) on `/board`: each opens the page and then does what
the frontend does with the fragment's `auto_rerun` message, a fragment rerun
(`ClientState.fragment_id`, `is_auto_rerun`) every `interval` seconds. While
they are open, a share lands on the board every `--share-every` seconds
(`BoardFolder.share`, as a student's "Share on the board" writes it), so the
scan's cache is invalidated as in class; at the end every board must show
the last nickname in its chart.

Phases: `--idle` seconds with no board open; N boards opened within 5 s;
`--seconds` with all N open; 10 s after they closed. CPU is utime + stime of
the server process from /proc (all threads), memory its VmRSS (and VmHWM over
the open phase); the clients' own CPU is reported too, to show they cost
little. By default the whole run is done on two servers: one where a lesson
was opened first (TensorFlow imported and a model loaded, as in class) and
one that only ever served boards. Streamlit collects garbage after every
script run, a fragment's included; the objects alive once the board (or
Keras) is loaded are frozen out of that collection (`ui/cache.py`,
`lstm_core/engine/backend.py`), else it would be most of what a redraw costs.

    .venv/bin/python benchmarks/board.py                      # 30 boards for 60 s, both settings (~5 min)
    .venv/bin/python benchmarks/board.py --boards 10 --seconds 30 --lesson-first no
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import ROOT, machine_line, stop, table
from load import free_port
from load_protocol import Probe, Student, start_server, teacher

OPEN_S = 120.0
SPREAD_S = 5.0  # boards open within this many seconds


class Board(Student):
    """A protocol client on `/board` that reruns the board's fragment when the server asks for it."""

    def __init__(self, base: str, query: str = ""):
        super().__init__(base, "board", query)
        self.fragments: dict = {}  # fragment id -> interval (seconds), from `auto_rerun`
        self.durations: list = []  # seconds of each fragment rerun
        self.last_chart = ""
        self.problems: list = []

    def _receive(self, raw, run, title):
        if not isinstance(raw, str):
            message = self.ForwardMsg()
            message.ParseFromString(raw)
            kind = message.WhichOneof("type")
            if kind == "ref_hash" and message.ref_hash in self.cache:  # a chart this client already holds
                message = self.cache[message.ref_hash]
                kind = message.WhichOneof("type")
            if kind == "auto_rerun":
                self.fragments[message.auto_rerun.fragment_id] = message.auto_rerun.interval
            elif kind == "delta" and message.delta.WhichOneof("type") == "new_element" \
                    and message.delta.new_element.WhichOneof("type") == "plotly_chart":
                self.last_chart = message.delta.new_element.plotly_chart.spec
        super()._receive(raw, run, title)

    async def fragment_rerun(self, fragment_id: str, timeout: float) -> float:
        """What the frontend sends at each `run_every` tick: a rerun of one fragment with every widget's value."""
        from load_protocol import Run

        message = self.BackMsg()
        client = message.rerun_script
        client.query_string = self.query
        client.widget_states.CopyFrom(self._states())
        client.page_script_hash = self.page_script_hash
        client.fragment_id = fragment_id
        client.is_auto_rerun = True
        client.cached_message_hashes.extend(self.cache)
        run = Run(time.perf_counter())
        await self.ws.send(message.SerializeToString())
        async with asyncio.timeout(timeout):
            while run.status is None:
                self._receive(await self.ws.recv(), run, None)
        self.screen.update(run.elements)  # a fragment redraws its own part of the page only
        self.problems += run.problems
        seconds = time.perf_counter() - run.began
        self.durations.append(seconds)
        return seconds

    async def hold(self, until: float) -> None:
        """Keep the tab open until `until` (perf_counter), rerunning the fragment at its interval."""
        if not self.fragments:
            raise RuntimeError("the board sent no auto_rerun: it does not refresh itself")
        fragment_id, interval = next(iter(self.fragments.items()))
        while True:
            tick = time.perf_counter() + interval
            if tick >= until:
                break
            await asyncio.sleep(max(0.0, tick - time.perf_counter()))
            await self.fragment_rerun(fragment_id, max(1.0, until - time.perf_counter() + 30))


def train_store(store: Path, entries: int) -> float:
    """`entries` tiny sine and rectangle models trained into `store` in a child process (three model sizes each,
    so a few compiles); the seconds it took."""
    code = (
        "import sys\n"
        "from lstm_core.engine import fit\n"
        "fit.JIT_COMPILE = False  # micro models: compiling with XLA costs more than it saves\n"
        "from lstm_core.engine.store import ModelStore\n"
        "from lstm_core.engine.trainer import Trainer\n"
        "from lstm_core.experiments import RectangleConfig, SineConfig\n"
        "from lstm_core.tools.prewarm import by_architecture, prewarm\n"
        "count = int(sys.argv[2])\n"
        "sizes = (100, 200, 500)  # the first model is the lesson the benchmark opens (LESSON)\n"
        "configs = []\n"
        "for index in range(count):\n"
        "    units, size, seed = (2, 4, 8)[index % 3], sizes[(index // 3) % 3], index\n"
        "    configs.append(SineConfig(units=units, depth=1, train_size=size, epochs=1, seed=seed) if index % 2 == 0\n"
        "                   else RectangleConfig(units=units, train_size=size, epochs=1, seed=seed))\n"
        "summary = prewarm(by_architecture(configs), Trainer(ModelStore(sys.argv[1])))\n"
        "assert not summary['failed'], summary['failed']\n")
    began = time.perf_counter()
    subprocess.run([sys.executable, "-c", code, str(store), str(entries)], cwd=ROOT, check=True, timeout=1200,
                   env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": str(ROOT)},
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - began


def rate(probe: Probe, seconds: float) -> tuple[float, float]:
    """`(CPU seconds per second, VmRSS MB)` of the server over the next `seconds`, nothing else happening."""
    began, cpu = time.perf_counter(), probe.cpu()
    time.sleep(seconds)
    return (probe.cpu() - cpu) / (time.perf_counter() - began), probe.memory_mb("VmRSS")


async def class_of_boards(base: str, count: int, seconds: float, probe: Probe, store: Path, share_every: float):
    """Open `count` boards, hold them `seconds`, sharing a nickname on the board every `share_every` seconds."""
    from lstm_core.board import BoardFolder

    folder = BoardFolder(store)
    shared_key = next(row.key for row in folder.scan().rows if row.experiment == "sine")
    boards = [Board(base) for _ in range(count)]
    cpu_began = time.process_time()
    opened_at = time.perf_counter()
    cpu_open = probe.cpu()

    async def open_one(board: Board, delay: float) -> float:
        await asyncio.sleep(delay)
        run = await board.open(OPEN_S)
        if run.problems:
            raise RuntimeError("; ".join(run.problems))
        return time.perf_counter() - run.began

    opens = await asyncio.gather(*(open_one(b, SPREAD_S * i / max(1, count - 1)) for i, b in enumerate(boards)))
    open_cpu = probe.cpu() - cpu_open
    open_wall = time.perf_counter() - opened_at
    probe.reset_peak()
    hold_began, cpu_hold = time.perf_counter(), probe.cpu()
    until = hold_began + seconds
    names = []
    tag = int(time.time()) % 100_000  # a nickname no earlier run left in the store

    async def sharer() -> None:
        index = 0
        while time.perf_counter() + share_every < until - 10:  # the last share has time to reach every board
            await asyncio.sleep(share_every)
            index += 1
            names.append(folder.share(shared_key, f"bench {tag} {index}"))

    await asyncio.gather(sharer(), *(b.hold(until) for b in boards))
    hold_wall = time.perf_counter() - hold_began
    hold_cpu = probe.cpu() - cpu_hold
    result = {
        "opens": opens, "open_cpu": open_cpu, "open_wall": open_wall, "hold_cpu": hold_cpu, "hold_wall": hold_wall,
        "rss": probe.memory_mb("VmRSS"), "peak": probe.memory_mb("VmHWM"),
        "durations": [d for b in boards for d in b.durations], "reruns": [len(b.durations) for b in boards],
        "intervals": sorted({i for b in boards for i in b.fragments.values()}),
        "shares": names, "problems": [p for b in boards for p in b.problems],
        "saw_last": sum(bool(names) and names[-1] in b.last_chart for b in boards),
        "harness_cpu": time.process_time() - cpu_began,
    }
    for board in boards:
        await board.close()
    return result


async def one_visit(base: str) -> None:
    board = Board(base)
    try:
        run = await board.open(OPEN_S)
        if run.problems:
            raise RuntimeError("; ".join(run.problems))
    finally:
        await board.close()


LESSON = "units=2&depth=1&train_size=100&epochs=1&seed=0"  # the store's first model (train_store), opened on /sine


def measure(args, store: Path, work: Path, lesson_first: bool) -> dict:
    """One server: a lesson (if `lesson_first`) and a board visited, then the phases."""
    port = free_port()
    server = start_server(port, str(store), str(work / "trainings.txt"),
                          str(work / f"server-lesson-{lesson_first}.log"), "app.py")
    base = f"http://127.0.0.1:{port}"
    probe = Probe([server.pid])
    try:
        if lesson_first:  # as in class: a lesson has imported TensorFlow and loaded a model
            asyncio.run(teacher(base, LESSON, OPEN_S))
        asyncio.run(one_visit(base))  # the board's own imports done
        time.sleep(2.0)
        idle_cpu, idle_rss = rate(probe, args.idle)
        load_before = os.getloadavg()[0]
        found = asyncio.run(class_of_boards(base, args.boards, args.seconds, probe, store, args.share_every))
        found["load"] = (load_before, os.getloadavg()[0])
        found["after"] = rate(probe, min(args.idle, 10.0))
    finally:
        stop(server)
    return {**found, "idle_cpu": idle_cpu, "idle_rss": idle_rss}


def report(args, runs: dict) -> list[list]:
    def column(found: dict) -> list[str]:
        durations = sorted(found["durations"])
        busy = found["hold_cpu"] / found["hold_wall"]
        reruns = sum(found["reruns"])
        return [
            f"{found['idle_cpu']:.4f}",
            f"{busy:.4f}",
            f"{(busy - found['idle_cpu']) / args.boards:.5f}",
            f"{(found['hold_cpu'] - found['idle_cpu'] * found['hold_wall']) / max(reruns, 1) * 1000:.1f}",
            f"{found['idle_rss']:.0f}",
            f"{found['rss']:.0f} / {found['peak']:.0f}",
            f"{(found['peak'] - found['idle_rss']) / args.boards:.2f}",
            f"{found['after'][0]:.4f} ({found['after'][1]:.0f} MB)",
            f"{found['open_cpu']:.2f} / {statistics.median(found['opens']):.2f} / {max(found['opens']):.2f}",
            ", ".join(f"{i:g}" for i in found["intervals"]),
            f"{reruns} / {reruns / args.boards / (found['hold_wall'] / 60):.1f}",
            f"{durations[len(durations) // 2]:.3f} / {durations[int(0.95 * (len(durations) - 1))]:.3f}"
            if durations else "n/a",
            f"{len(found['shares'])} / {found['saw_last']} of {args.boards}",
            str(len(found["problems"])),
            f"{found['harness_cpu']:.2f}",
            f"{found['load'][0]:.2f} / {found['load'][1]:.2f}",
        ]

    names = [
        "server CPU, no board open (CPU-s per s)",
        f"server CPU, {args.boards} boards open (CPU-s per s, mean over {args.seconds:g} s)",
        "  per open board (CPU-s per s)",
        "  per fragment rerun (CPU-ms)",
        "server memory (VmRSS), no board open (MB)",
        f"server memory, {args.boards} boards open: at the end / peak (MB)",
        "  per open board (MB)",
        "server CPU after the boards closed (CPU-s per s)",
        f"opening {args.boards} boards within {SPREAD_S:g} s: CPU-s / p50 / max seconds",
        "fragment interval asked by the server (s)",
        "fragment reruns (all boards) / per board per minute",
        "fragment rerun p50 / p95 (s)",
        "shares during the hold / boards showing the last one at the end",
        "problems seen by the clients",
        "clients' own CPU (s)",
        "load average at the start / end of the hold",
    ]
    columns = [column(found) for found in runs.values()]
    return [[name, *values] for name, *values in zip(names, *columns)]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--boards", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=60.0, help="how long the boards stay open")
    parser.add_argument("--idle", type=float, default=20.0, help="seconds measured with no board open")
    parser.add_argument("--entries", type=int, default=40, help="tiny models in the store")
    parser.add_argument("--share-every", type=float, default=15.0, help="seconds between two shares")
    parser.add_argument("--lesson-first", choices=["both", "yes", "no"], default="both",
                        help="open a lesson (TensorFlow and a model loaded) before the boards, or only boards, or both")
    args = parser.parse_args(argv)
    if not 1 <= args.boards <= 200 or not 2 <= args.entries <= 400:
        parser.error("--boards: 1 to 200; --entries: 2 to 400")

    print("# Open class boards on one server: CPU and memory")
    print(machine_line())
    work = Path(tempfile.mkdtemp(prefix="lstm-explorer-board-"))
    store = work / "store"
    trained = train_store(store, args.entries)
    print(f"store: {args.entries} tiny models (sine and rectangles) trained in {trained:.1f} s; work folder {work}",
          flush=True)
    settings = {"both": (True, False), "yes": (True,), "no": (False,)}[args.lesson_first]
    runs = {lesson: measure(args, store, work, lesson) for lesson in settings}
    headers = ["measure"] + ["a lesson opened first (TensorFlow loaded, as in class)" if lesson else
                             "only boards (a server nobody opened a lesson on)" for lesson in runs]
    print(table(headers, report(args, runs)))
    (work / "result.json").write_text(json.dumps({str(lesson): found for lesson, found in runs.items()}, indent=1))
    ok = all(not found["problems"] and found["intervals"] and (not found["shares"] or found["saw_last"] == args.boards)
             for found in runs.values())
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
