"""
Shared pieces of the benchmarks: the project on `sys.path`, a quiet
TensorFlow, fresh child processes for cold measurements, and tables.

Every benchmark measures the book's recipe and the app's side by side in
one run, because this machine is shared and its speed changes by ±15% and
more from minute to minute: only ratios measured together mean something.
A *cold* figure comes from a fresh Python process (TensorFlow imported
first, then the model built, compiled and trained); a *warm* figure is a
second training of the same architecture in that same process, as a
server does after its first training.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

RESULT_PREFIX = "BENCHMARK-RESULT "


def quiet_tensorflow() -> float:
    """Import Keras through the project's backend (its thread settings); return the seconds it took."""
    began = time.perf_counter()
    from lstm_core.engine.backend import keras

    keras()
    import logging

    logging.getLogger("tensorflow").setLevel(logging.ERROR)  # retracing warnings of new models are expected
    return time.perf_counter() - began


def emit(result: dict) -> None:
    """Hand a child's result to its parent (one line on stdout)."""
    print(RESULT_PREFIX + json.dumps(result), flush=True)


def child(script: str, *args: str, timeout: float = 600) -> list[dict]:
    """Run `python script args...` in a fresh process and return the results it emitted."""
    command = [sys.executable, str(script), *args]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stderr[-3000:]}")
    return [json.loads(line[len(RESULT_PREFIX):]) for line in done.stdout.splitlines()
            if line.startswith(RESULT_PREFIX)]


def whole_process(command: list, *, what: str, env: dict | None = None, timeout: float = 900) -> dict:
    """Run `command` (from the project folder) as a whole process that prints a JSON summary line last, as
    `python -m lstm_core train` does: `{"wall", "cpu" (the child's user + system), "load", "summary"}`."""
    import resource

    load = os.getloadavg()[0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", **(env or {})})
    wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"{what} exited {done.returncode}:\n{done.stderr[-3000:]}")
    return {"wall": wall, "cpu": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
            "load": load, "summary": json.loads(lines[-1])}


def median(values) -> float:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else float("nan")


def table(headers: list[str], rows: list[list]) -> str:
    """A Markdown table (it pastes into the README as it is)."""
    def cell(value):
        if isinstance(value, float):
            return f"{value:.4f}" if abs(value) < 0.1 else f"{value:,.2f}"
        if isinstance(value, int):
            return f"{value:,}"
        return str(value)

    text = [[cell(v) for v in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in text)) if text else len(h) for i, h in enumerate(headers)]
    lines = ["| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths)) + " |",
             "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    lines += ["| " + " | ".join(c.ljust(w) for c, w in zip(row, widths)) + " |" for row in text]
    return "\n".join(lines)


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def machine_line() -> str:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"machine: {os.cpu_count()} cores, load average {load:.1f} at the start "
            f"(other programs share the cores: compare ratios, not absolute times)")


def wait_until_healthy(process, port: int, log, seconds: float = 120) -> None:
    """Wait for a started server to answer `/_stcore/health`; kill it and exit if it does not in time."""
    import urllib.request

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2).read() == b"ok":
                return
        except OSError:
            time.sleep(0.2)
        if process.poll() is not None:
            break
    process.kill()
    raise SystemExit(f"the server did not start; see {log}")


def stop(process) -> None:
    """Terminate a server, and kill it if it does not stop within 30 s."""
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
