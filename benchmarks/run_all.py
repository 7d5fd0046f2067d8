"""
Run every benchmark, one after the other, and sum up their targets.

Each benchmark prints its own tables; this script streams them, then lists
every `target:` line and the total time (the budget is 10 minutes).

    .venv/bin/python benchmarks/run_all.py | tee benchmarks/last_run.md
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = ["sine_time_to_quality.py", "rectangles_time_to_quality.py", "app_reruns.py", "efficiency.py", "prewarm.py",
           "load_protocol.py"]  # 10 protocol students on one server, ~40 s
BUDGET_SECONDS = 600


def main() -> int:
    began = time.perf_counter()
    targets, failed = [], []
    for script in SCRIPTS:
        started = time.perf_counter()
        print(f"\n<!-- {script} -->", flush=True)
        process = subprocess.Popen([sys.executable, str(HERE / script)], cwd=HERE.parent, stdout=subprocess.PIPE,
                                   stderr=subprocess.DEVNULL, text=True)
        for line in process.stdout:
            print(line, end="", flush=True)
            if line.startswith("target:") or line.startswith("ratio:"):
                targets.append(f"{script}: {line.strip()}")
        if process.wait() != 0:
            failed.append(script)
        print(f"<!-- {script}: {time.perf_counter() - started:.0f} s -->", flush=True)
    total = time.perf_counter() - began
    print("\n# Summary")
    for line in targets:
        print(f"- {line}")
    for script in failed:
        print(f"- {script}: FAILED (run it alone to see why)")
    print(f"- all benchmarks: {total:.0f} s (budget {BUDGET_SECONDS} s) -> "
          f"{'met' if total <= BUDGET_SECONDS else 'NOT met'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
