"""
The one door to Keras and TensorFlow.

`import tensorflow` costs 3-5 seconds, so nothing in LSTM Explorer imports it
at module level: code that builds, trains or runs a model calls `keras()` here
the first time it needs it. The first call also sets TensorFlow's thread pools
(one intra-op and one inter-op thread by default, measured fastest for these
small LSTMs on a 2-core machine; `LSTM_EXPLORER_THREADS` changes it) and quiets
TensorFlow's start-up log lines.

It also points TensorFlow's persistent XLA compilation cache at a folder, so a
compiled training step outlives its process: the next process (a restarted
server, a replica, the command line, prewarm) loads it instead of compiling
again. `benchmarks/sine_cold_variants.py` measures what that saves. The folder
is `$LSTM_EXPLORER_XLA_CACHE` if set ("off" turns the cache off), else
`lstm-explorer/xla` in the user's cache folder; it keeps the newest
`XLA_CACHE_FILES` programs (about 1 MB each, one per architecture trained).
TensorFlow writes each program to a temporary file and renames it into place,
so processes on one machine can share the folder.
"""

from __future__ import annotations

import gc
import os
import threading
from pathlib import Path

_lock = threading.Lock()
_keras = None
XLA_CACHE_FILES = 128
XLA_CACHE_FLAG = "--tf_xla_persistent_cache_directory"


def threads() -> int:
    try:
        return max(0, int(os.environ.get("LSTM_EXPLORER_THREADS", "1")))
    except ValueError:
        return 1


def xla_cache_dir() -> Path | None:
    """The persistent XLA compilation cache's folder, or None when `LSTM_EXPLORER_XLA_CACHE` is "off"."""
    chosen = os.environ.get("LSTM_EXPLORER_XLA_CACHE")
    if chosen is not None:
        return None if chosen.strip().lower() in ("", "off") else Path(chosen).expanduser()
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(cache) / "lstm-explorer" / "xla"


def trim_xla_cache(folder: Path, keep: int = XLA_CACHE_FILES) -> list[Path]:
    """Remove all but the `keep` newest programs of the cache; returns the files removed."""
    programs = []
    for path in folder.glob("xla_compile_cache_*"):
        try:
            programs.append((path.stat().st_mtime, path))
        except OSError:
            continue  # removed meanwhile by another process
    doomed = [path for _, path in sorted(programs, reverse=True)[keep:]]
    for path in doomed:
        path.unlink(missing_ok=True)
    return doomed


def _use_xla_cache() -> None:
    """Point TensorFlow at the cache (before it is imported: it reads the flag once)."""
    flags = os.environ.get("TF_XLA_FLAGS", "")
    folder = xla_cache_dir()
    if folder is None or XLA_CACHE_FLAG in flags:
        return  # off, or chosen by whoever runs us
    try:
        folder.mkdir(parents=True, exist_ok=True)
        trim_xla_cache(folder)
    except OSError:
        return  # a read-only home folder: compile in every process, as without the cache
    os.environ["TF_XLA_FLAGS"] = f"{flags} {XLA_CACHE_FLAG}={folder}".strip()


def keras():
    """Import Keras (TensorFlow backend) once, configured for this machine."""
    global _keras
    if _keras is not None:
        return _keras
    with _lock:
        if _keras is None:
            os.environ.setdefault("KERAS_BACKEND", "tensorflow")
            os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
            _use_xla_cache()
            import tensorflow as tf

            count = threads()
            try:
                tf.config.threading.set_intra_op_parallelism_threads(count)
                tf.config.threading.set_inter_op_parallelism_threads(count)
            except RuntimeError:
                pass  # TensorFlow was already initialised by someone else: keep its pools.
            import keras as keras_module

            # Streamlit collects garbage after every rerun (twice once Keras is loaded), and a full
            # collection walks every object: TensorFlow's ~400,000 took 0.2-0.4 s a rerun. Freeze them
            # (moved out of the collector's sight; objects made later are collected as usual).
            gc.freeze()
            _keras = keras_module
    return _keras


def is_loaded() -> bool:
    """True once Keras has been imported through `keras()`."""
    return _keras is not None
