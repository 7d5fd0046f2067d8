"""engine/store's lock between processes, with real OS processes on one folder.

Replicas behind a load balancer share one model store, and a configuration two of them are asked for at once
must be trained once: the process about to train takes `<key>.lock` (created with `O_EXCL`, refreshed by a
heartbeat), the others wait. These tests start plain Python processes (no TensorFlow) that race for one lock,
hold it, or are killed holding it: exactly one of many racing processes wins, whether the lock was free or
stale; a live holder's heartbeat keeps its lock however long it holds it; a killed holder's lock is taken
over once it has been silent for the stale timeout, and not before.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from conftest import ROOT, tiny_rectangles
from lstm_core.engine.store import ModelStore, _take_away

STALE = 1.0  # seconds: short, so a dead holder is found out quickly here
RACERS = 8

# A racer: imports the store, says it is ready, spins until the start file exists, tries the lock once,
# prints whether it won, and holds a won lock `hold` seconds (a negative hold: until it is killed).
RACER = r"""
import json, os, sys, time
from lstm_core.engine.store import ModelStore
root, key, go, hold = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
store = ModelStore(root)
print("ready", flush=True)
while not os.path.exists(go):
    time.sleep(0.0005)
held = store.try_lock(key)
print(json.dumps({"won": held is not None, "pid": os.getpid()}), flush=True)
if held is not None:
    end = time.monotonic() + hold
    while hold < 0 or time.monotonic() < end:
        time.sleep(0.05)
    held.release()
"""


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.setenv("LSTM_EXPLORER_LOCK_STALE_SECONDS", str(STALE))
    return tmp_path / "store"


def key() -> str:
    return tiny_rectangles(seed=7).key()


def racers(folder, go, count: int, hold: float) -> list[subprocess.Popen]:
    """`count` racer processes, each ready (imported, spinning) before this returns."""
    env = {**os.environ, "LSTM_EXPLORER_LOCK_STALE_SECONDS": str(STALE)}
    started = [subprocess.Popen([sys.executable, "-c", RACER, str(folder), key(), str(go), str(hold)], cwd=ROOT,
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for _ in range(count)]
    for process in started:
        assert process.stdout.readline().strip() == "ready", process.stderr.read()
    return started


def outcomes(started) -> list[dict]:
    results = []
    for process in started:
        out, err = process.communicate(timeout=60)
        assert process.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


def stale_lock(store: ModelStore, age: float) -> None:
    """A lock left by a process that died `age` seconds ago (no heartbeat since)."""
    store.root.mkdir(parents=True, exist_ok=True)
    path = store.lock_path(key())
    path.write_text(json.dumps({"host": "gone", "pid": 999_999, "created": time.time() - age, "token": "dead"}))
    os.utime(path, (time.time() - age, time.time() - age))


@pytest.mark.parametrize("left_by_a_dead_process", [False, True], ids=["free", "stale"])
def test_exactly_one_of_many_racing_processes_takes_the_lock(folder, tmp_path, left_by_a_dead_process):
    store = ModelStore(folder)
    if left_by_a_dead_process:
        stale_lock(store, age=10 * STALE)
    go = tmp_path / "go"
    started = racers(folder, go, RACERS, hold=1.0)  # held long past every other racer's one try
    go.touch()
    results = outcomes(started)
    winners = [result for result in results if result["won"]]
    assert len(winners) == 1, results
    assert not store.lock_path(key()).exists()  # released by the winner
    assert [p.name for p in folder.iterdir()] == []  # nothing renamed away is left behind either


def test_a_live_holder_keeps_its_lock_and_a_killed_ones_is_taken_over_after_the_stale_timeout(folder, tmp_path):
    store = ModelStore(folder)
    go = tmp_path / "go"
    [holder] = racers(folder, go, 1, hold=-1)
    go.touch()
    assert json.loads(holder.stdout.readline())["won"]
    try:
        deadline = time.monotonic() + 2 * STALE  # two stale timeouts: only the heartbeat keeps it
        while time.monotonic() < deadline:
            found = store.holder(key())
            assert found is not None and found.pid == holder.pid and found.age < STALE, found
            assert store.try_lock(key()) is None
            time.sleep(0.05)
        holder.send_signal(signal.SIGKILL)  # mid-training: no release, no more heartbeats
        holder.wait(timeout=10)
        killed = time.monotonic()
        silent = store.holder(key()).age  # since its last heartbeat
        while (held := store.try_lock(key())) is None:
            assert time.monotonic() - killed < 10 * STALE, "the dead holder's lock was never taken over"
            time.sleep(0.02)
        waited = time.monotonic() - killed
    finally:
        if holder.poll() is None:
            holder.kill()
    try:
        assert silent < STALE and STALE - silent - 0.05 <= waited <= STALE + 1.0, (waited, silent)
        found = store.holder(key())
        assert found.pid == os.getpid() and found.token == held.token
    finally:
        held.release()
    assert not store.lock_path(key()).exists()


def test_a_stale_lock_refreshed_at_the_last_moment_is_not_taken(folder, tmp_path):
    """Two waiters judged one lock stale; its holder's heartbeat came just before one took it away: that one
    leaves it where it is, and the holder keeps it."""
    store = ModelStore(folder)
    go = tmp_path / "go"
    [holder] = racers(folder, go, 1, hold=3 * STALE)
    go.touch()
    assert json.loads(holder.stdout.readline())["won"]
    try:
        live = store.holder(key())
        assert not _take_away(store.lock_path(key()), live.token, stale=STALE)  # refreshed: not stale
        assert not _take_away(store.lock_path(key()), "another", stale=STALE)  # not the lock judged stale
        assert store.holder(key()).token == live.token and store.try_lock(key()) is None
    finally:
        holder.communicate(timeout=30)
    assert holder.returncode == 0 and not store.lock_path(key()).exists()


def test_a_take_over_never_moves_a_live_lock_away_even_for_a_moment(folder, monkeypatch):
    """A waiter that judged an older lock stale must not open a gap in which a third process could create a lock
    beside the live one (two holders): the lock's path is never free while the take-over reads it."""
    from lstm_core.engine import store as store_module

    store = ModelStore(folder)
    live = store.try_lock(key())
    path = store.lock_path(key())
    seen = []
    read = store_module._read_lock

    def watched(where):
        try:  # what a third process's create would do at this moment
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
            seen.append("created beside the live lock")
        except FileExistsError:
            seen.append("taken")
        return read(where)

    monkeypatch.setattr(store_module, "_read_lock", watched)
    try:
        assert not _take_away(path, "the stale lock judged earlier", stale=STALE)
        assert seen and set(seen) == {"taken"}
        assert json.loads(path.read_text())["token"] == live.token
    finally:
        monkeypatch.undo()
        live.release()
    assert not path.exists()


def test_a_take_over_waits_its_turn_and_a_dead_processs_guard_is_cleared(folder):
    store = ModelStore(folder)
    stale_lock(store, age=10 * STALE)
    path = store.lock_path(key())
    guard = path.with_name(f".{path.stem}.takeover.lock")
    guard.touch()  # another process is taking it over
    assert store.try_lock(key()) is None and path.exists()
    old = time.time() - 2 * STALE
    os.utime(guard, (old, old))  # that process died within its take-over
    taken = store.try_lock(key())
    assert taken is not None and not guard.exists()
    taken.release()
    assert not path.exists()
