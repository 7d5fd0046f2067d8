"""
Keep TensorFlow's native start-up lines off a teacher's terminal.

On a machine without a GPU, TensorFlow's C++ runtime prints oneDNN notices,
"Could not find cuda drivers" and "failed call to cuInit: ... CUDA error"
when it first runs, through absl's logging, which neither
`TF_CPP_MIN_LOG_LEVEL` nor Python's logging silences. They read like
failures. `filter_native_stderr()` routes file descriptor 2 through a thread
that drops exactly those lines (informational and warning lines of the
native runtime, and its CUDA errors) and passes everything else through, so a
real error or a Python warning still shows.
"""

from __future__ import annotations

import atexit
import os
import re
import sys
import threading

NOISE = re.compile(
    r"^(WARNING: All log messages before absl::InitializeLog\(\)"
    r"|[IW]\d{4} [\d:.]+ +\d+ [\w./-]+:\d+\]"
    r"|E\d{4} [\d:.]+ +\d+ [\w./-]+:\d+\] .*(cuInit|CUDA|cuda)"
    r"|To enable the following instructions:)")


def is_noise(line: str) -> bool:
    return bool(NOISE.match(line))


def filter_native_stderr():
    """Filter fd 2 from now on; returns a text stream on the real stderr (for a progress bar), or
    `sys.stderr` unchanged where there is no file descriptor to filter."""
    try:
        sys.stderr.flush()
        original = os.dup(2)
    except (OSError, ValueError):
        return sys.stderr
    real = os.fdopen(original, "w", buffering=1, encoding="utf-8", errors="replace")
    reading, writing = os.pipe()
    os.dup2(writing, 2)
    os.close(writing)

    def pump() -> None:
        with os.fdopen(reading, "rb") as pipe:
            for raw in pipe:
                line = raw.decode("utf-8", errors="replace")
                if not is_noise(line):
                    real.write(line)
                    real.flush()

    thread = threading.Thread(target=pump, name="stderr-filter", daemon=True)
    thread.start()

    def finish() -> None:  # close the pipe's last writer so the pump drains it and stops
        try:
            sys.stderr.flush()
        except ValueError:
            pass
        os.dup2(original, 2)
        thread.join(timeout=2)

    atexit.register(finish)
    return real
