"""engine/idle: objects kept for reuse by key, and how many of a key are lent at once."""

import threading
import time

from lstm_core.engine.idle import Idle


def held_elsewhere(idle, make):
    """One of key "shape" lent to another thread, which keeps it until the returned event is set."""
    holding, release = threading.Event(), threading.Event()

    def holder():
        with idle.lent("shape", make, most=1):
            holding.set()
            release.wait(5)

    thread = threading.Thread(target=holder)
    thread.start()
    holding.wait(5)
    return release, thread


def test_put_keeps_the_most_recent_per_key_and_in_all():
    idle = Idle(3, per_key=2)
    for item in ("a1", "a2", "a3"):
        idle.put("a", item)
    idle.put("b", "b1")
    idle.put("c", "c1")
    assert idle.of("a") == ["a3"]  # a1 beyond per_key, a2 the oldest beyond the limit of 3
    assert sorted(idle.all()) == ["a3", "b1", "c1"]
    assert idle.take("a") == "a3" and idle.take("a") is None


def test_a_caller_over_the_limit_waits_for_one_given_back_instead_of_making_one():
    idle, made = Idle(8), []

    def make():
        made.append(object())
        return made[-1]

    got = []
    release, first = held_elsewhere(idle, make)
    second = threading.Thread(target=lambda: got.append(idle.lent("shape", make, most=1).__enter__()))
    second.start()
    time.sleep(0.2)
    assert not got and len(made) == 1  # waiting, not making a second
    release.set()
    first.join(5)
    second.join(5)
    assert got == [made[0]] and len(made) == 1  # it got the one given back


def test_a_thread_holding_one_never_waits_for_itself_and_a_stuck_holder_only_delays():
    idle = Idle(8)
    with idle.lent("shape", object, most=1) as outer:
        with idle.lent("shape", object, most=1) as inner:  # nested in one thread: a second, at once
            assert inner is not outer
    assert len(idle.of("shape")) == 2

    idle = Idle(8)
    release, thread = held_elsewhere(idle, object)
    began = time.monotonic()
    with idle.lent("shape", lambda: "new", most=1, patience=0.3) as item:
        waited = time.monotonic() - began
    release.set()
    thread.join(5)
    assert item == "new" and 0.25 <= waited < 3
