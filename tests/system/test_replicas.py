"""
Replicas: two real `streamlit run app.py` servers on one model store, as a school runs them behind nginx
(`deploy/`), driven by cheap clients that speak Streamlit's own WebSocket protocol (`benchmarks/load_protocol.py`'s
`Student`: open the sine lesson with a tiny model in its link, press Train, read the held-out MAE metric).

Each server is `load_protocol.py --serve`, the app with a wrapper around the `fit` its Trainer calls that
appends a line per training actually run to a file of its own, so the test counts trainings per server:

- a model trained through server A opens with its result through server B, with no training there;
- one new configuration asked through both servers at the same moment is trained once (the store's lock,
  `engine/store.py`) and both students see the same result;
- the server holding the lock is killed mid-training: the other one waits until the lock has gone unrefreshed
  for the stale timeout (`LSTM_EXPLORER_LOCK_STALE_SECONDS`, a few seconds here), takes it over and trains, and
  its student sees the result.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT
from lstm_core.experiments import SineConfig

sys.path.insert(0, str(ROOT / "benchmarks"))
from load_protocol import Student  # noqa: E402 - the benchmarks' folder is not a package

STALE = 3.0  # the servers' stale-lock timeout (their heartbeat: every STALE / 6 s)
SECONDS = 120  # most a step may take on a loaded 2-core machine


def tiny(seed: int, units: int = 2, train_size: int = 100) -> tuple[str, str]:
    """A tiny sine model's link parameters and store key."""
    values = dict(units=units, depth=1, train_size=train_size, epochs=1, seed=seed)
    return "&".join(f"{name}={value}" for name, value in values.items()), SineConfig(**values).key()


class Replica:
    """One server: its address, its process and the trainings it ran (the wrapper's lines: key, began, ended)."""

    def __init__(self, name: str, folder: Path, store: Path):
        from test_browser import _free_port

        self.name, self.port = name, _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.counts, self.log = folder / f"trainings-{name}.txt", folder / f"server-{name}.log"
        self.counts.touch()
        env = {**os.environ, "LSTM_EXPLORER_STORE": str(store), "LSTM_EXPLORER_LOCK_STALE_SECONDS": str(STALE),
               "TF_CPP_MIN_LOG_LEVEL": "3"}
        with open(self.log, "w") as output:
            self.process = subprocess.Popen(
                [sys.executable, str(ROOT / "benchmarks" / "load_protocol.py"), "--serve", str(self.port),
                 str(self.counts), "app.py"], cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)

    def wait_healthy(self, deadline: float) -> None:
        from test_browser import wait_healthy

        wait_healthy(self.base, self.process, self.log, deadline - time.monotonic(), f"replica {self.name}")

    def trainings(self, key: str | None = None) -> list[tuple[str, float, float]]:
        lines = [line.split() for line in self.counts.read_text().splitlines() if line.strip()]
        return [(k, float(began), float(ended)) for k, began, ended in lines if key is None or k == key]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture(scope="module")
def replicas(tmp_path_factory):
    """Two servers on one store, started together; `(a, b, store folder)`."""
    folder = tmp_path_factory.mktemp("replicas")
    store = folder / "store"
    started = [Replica(name, folder, store) for name in ("a", "b")]
    try:
        deadline = time.monotonic() + 90
        for replica in started:
            replica.wait_healthy(deadline)
        yield started[0], started[1], store
    finally:
        for replica in started:
            replica.stop()


async def visit(base: str, query: str, *, train: bool):
    """Open the sine lesson on `base` with `query`; with `train`, press Train. The last run's MAE (None: no
    result drawn) and the problems it showed."""
    student = Student(base, "sine", query)
    try:
        run = await student.open(SECONDS)
        if train and not run.problems:
            trigger = student.train_button()
            assert trigger is not None, "no Train button drawn"
            run = await student.rerun(SECONDS, trigger=trigger)
        return run.mae, run.problems
    finally:
        await student.close()


def test_a_model_trained_through_one_replica_opens_with_its_result_on_the_other(replicas):
    a, b, _ = replicas
    query, key = tiny(seed=301)
    mae, problems = asyncio.run(visit(a.base, query, train=True))
    assert mae is not None and not problems, problems
    assert [k for k, *_ in a.trainings(key)] == [key] and b.trainings(key) == []

    opened, problems = asyncio.run(visit(b.base, query, train=False))  # no Train press: from the store
    assert opened == mae and not problems, problems
    assert len(a.trainings(key)) == 1 and b.trainings(key) == []


def test_one_new_configuration_asked_through_both_replicas_at_once_is_trained_once(replicas):
    a, b, store = replicas
    query, key = tiny(seed=302)

    async def both():
        return await asyncio.gather(visit(a.base, query, train=True), visit(b.base, query, train=True))

    (mae_a, problems_a), (mae_b, problems_b) = asyncio.run(both())
    assert not problems_a and not problems_b, (problems_a, problems_b)
    assert mae_a is not None and mae_a == mae_b  # both students see the one model's result
    assert len(a.trainings(key)) + len(b.trainings(key)) == 1, (a.trainings(key), b.trainings(key))
    assert not (store / f"{key}.lock").exists()


def test_killing_the_replica_that_trains_lets_the_other_train_it_after_the_stale_timeout(replicas):
    a, b, store = replicas
    query, key = tiny(seed=303, units=3, train_size=1_000)  # a new architecture: its compile alone takes a while
    lock = store / f"{key}.lock"

    async def race():
        presses = [asyncio.create_task(visit(replica.base, query, train=True)) for replica in (a, b)]
        deadline = time.monotonic() + SECONDS
        while (holder := owner()) is None:  # the first replica to train it has taken the lock
            assert time.monotonic() < deadline, "no replica took the lock"
            await asyncio.sleep(0.01)
        victim = next(replica for replica in (a, b) if replica.process.pid == holder["pid"])
        assert not (store / f"{key}.json").exists()  # mid-training: nothing stored yet
        heartbeat = lock.stat().st_mtime  # its last heartbeat is this one or a later one
        os.kill(victim.process.pid, signal.SIGKILL)
        outcomes = await asyncio.gather(*presses, return_exceptions=True)
        return victim, heartbeat, dict(zip((a, b), outcomes))

    def owner():
        try:
            return json.loads(lock.read_text())
        except (OSError, ValueError):  # not there yet, or created and not yet written
            return None

    victim, heartbeat, outcomes = asyncio.run(race())
    survivor = b if victim is a else a
    mae, problems = outcomes[survivor]
    assert mae is not None and not problems, problems
    assert victim.trainings(key) == []  # killed before its training ended
    [(_, began, _)] = survivor.trainings(key)
    # The survivor trained only once the victim's lock had gone unrefreshed for the stale timeout.
    assert began >= heartbeat + STALE - 0.05, began - heartbeat
    assert not lock.exists() and not [path for path in store.iterdir() if path.suffix == ".lock"]
