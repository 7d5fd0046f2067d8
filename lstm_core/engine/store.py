"""
The model store: trained models kept on local disk, so a restart of the
server, or a second program, does not train them again.

An entry is three files named by the configuration's `key()`:

    <key>.keras   the Keras model (a standard file: `keras.saving.load_model` opens it)
    <key>.npz     its weights at moments of training, for replay (`engine/snapshots.py`; numpy arrays)
    <key>.json    the configuration, metrics, loss records, the numbers its page draws, training time

Each is written to a temporary file first and renamed into place, the model
and its snapshots before the JSON, so the JSON marks a finished entry: a server stopped
mid-write leaves at most a stray temporary file, never a half entry that is
read as a model. Models are loaded with `safe_mode=True`. An entry that
cannot be read (truncated, garbage, from another Keras) is reported, removed
and treated as missing, so its configuration is trained again.

The folder is `$LSTM_EXPLORER_STORE` if set, else `lstm-explorer/models` under
the user's cache folder (`$XDG_CACHE_HOME`, by default `~/.cache`).

The store grows by one entry per configuration trained (`benchmarks/prewarm.py` prints the size). A
teacher sees its size with `entries()` and `size_bytes()` and trims it with
`prune(keep=N)`, `prune(older_than_days=D)` or `prune(clear=True)` (the
`python -m lstm_core store` command). Pruning also sweeps temporary files
and half entries left by a killed write, once they are old enough not to
belong to a write under way.
"""

from __future__ import annotations

import json
import logging
import os
import re
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .backend import keras as _keras
from .snapshots import Snapshots

log = logging.getLogger(__name__)

FORMAT_VERSION = 3  # 2: one engine for every experiment (records, results, one seed scheme); 3: snapshots
SUFFIXES = (".keras", ".npz", ".json")
STRAY_AGE_SECONDS = 600  # a temporary file or half entry this old is not a write under way
# What a configuration's key() looks like; pruning touches no other file, whatever folder it is given.
KEY_PATTERN = re.compile(r"[a-z]+-[a-z0-9-]+-[0-9a-f]{10}")


@dataclass(frozen=True)
class Entry:
    """One finished store entry: its key, its size on disk (both files) and when it was written."""

    key: str
    size_bytes: int
    saved_at: float


def default_root() -> Path:
    override = os.environ.get("LSTM_EXPLORER_STORE")
    if override:
        return Path(override).expanduser()
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(cache) / "lstm-explorer" / "models"


class ModelStore:
    """Trained models on disk, keyed by configuration; safe to share between threads."""

    def __init__(self, root: str | os.PathLike | None = None):
        self.root = Path(root) if root is not None else default_root()
        self.writable = True
        self.problem = ""  # the last reason the store could not be written, for the UI to show once
        self._lock = threading.Lock()

    # -- paths ------------------------------------------------------------------------
    def model_path(self, key: str) -> Path:
        return self.root / f"{key}.keras"

    def meta_path(self, key: str) -> Path:
        return self.root / f"{key}.json"

    def snapshots_path(self, key: str) -> Path:
        return self.root / f"{key}.npz"

    def paths(self, key: str) -> list[Path]:
        return [self.root / f"{key}{suffix}" for suffix in SUFFIXES]

    def has(self, key: str) -> bool:
        return self.meta_path(key).is_file() and self.model_path(key).is_file()

    def keys(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(p.stem for p in self.root.glob("*.json")
                      if not p.name.startswith(".") and self.model_path(p.stem).is_file())  # "." = temporary

    def size_bytes(self) -> int:
        if not self.root.is_dir():
            return 0
        return sum(p.stat().st_size for p in self.root.iterdir() if p.is_file())

    def entries(self) -> list[Entry]:
        """Every finished entry, newest first (its size counts all its files)."""
        found = []
        for key in self.keys():
            if not KEY_PATTERN.fullmatch(key):
                continue
            try:
                stats = [path.stat() for path in self.paths(key) if path.exists()]
            except OSError:
                continue  # removed meanwhile
            found.append(Entry(key, sum(stat.st_size for stat in stats), self.meta_path(key).stat().st_mtime
                               if self.meta_path(key).exists() else 0.0))
        return sorted(found, key=lambda entry: (-entry.saved_at, entry.key))

    def strays(self, *, now: float | None = None) -> list[Path]:
        """Temporary files and half entries (a model or snapshots without the JSON, or the reverse) older than
        `STRAY_AGE_SECONDS`: what a killed write leaves behind."""
        if not self.root.is_dir():
            return []
        now = time.time() if now is None else now
        finished = set(self.keys())
        found = []
        for path in self.root.iterdir():
            if not path.is_file() or path.suffix not in SUFFIXES:
                continue
            if not path.name.startswith(".") and path.stem in finished:
                continue
            stem = path.stem[1:].rsplit(".", 1)[0] if path.name.startswith(".") else path.stem
            if not KEY_PATTERN.fullmatch(stem):
                continue  # not a file the store wrote
            try:
                if now - path.stat().st_mtime >= STRAY_AGE_SECONDS:
                    found.append(path)
            except OSError:
                continue
        return sorted(found)

    # -- pruning ----------------------------------------------------------------------
    def prune(self, *, keep: int | None = None, older_than_days: float | None = None, clear: bool = False,
              now: float | None = None) -> list[str]:
        """Remove entries: all of them (`clear`), all but the newest `keep`, and/or those written more
        than `older_than_days` ago; stray files go too. Returns the keys removed."""
        if keep is not None and keep < 0:
            raise ValueError(f"keep must be 0 or more (got {keep})")
        if older_than_days is not None and not older_than_days >= 0:
            raise ValueError(f"older_than_days must be 0 or more (got {older_than_days})")
        now = time.time() if now is None else now
        entries = self.entries()
        doomed = set()
        if clear:
            doomed.update(entry.key for entry in entries)
        if keep is not None:
            doomed.update(entry.key for entry in entries[keep:])
        if older_than_days is not None:
            doomed.update(entry.key for entry in entries if now - entry.saved_at > older_than_days * 86_400)
        with self._lock:
            for key in doomed:
                self.remove(key)
            for path in self.strays(now=now):
                try:
                    path.unlink(missing_ok=True)
                except OSError:
                    pass
        return sorted(doomed)

    # -- reading ----------------------------------------------------------------------
    def read_meta(self, key: str) -> dict | None:
        try:
            meta = json.loads(self.meta_path(key).read_text())
        except (OSError, ValueError):
            return None
        return meta if isinstance(meta, dict) else None

    def load(self, key: str):
        """`(model, meta, snapshots)` for a finished, readable entry; None if missing or unreadable."""
        if not self.has(key):
            return None
        try:
            meta = self.read_meta(key)
            if meta is None or meta.get("key") != key or meta.get("format") != FORMAT_VERSION:
                raise ValueError("metadata is missing, unreadable or of another version")
            if not (isinstance(meta.get("config"), dict) and isinstance(meta.get("metrics"), dict)
                    and isinstance(meta.get("history"), list) and isinstance(meta.get("fit"), dict)
                    and isinstance(meta.get("seconds"), (int, float))):
                raise ValueError("metadata lacks its configuration, metrics, history, record or training time")
            with np.load(self.snapshots_path(key), allow_pickle=False) as arrays:
                snapshots = Snapshots.from_arrays(arrays)
            model = _keras().saving.load_model(self.model_path(key), compile=False, safe_mode=True)
        except Exception as error:  # noqa: BLE001 - any unreadable entry is retrained, never a crash
            log.warning("model store: entry %s is unreadable (%s); it will be trained again", key, error)
            self.remove(key)
            return None
        return model, meta, snapshots

    # -- writing ----------------------------------------------------------------------
    def save(self, key: str, model, meta: dict, snapshots: Snapshots) -> bool:
        """Write an entry atomically. Returns False (and sets `problem`) if the folder cannot be written."""
        meta = {"format": FORMAT_VERSION, "key": key, **meta}
        try:
            with self._lock:
                self.root.mkdir(parents=True, exist_ok=True)
                write_atomic(self.model_path(key), lambda path: model.save(path))
                write_atomic(self.snapshots_path(key), lambda path: _save_arrays(path, snapshots.to_arrays()))
                text = json.dumps(meta, indent=1, sort_keys=True)
                write_atomic(self.meta_path(key), lambda path: Path(path).write_text(text))
        except OSError as error:
            self.writable = False
            self.problem = f"the model store {self.root} cannot be written ({error.strerror or error}); " \
                           "trained models are kept in memory only"
            log.warning("model store: %s", self.problem)
            return False
        return True

    def remove(self, key: str) -> None:
        for path in (self.meta_path(key), *self.paths(key)):
            try:
                path.unlink(missing_ok=True)
            except OSError:
                pass


def write_atomic(target: Path, write) -> None:
    """Write `target` whole or not at all: `write(path)` fills a temporary file ("." first, so no reader takes it
    for an entry) in the same folder, which is then renamed over `target`."""
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.stem}.", suffix=target.suffix)
    os.close(handle)
    try:
        write(temporary)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _save_arrays(path, arrays: dict) -> None:
    with open(path, "wb") as handle:  # a file object: np.savez would add ".npz" to a temporary name
        np.savez(handle, **arrays)
