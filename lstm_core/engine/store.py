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

Several servers can share one store (replicas behind a load balancer, or
the command line beside a server): a process about to train a configuration
takes its lock, `<key>.lock`, a file created with `O_CREAT | O_EXCL` holding
its owner (host, pid, time, a random token), and a heartbeat thread touches
its mtime every `stale / 6` seconds while the process trains and stores the
model; it is removed after the entry is saved (or the training failed). A
process that finds the lock taken waits for the entry to appear, or for the
lock to go unrefreshed for `LSTM_EXPLORER_LOCK_STALE_SECONDS` (default 30):
its holder died, so it is taken over: under the lock's take-over guard
(another file created with `O_EXCL`: one process at a time), the lock is
read again and removed only if it is still the stale lock judged, and a new
one is created with `O_EXCL` (only one create succeeds). A lock file is
never an entry, pruning sweeps only the
locks nobody has refreshed for `STRAY_AGE_SECONDS` (and never less than the
stale timeout), and `remove` or `prune(clear=True)` leave a live lock alone.

What a shared folder (an NFS volume) needs: rename atomic within the folder
(entries), `O_EXCL` create honoured by the server (NFS
v3 and later), mtimes set by `utime` (the heartbeat), and clocks in step
(NTP) to well within the stale timeout, since a lock's age is this host's
time minus an mtime another host set. A lock's mtime is read from an open
file (`fstat`), which NFS revalidates on open (close-to-open consistency).
New entries appear to other hosts when their NFS
client revalidates the folder: mount with `lookupcache=positive` or a short
`actimeo` so a waiting server sees an entry within a second or two; a late
look costs a second training of the same configuration, never a wrong model.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import socket
import tempfile
import threading
import time
import uuid
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
LOCK_SUFFIX = ".lock"
STALE_SECONDS = 30.0  # a lock nobody has refreshed for this long belongs to a dead process
STALE_RANGE = (0.5, 86_400.0)  # LSTM_EXPLORER_LOCK_STALE_SECONDS' allowed values
HEARTBEATS_PER_STALE = 6  # a holder refreshes its lock this many times per stale timeout


def lock_stale_seconds() -> float:
    """`LSTM_EXPLORER_LOCK_STALE_SECONDS`, or `STALE_SECONDS` if it is unset or outside `STALE_RANGE` (logged)."""
    raw = os.environ.get("LSTM_EXPLORER_LOCK_STALE_SECONDS", "").strip()
    if not raw:
        return STALE_SECONDS
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    low, high = STALE_RANGE
    if not (math.isfinite(value) and low <= value <= high):
        log.warning("LSTM_EXPLORER_LOCK_STALE_SECONDS must be a number of seconds from %g to %g (got %r); using %g",
                    low, high, raw, STALE_SECONDS)
        return STALE_SECONDS
    return value


@dataclass(frozen=True)
class Entry:
    """One finished store entry: its key, its size on disk (both files) and when it was written."""

    key: str
    size_bytes: int
    saved_at: float


@dataclass(frozen=True)
class Holder:
    """Who holds a store lock, as its file says, and `age`: seconds since its last heartbeat (mtime)."""

    host: str
    pid: int
    created: float
    token: str
    age: float


class StoreLock:
    """A held store lock: a heartbeat thread refreshes its file's mtime until `release()`.

    If the file is found holding another token (this process stalled past the stale timeout and another took
    the lock over), the heartbeat stops and `lost` is set; a missing file is looked for again at the next beat.
    """

    def __init__(self, path: Path, token: str, interval: float):
        self.path, self.token, self.interval = path, token, interval
        self.lost = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"store-lock-{path.stem}", daemon=True)
        self._thread.start()

    def _beat(self) -> None:
        while not self._stop.wait(self.interval):
            found = _read_lock(self.path)
            if found is None:
                continue
            owner = found[0]
            if owner.get("token") != self.token:
                self.lost = True
                log.warning("model store: the lock %s was taken over by %s (pid %s); this process was stalled "
                            "longer than the stale timeout", self.path.name, owner.get("host"), owner.get("pid"))
                return
            try:
                os.utime(self.path)  # no times given: on NFS the server's clock sets it
            except OSError:
                continue

    def release(self) -> None:
        """Stop the heartbeat and remove the lock file if it is still this lock's."""
        self._stop.set()
        if self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
        if not self.lost:
            _take_away(self.path, self.token, stale=None)


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
        self.stale_seconds = lock_stale_seconds()  # read once: every lock of this store ages the same way
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

    def lock_path(self, key: str) -> Path:
        return self.root / f"{key}{LOCK_SUFFIX}"

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
        `STRAY_AGE_SECONDS`: what a killed write leaves behind; and locks unrefreshed that long (a dead holder)."""
        if not self.root.is_dir():
            return []
        now = time.time() if now is None else now
        finished = set(self.keys())
        found = []
        for path in self.root.iterdir():
            if not path.is_file() or path.suffix not in (*SUFFIXES, LOCK_SUFFIX):
                continue
            if not path.name.startswith(".") and path.stem in finished and path.suffix != LOCK_SUFFIX:
                continue
            stem = path.stem[1:].rsplit(".", 1)[0] if path.name.startswith(".") else path.stem
            if not KEY_PATTERN.fullmatch(stem):
                continue  # not a file the store wrote
            # A live lock is refreshed every few seconds: only a dead process's lock gets this old.
            age = max(STRAY_AGE_SECONDS, self.stale_seconds) if path.suffix == LOCK_SUFFIX else STRAY_AGE_SECONDS
            try:
                if now - path.stat().st_mtime >= age:
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

    # -- the lock between processes (see the module's docstring) --------------------------------------------
    def holder(self, key: str, *, now: float | None = None) -> Holder | None:
        """Who holds the lock of `key`, or None if nobody does."""
        found = _read_lock(self.lock_path(key))
        if found is None:
            return None
        owner, mtime = found
        try:
            pid, created = int(owner.get("pid", 0)), float(owner.get("created", mtime))
        except (TypeError, ValueError):
            pid, created = 0, mtime
        return Holder(host=str(owner.get("host", "?")), pid=pid, created=created, token=str(owner.get("token", "")),
                      age=(time.time() if now is None else now) - mtime)

    def try_lock(self, key: str) -> StoreLock | None:
        """Take the lock of `key` (taking over a stale one) and start its heartbeat; None if a live process holds
        it. Raises OSError if the folder cannot be written."""
        path = self.lock_path(key)
        self.root.mkdir(parents=True, exist_ok=True)
        for _ in range(5):  # each pass either takes it, finds it live, or saw it change under its feet
            token = uuid.uuid4().hex
            try:
                handle = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                holder = self.holder(key)
                if holder is None:
                    continue  # released meanwhile
                if holder.age < self.stale_seconds:
                    return None
                if _take_away(path, holder.token, stale=self.stale_seconds):
                    log.warning("model store: took over the lock of %s from %s (pid %d), silent for %.0f s", key,
                                holder.host, holder.pid, holder.age)
                continue
            try:
                owner = {"host": socket.gethostname(), "pid": os.getpid(), "created": time.time(), "token": token,
                         "key": key}
                os.write(handle, json.dumps(owner).encode())
            except OSError:
                os.close(handle)
                path.unlink(missing_ok=True)
                raise
            os.close(handle)
            return StoreLock(path, token, self.stale_seconds / HEARTBEATS_PER_STALE)
        return None


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


def _read_lock(path: Path) -> tuple[dict, float] | None:
    """`(owner, mtime)` of a lock file, or None if there is none. Opened, then `fstat`: NFS revalidates a file's
    attributes on open, where a `stat` may answer from its attribute cache."""
    try:
        handle = os.open(path, os.O_RDONLY)
    except OSError:  # no lock (or none readable: it cannot be taken over either)
        return None
    try:
        mtime = os.fstat(handle).st_mtime
        data = os.read(handle, 4096)
    except OSError:
        return None
    finally:
        os.close(handle)
    try:
        owner = json.loads(data.decode())
    except ValueError:  # a holder between its create and its write, or a damaged file: aged by its mtime alone
        owner = {}
    return (owner if isinstance(owner, dict) else {}), mtime


def _take_away(path: Path, token: str, *, stale: float | None) -> bool:
    """Remove the lock file at `path` if it is the one with `token` (and, with `stale`, still unrefreshed for that
    many seconds). True if it was removed.

    Only the process holding the lock's take-over guard (`.<key>.takeover.lock`, created with `O_EXCL`) removes
    it, after reading it again under the guard. While the lock file exists no process can create another, so
    what is removed is what was read, and a live lock is never moved, not even for a moment (moving it away and
    back let a third process create one in between: two holders). A take-over finding the guard taken gives up
    (another process is taking over); a release waits for it. A guard older than the stale timeout was left by
    a process that died within it, and is cleared."""
    guard = path.with_name(f".{path.stem}.takeover{LOCK_SUFFIX}")
    for _ in range(200):  # a guard is held for the time of one read and one unlink
        try:
            os.close(os.open(guard, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
            break
        except FileExistsError:
            try:
                if time.time() - guard.stat().st_mtime >= lock_stale_seconds():
                    guard.unlink(missing_ok=True)
                    continue
            except OSError:
                continue  # gone meanwhile
            if stale is not None:
                return False
            time.sleep(0.005)
    else:
        return False
    try:
        found = _read_lock(path)
        ours = found is not None and found[0].get("token", "") == token
        if ours and stale is not None:
            ours = time.time() - found[1] >= stale
        if ours:
            path.unlink(missing_ok=True)
        return ours
    finally:
        guard.unlink(missing_ok=True)


def _save_arrays(path, arrays: dict) -> None:
    with open(path, "wb") as handle:  # a file object: np.savez would add ".npz" to a temporary name
        np.savez(handle, **arrays)
