"""
Replay: what the training snapshots cost, and that playing a replay costs the server nothing.

Every training keeps its weights at about thirty moments (`lstm_core/engine/snapshots.py`), written
inside the compiled training step (`RecordingModel._keep_snapshot` in `lstm_core/engine/fit.py`) and
read by the host only when one is due; pages replay them as one Plotly figure with animation frames
(`lstm_core/figures/replay.py`) that the browser plays. Three measurements:

1. **Training cost.** In one child process, the default sine model (`SineConfig()`) and the
   rectangles default (`RectangleConfig()`) are trained *warm* (after a first, cold training of the
   architecture) with snapshots as shipped and with the snapshot step disabled: a subclass of
   `fit._recording_model_class()` whose `_keep_snapshot` does nothing, put in place (with a compiled
   model pool of its own) before any model of it is built, so its compiled step has no snapshot
   code. The two alternate seed by seed in the same process (shipped first on even seeds), so a
   busy minute hits both; the disabled run is checked to have written nothing and the shipped one to
   end on the trained weights. Wall time and the process's CPU time are both reported; the target
   (≤ 5% more) is on CPU time, which the other programs on this shared machine disturb much less
   (wall times of one variant have spread 3-7 s under load, CPU times 2.9-3.2 s), and on the median
   of the paired differences (a seed's two trainings ran back to back): with 3 seeds the ratio of
   the two medians still moves by ±5% from run to run (`--seeds 0 1 2 3 4` for more). The host's reads
   of the snapshot buffer are timed apart (both variants do them; the difference between the
   variants is the in-step part).
2. **Store entry size.** `python -m lstm_core train EXPERIMENT --store DIR` for every experiment's
   default (sine, rectangles and the concept experiments), then each entry's `.keras`, `.npz`
   (snapshots) and `.json` sizes and its snapshot count.
3. **Server CPU while a class plays the replay.** A real `streamlit run serve.py` on that store, N
   Chromium contexts (default 10) open `/sine` (its default model is stored, so the page opens on
   the results and the replay figure). Once all are idle, the server's CPU seconds (utime + stime of
   its process tree, /proc) are measured over a window (default 15 s) with the pages idle, then over
   the same window right after the replay's play button is clicked in every page; the pair is
   repeated (default twice), idle and playing alternating. Target: playing costs the server no more
   than idle (+0.05 CPU-s per s), because the browser animates the frames. Each page also samples the
   predicted trace (`plot.data[2].y`) while playing: it must take at least 10 distinct values (the
   figure really animates); the WebSocket frames the pages send are counted too. The students arrive
   15 s after the launch (`--pause`), as in `first_visit.py`: pages opened while the warm start is
   still importing (its `import pandas` in a background thread) have failed with "partially
   initialized module 'pandas' has no attribute 'Series'" in `lstm_core/figures/base.py`.

Reruns with replay on are measured by `app_reruns.py` (every lesson's rerun time), not here.

    .venv/bin/python benchmarks/replay.py                       # ~4.5-5 min on this shared machine
    .venv/bin/python benchmarks/replay.py --parts 3 --sessions 10 --window 15 --pairs 2
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import ROOT, child, emit, median, quiet_tensorflow, stop, table, verdict, wait_until_healthy

CHROMIUM = os.environ.get("LSTM_EXPLORER_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-quic", "--no-first-run", "--disable-sync"]
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
TOLERANCE = 0.05  # CPU-s per s the server may spend more while the pages play
MIN_DISTINCT = 10  # distinct predicted traces a playing page must show
EXPERIMENTS = ["sine", "rectangles", "window", "cells", "explode", "forecast"]
TICK = os.sysconf("SC_CLK_TCK")

# The replay figure of a page: the Plotly plot with a slider (the lesson's other charts have none).
FIND_PLOT = ("() => [...document.querySelectorAll('.js-plotly-plot')]"
             ".find(p => p.layout && p.layout.sliders && p.layout.sliders.length)")
SAMPLER = """() => {
  const plot = (%s)();
  window.__replaySamples = new Set();
  window.__replaySampler = setInterval(() => {
    try { window.__replaySamples.add(JSON.stringify(plot.data[2].y)); } catch (e) {}
  }, 100);
  return plot.data.length;
}""" % FIND_PLOT
CLICK = """(index) => {
  const plot = (%s)();
  const button = plot.querySelectorAll('.updatemenu-button')[index];
  button.dispatchEvent(new MouseEvent('click', {bubbles: true, cancelable: true, view: window}));
  return button.textContent;
}""" % FIND_PLOT
SAMPLES = """() => { clearInterval(window.__replaySampler); const n = window.__replaySamples.size;
  window.__replaySamples = new Set(); return n; }"""


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} / {five:.2f} / {fifteen:.2f} (1/5/15 min)"


# -- 1. what snapshots cost in training (the child) ----------------------------------------------------------
def cost_child(seeds: list[int], names: list[str]) -> None:
    imported = quiet_tensorflow()
    from collections import OrderedDict

    import numpy as np

    from lstm_core import experiments
    from lstm_core.engine import fit as engine
    from lstm_core.engine import snapshots as snapshot_module
    from lstm_core.engine import store as store_module

    shipped = engine._recording_model_class()

    class NoSnapshot(shipped):
        def _keep_snapshot(self):  # the snapshot step disabled: the compiled step writes nothing
            return None

    classes = {"shipped": shipped, "off": NoSnapshot}
    pools = {variant: OrderedDict() for variant in classes}  # each variant its own compiled models
    host = {"seconds": 0.0, "reads": 0}
    read = engine._Record.read_snapshots

    def timed_read(self, buffer, step, sink):
        began = time.perf_counter()
        before = len(self.snapshot_steps)
        read(self, buffer, step, sink)
        host["seconds"] += time.perf_counter() - began
        host["reads"] += len(self.snapshot_steps) > before

    engine._Record.read_snapshots = timed_read
    configs = {"sine": experiments.SineConfig, "rectangles": experiments.RectangleConfig}

    def train(variant: str, name: str, seed: int, phase: str) -> dict:
        engine._recording_class, engine._pool = classes[variant], pools[variant]
        config = configs[name](seed=seed)
        host.update(seconds=0.0, reads=0)
        began, cpu = time.perf_counter(), time.process_time()
        trained = engine.fit(experiments.of(config), config)
        seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
        rows = trained.snapshots.weights
        final = snapshot_module.flatten(trained.model.get_weights())
        if variant == "off":
            assert not np.any(rows[1:]), "the disabled snapshot step wrote weights"
        else:
            assert np.array_equal(rows[-1], final), "the last snapshot is not the trained model"
        result = {"variant": variant, "experiment": name, "seed": seed, "phase": phase, "seconds": seconds, "cpu": cpu,
                  "host_read_seconds": host["seconds"], "host_reads": host["reads"], "snapshots": len(rows),
                  "steps": int(trained.steps[-1]), "parameters": int(rows.shape[1]), "error": trained.error,
                  "compiled": trained.compiled, "import_seconds": imported, "load": os.getloadavg()[0]}
        if variant == "shipped" and phase == "warm":  # what storing them costs (the trainer's save, after fit)
            folder = Path(tempfile.mkdtemp(prefix="replay-npz-"))
            began = time.perf_counter()
            store_module._save_arrays(folder / "s.npz", trained.snapshots.to_arrays())
            result["npz_write_seconds"] = time.perf_counter() - began
            shutil.rmtree(folder, ignore_errors=True)
        return result

    # The process's one-time costs (first trace, first XLA compile) paid on a tiny model in a pool of its own,
    # so that neither variant's cold training carries them.
    engine._pool = OrderedDict()
    tiny = experiments.SineConfig(units=2, depth=1, train_size=100, epochs=1)
    engine.fit(experiments.of(tiny), tiny)
    for position, name in enumerate(names):
        for variant in (("shipped", "off") if position % 2 == 0 else ("off", "shipped")):
            emit(train(variant, name, 100, "cold"))  # the cold trainings: one compile per variant, another seed
        for index, seed in enumerate(seeds):
            for variant in (("shipped", "off") if index % 2 == 0 else ("off", "shipped")):
                emit(train(variant, name, seed, "warm"))


def training_cost(seeds: list[int], names: list[str]) -> list[str]:
    print("\n## 1. What snapshots cost in training (warm, alternating in one process)")
    print(f"{load()} at the start of part 1", flush=True)
    rows = []
    for result in child(__file__, "--child", "--seeds", *map(str, seeds), "--experiments", *names, timeout=900):
        rows.append(result)
        print(f"  {result['experiment']:10s} {result['phase']} {result['variant']:7s} seed {result['seed']}: "
              f"{result['seconds']:.2f} s, {result['cpu']:.2f} CPU-s "
              f"(host reads {result['host_read_seconds'] * 1000:.1f} ms), "
              f"load {result['load']:.2f}", flush=True)
    print(f"\n{load()} after part 1")
    lines = []
    summary = []
    for name in names:
        warm = [r for r in rows if r["experiment"] == name and r["phase"] == "warm"]
        cold = {r["variant"]: r["seconds"] for r in rows if r["experiment"] == name and r["phase"] == "cold"}
        shipped = [r for r in warm if r["variant"] == "shipped"]
        off = [r for r in warm if r["variant"] == "off"]
        paired = [s["seconds"] - o["seconds"] for s in shipped for o in off if s["seed"] == o["seed"]]
        on_s, off_s = median(r["seconds"] for r in shipped), median(r["seconds"] for r in off)
        on_cpu, off_cpu = median(r["cpu"] for r in shipped), median(r["cpu"] for r in off)
        paired_cpu = [s["cpu"] - o["cpu"] for s in shipped for o in off if s["seed"] == o["seed"]]
        host_ms = median(r["host_read_seconds"] for r in shipped) * 1000
        npz_ms = median(r.get("npz_write_seconds") for r in shipped) * 1000
        first = shipped[0]
        summary.append([name, f"{first['steps']:,} steps, {first['parameters']:,} weights", first["snapshots"],
                        f"{on_s:.2f}", f"{off_s:.2f}", f"{on_s / off_s:.3f}", f"{median(paired) * 1000:+.0f}",
                        f"{on_cpu:.2f}", f"{off_cpu:.2f}", f"{on_cpu / off_cpu:.3f}",
                        f"{median(paired_cpu) * 1000:+.0f}",
                        f"{host_ms:.1f}", f"{npz_ms:.1f}", f"{cold['shipped']:.1f} / {cold['off']:.1f}", len(shipped)])
        overhead = median(paired_cpu) / off_cpu  # paired: the two trainings of a seed ran back to back
        lines.append(f"target: {name} warm training with snapshots costs ≤ 5% more CPU than without (median paired "
                     f"difference): {overhead * 100:+.1f}% (medians' ratio {(on_cpu / off_cpu - 1) * 100:+.1f}%, "
                     f"wall time {(on_s / off_s - 1) * 100:+.1f}%) -> {verdict(overhead <= 0.05)}")
    print(table(["default model", "training", "snapshots", "warm s, shipped", "warm s, step disabled",
                 "wall ratio", "paired Δ ms", "warm CPU-s, shipped", "warm CPU-s, disabled", "CPU ratio",
                 "paired Δ CPU-ms", "host reads ms", ".npz write ms",
                 "cold s shipped / disabled (1 each)", "seeds"], summary))
    print("\n(medians over seeds; CPU-s: the process's CPU time during the training (all its threads), steadier "
          "than wall time on a shared machine, so the target uses it; paired Δ: median of shipped minus disabled of "
          "the same seed, trained back to back; host reads: the callback's reads of the snapshot buffer, done by both "
          "variants; .npz write: saving the snapshots as the store does, after the training and not in its time; "
          "cold: one training each, build + trace + XLA compile included, after a tiny model paid the process's "
          "one-time costs)")
    for line in lines:
        print(line)
    return lines


# -- 2. store entry sizes -----------------------------------------------------------------------------------
def store_sizes(store: Path, names: list[str]) -> None:
    import numpy as np

    print("\n## 2. Store entry per default model")
    print(f"{load()} at the start of part 2", flush=True)
    rows = []
    for name in names:
        began = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "lstm_core", "train", name, "--store", str(store)], cwd=ROOT,
                              capture_output=True, text=True, timeout=600,
                              env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
        if done.returncode != 0:
            raise RuntimeError(f"train {name} failed:\n{done.stderr[-2000:]}")
        result = json.loads(done.stdout.strip().splitlines()[-1])
        key = result["key"]
        sizes = {suffix: (store / f"{key}{suffix}").stat().st_size / 1000 for suffix in (".keras", ".npz", ".json")}
        with np.load(store / f"{key}.npz") as arrays:
            count, parameters = arrays["weights"].shape
        total = sum(sizes.values())
        rows.append([name, key, f"{parameters:,}", count, f"{sizes['.keras']:.1f}", f"{sizes['.npz']:.1f}",
                     f"{sizes['.json']:.1f}", f"{total:.1f}", f"{sizes['.npz'] / total * 100:.0f}%",
                     f"{result['seconds']:.1f}", f"{time.perf_counter() - began:.1f}"])
        print(f"  {name}: {result['source']} in {result['seconds']:.1f} s ({load()})", flush=True)
    print()
    print(table(["experiment (default)", "key", "weights", "snapshots", ".keras kB", ".npz kB", ".json kB",
                 "entry kB", ".npz share", "training s", "command s"], rows))
    print(f"\n(kB = 1,000 bytes; .npz holds snapshots × weights float32 rows, uncompressed; {load()})")


# -- 3. server CPU while the class plays the replay --------------------------------------------------------------
def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _stat(pid: int):
    """(ppid, utime + stime, cutime + cstime) of a process in clock ticks, or None if it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()
    return int(fields[1]), int(fields[11]) + int(fields[12]), int(fields[13]) + int(fields[14])


def tree_cpu(root: int, exclude: int | None = None) -> float:
    """CPU seconds of `root` and every living descendant (and the children they waited for), minus `exclude`'s tree."""
    stats = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            found = _stat(int(entry))
            if found is not None:
                stats[int(entry)] = found
    children = {}
    for pid, (ppid, _, _) in stats.items():
        children.setdefault(ppid, []).append(pid)
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        if pid == exclude or pid not in stats:
            continue
        total += stats[pid][1] + stats[pid][2]
        todo.extend(children.get(pid, []))
    return total / TICK


def start_server(store: Path, log: Path):
    port = free_port()
    env = {**os.environ, "LSTM_EXPLORER_STORE": str(store), "TF_CPP_MIN_LOG_LEVEL": "3"}
    with open(log, "w") as output:
        process = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "serve.py", "--server.port", str(port),
                                    "--server.address", "127.0.0.1", "--server.headless", "true",
                                    "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"],
                                   cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    wait_until_healthy(process, port, log, 120)
    return process, f"http://127.0.0.1:{port}"


def server_cpu(store: Path, sessions: int, window: float, pairs: int, pause: float, folder: Path) -> list[str]:
    from playwright.sync_api import sync_playwright

    print(f"\n## 3. Server CPU while {sessions} browser sessions play the sine replay at once")
    print(f"{load()} at the start of part 3", flush=True)
    launched = time.perf_counter()
    server, address = start_server(store, folder / "server.log")
    # The class arrives a little after the server starts (as in first_visit.py): the warm start's imports are done.
    time.sleep(max(0.0, pause - (time.perf_counter() - launched)))
    rows, lines = [], []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            sent = {"count": 0}

            def watch(socket):
                socket.on("framesent", lambda _payload: sent.__setitem__("count", sent["count"] + 1))

            pages = []
            began = time.perf_counter()
            for _ in range(sessions):
                context = browser.new_context(viewport={"width": 1400, "height": 1000})
                page = context.new_page()
                page.set_default_timeout(180_000)
                page.on("websocket", watch)
                page.goto(f"{address}/sine")
                pages.append(page)
            for index, page in enumerate(pages):
                try:
                    page.wait_for_function(f"() => !!({FIND_PLOT})()", polling=250, timeout=180_000)
                    page.wait_for_selector(IDLE)
                except Exception:
                    page.screenshot(path=str(folder / f"page{index}.png"), full_page=True)
                    raise
            print(f"  {sessions} pages open on /sine with the replay figure in {time.perf_counter() - began:.1f} s "
                  f"({pause:g} s after the server's launch)", flush=True)
            errors = [page.get_by_test_id("stException").count() for page in pages]
            assert not any(errors), f"pages showing an exception: {errors}"

            traces = [page.evaluate(f"() => ({FIND_PLOT})().data.length") for page in pages]
            labels = pages[0].evaluate(f"() => [...({FIND_PLOT})().querySelectorAll('.updatemenu-button')]"
                                       ".map(b => b.textContent)")
            frames = pages[0].evaluate(f"() => ({FIND_PLOT})()._transitionData._frames.length")
            print(f"  replay figure: {traces[0]} traces, {frames} frames, buttons {labels}")
            pages[0].wait_for_timeout(3000)  # let the last page's rerun and the warm start settle
            me = os.getpid()
            for round_index in range(pairs):
                for state in ("idle", "playing"):
                    for page in pages:
                        page.evaluate(SAMPLER)
                    if state == "playing":
                        clicked = [page.evaluate(CLICK, 0) for page in pages]
                        assert all("Play" in text or "▶" in text for text in clicked), clicked
                    sent["count"] = 0
                    server_before, clients_before = tree_cpu(server.pid), tree_cpu(me, exclude=server.pid)
                    wall_before = time.perf_counter()
                    pages[0].wait_for_timeout(window * 1000)  # Playwright's wait: its events are handled meanwhile
                    wall = time.perf_counter() - wall_before
                    server_seconds = tree_cpu(server.pid) - server_before
                    client_seconds = tree_cpu(me, exclude=server.pid) - clients_before
                    frames_sent = sent["count"]
                    distinct = [page.evaluate(SAMPLES) for page in pages]
                    if state == "playing":  # stop any animation still running before the next idle window
                        for page in pages:
                            page.evaluate(CLICK, 1)
                        pages[0].wait_for_timeout(1000)
                    rows.append({"round": round_index + 1, "state": state, "server": server_seconds / wall,
                                 "server_seconds": server_seconds, "clients": client_seconds / wall, "wall": wall,
                                 "frames_sent": frames_sent, "distinct": distinct, "load": os.getloadavg()[0]})
                    print(f"  round {round_index + 1} {state:7s}: server {server_seconds:.2f} CPU-s over {wall:.1f} s "
                          f"({server_seconds / wall:.3f} CPU-s/s), browsers {client_seconds / wall:.2f} CPU-s/s, "
                          f"{frames_sent} WebSocket frames sent, distinct predicted traces per page "
                          f"min {min(distinct)} max {max(distinct)}; {load()}", flush=True)
            browser.close()
    finally:
        stop(server)
    print()
    print(table(["round", "pages", "server CPU-s", "window s", "server CPU-s per s", "browsers CPU-s per s",
                 "WebSocket frames sent", "distinct traces per page (min-max)", "load 1 min"],
                [[r["round"], r["state"], f"{r['server_seconds']:.2f}", f"{r['wall']:.1f}", f"{r['server']:.3f}",
                  f"{r['clients']:.2f}", r["frames_sent"], f"{min(r['distinct'])}-{max(r['distinct'])}",
                  f"{r['load']:.2f}"] for r in rows]))
    idle = median(r["server"] for r in rows if r["state"] == "idle")
    playing = median(r["server"] for r in rows if r["state"] == "playing")
    idle_clients = median(r["clients"] for r in rows if r["state"] == "idle")
    playing_clients = median(r["clients"] for r in rows if r["state"] == "playing")
    animated = min(min(r["distinct"]) for r in rows if r["state"] == "playing")
    print(f"\nmedian server CPU: idle {idle:.3f} CPU-s/s, playing {playing:.3f} CPU-s/s "
          f"(difference {playing - idle:+.3f}); browsers (Chromium + Playwright): idle {idle_clients:.2f}, "
          f"playing {playing_clients:.2f} CPU-s/s ({playing_clients / max(idle_clients, 1e-9):.1f}x); {load()}")
    lines.append(f"target: server CPU while {sessions} pages play ≤ idle + {TOLERANCE} CPU-s/s: {playing:.3f} vs "
                 f"{idle:.3f} + {TOLERANCE} -> {verdict(playing <= idle + TOLERANCE)}")
    lines.append(f"target: every playing page shows ≥ {MIN_DISTINCT} distinct predicted traces: min {animated} -> "
                 f"{verdict(animated >= MIN_DISTINCT)}")
    for line in lines:
        print(line)
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("--parts", type=int, nargs="+", default=[1, 2, 3], choices=[1, 2, 3])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--experiments", nargs="+", default=None,
                        help="part 1: sine rectangles (default both); part 2: every experiment's default")
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--window", type=float, default=15.0, help="seconds of each idle or playing measurement")
    parser.add_argument("--pairs", type=int, default=2, help="idle/playing pairs")
    parser.add_argument("--pause", type=float, default=15.0,
                        help="seconds from the server's launch to the students' visits (see the docstring)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        cost_child(args.seeds, args.experiments)
        return 0

    began = time.perf_counter()
    print("# Replay: snapshot cost in training, store size, server CPU while a class plays it")
    print(f"machine: {os.cpu_count()} cores, {load()} at the start (shared: compare ratios, not absolute times)",
          flush=True)
    folder = Path(tempfile.mkdtemp(prefix="lstm-explorer-replay-"))
    store = folder / "store"
    targets = []
    try:
        if 1 in args.parts:
            targets += training_cost(args.seeds, args.experiments or ["sine", "rectangles"])
        if 2 in args.parts or 3 in args.parts:
            store_sizes(store, (args.experiments or EXPERIMENTS) if 2 in args.parts else ["sine"])
        if 3 in args.parts:
            targets += server_cpu(store, args.sessions, args.window, args.pairs, args.pause, folder)
    except BaseException:
        print(f"(failed: the server log and any screenshots are kept in {folder})")
        raise
    else:
        shutil.rmtree(folder, ignore_errors=True)
    print("\n## Summary")
    for line in targets:
        print(line)
    print(f"(benchmark ran {time.perf_counter() - began:.0f} s; {load()} at the end)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
