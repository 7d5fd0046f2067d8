"""
Generative LSTM (book chapter 11): the book's 25,000 `fit` calls against the app's training.

The book trains `LSTM(10)` → `Dense(2, activation="linear")` (MAE, Adam with
Keras' defaults) with one `model.fit(X, y, epochs=1, shuffle=False)` per
random rectangle: 25,000 calls of one Adam step on 3 points each. A call
costs about 70 ms of fixed overhead here, about 30 minutes in all, so this
benchmark times the book's loop for its first 1,000 calls (`--book-calls`)
and extrapolates to 25,000, and says so.

Its quality after 25,000 rectangles is measured without the 30 minutes: one
`fit` over the same 75,000 points with `batch_size=3, shuffle=False` takes
exactly the same 25,000 Adam steps, in the same order, from the same state.
The benchmark checks that claim on the first 1,000 rectangles (weights of
the loop against weights of one `fit`: they agree to float rounding) and
then scores the book's recipe over all 25,000 rectangles in one call.

The app's default is `lstm_core.engine.fit.fit(experiments.of(config),
config)` for `RectangleConfig()`, as the lesson page's `Trainer` trains it,
cold (a fresh process) and warm (a second training of the architecture in
that process). Quality is the consistency error of the
drawn rectangles (`lstm_core.evaluate.rectangle_consistency`, lower is
better; untrained about 0.25), median over the seeds.

    .venv/bin/python benchmarks/rectangles_time_to_quality.py                   # about 3 minutes
    .venv/bin/python benchmarks/rectangles_time_to_quality.py --book-calls 25000  # the whole loop (30 min)
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

from _common import child, emit, machine_line, median, quiet_tensorflow, table, verdict

BOOK_RECTANGLES = 25_000
TARGET_SPEEDUP = 100.0


def book_config(seed: int):
    from lstm_core.experiments import RectangleConfig

    return RectangleConfig(seed=seed, train_size=BOOK_RECTANGLES, epochs=1, batch_size=3, learning_rate=1e-3)


def book_model(config):
    from lstm_core import experiments
    from lstm_core.engine.fit import plain_model

    model = plain_model(experiments.of(config), config)  # LSTM(10) → Dense(2, linear), Keras' initialisers, seeded
    assert [layer.__class__.__name__ for layer in model.layers
            if layer.__class__.__name__ != "InputLayer"] == ["LSTM", "Dense"]
    model.compile(loss="mae", optimizer="adam")
    return model


def consistency(model) -> float:
    from lstm_core.evaluate import rectangle_consistency

    return rectangle_consistency(lambda p: model.predict_on_batch(np.asarray(p, np.float32).reshape(-1, 1, 2)))


def train(config):
    """The app's training of `config` (what the Trainer runs, without the store)."""
    from lstm_core import experiments
    from lstm_core.engine.fit import fit

    return fit(experiments.of(config), config)


def run_book(calls: int, seeds: list[int]) -> None:
    """The book's loop (timed, first `calls` calls), its one-fit equivalence, and its quality per seed."""
    from lstm_core.experiments.rectangles import training_data

    quiet_tensorflow()
    config = book_config(seeds[0])
    inputs, targets = training_data(config)
    began = time.perf_counter()
    model = book_model(config)
    build_seconds = time.perf_counter() - began
    call_seconds = []
    for index in range(calls):
        began = time.perf_counter()
        model.fit(inputs[3 * index:3 * index + 3], targets[3 * index:3 * index + 3], epochs=1, verbose=0, shuffle=False)
        call_seconds.append(time.perf_counter() - began)
    steady = float(np.mean(call_seconds[len(call_seconds) // 2:]))
    estimate = build_seconds + sum(call_seconds) + (BOOK_RECTANGLES - calls) * steady
    emit({"kind": "loop", "calls": calls, "build_seconds": build_seconds, "measured_seconds": sum(call_seconds),
          "median_call": float(np.median(call_seconds)), "steady_call": steady, "estimate_seconds": estimate,
          "consistency_after_calls": consistency(model)})

    # The same Adam steps in one call: the book's compile, and the app's XLA training with the book's batch and rate.
    one_fit = book_model(config)
    one_fit.fit(inputs[:3 * calls], targets[:3 * calls], batch_size=3, epochs=1, verbose=0, shuffle=False)
    compiled = train(config.replace(train_size=max(calls, 100))) if calls >= 100 else None
    loop_weights = model.get_weights()
    emit({"kind": "equivalence", "calls": calls,
          "max_weight_difference": max(float(np.max(np.abs(a - b))) for a, b in zip(loop_weights, one_fit.get_weights())),
          "max_weight_difference_xla": None if compiled is None else max(
              float(np.max(np.abs(a - b))) for a, b in zip(loop_weights, compiled.model.get_weights())),
          "consistency_loop": consistency(model), "consistency_one_fit": consistency(one_fit)})

    for seed in seeds:  # the book's recipe over all 25,000 rectangles, in one XLA fit (same steps, not timed as the book)
        trained = train(book_config(seed))
        emit({"kind": "book-quality", "seed": seed, "consistency": trained.metrics["consistency"],
              "seconds_in_one_fit": trained.seconds})


def run_app(cold_seed: int, warm_seed: int) -> None:
    from lstm_core.experiments import RectangleConfig

    quiet_tensorflow()
    for phase, seed in (("cold", cold_seed), ("warm", warm_seed)):
        config = RectangleConfig(seed=seed)
        began = time.perf_counter()
        trained = train(config)
        emit({"kind": "app", "phase": phase, "seed": seed, "seconds": time.perf_counter() - began,
              "consistency": trained.metrics["consistency"], "batch_size": config.batch_size,
              "learning_rate": config.learning_rate, "epochs": config.epochs})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--book-calls", type=int, default=1_000,
                        help="book fit calls to time before extrapolating to 25,000 (default 1,000)")
    parser.add_argument("--child", choices=["book", "app"], help=argparse.SUPPRESS)
    parser.add_argument("--cold-seed", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--warm-seed", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "book":
        run_book(args.book_calls, args.seeds)
        return 0
    if args.child == "app":
        run_app(args.cold_seed, args.warm_seed)
        return 0

    print("# Rectangles (chapter 11): the book's loop of fit calls vs the app's one training")
    print(machine_line())
    began = time.perf_counter()
    apps = []
    seeds = args.seeds
    for index, seed in enumerate(seeds):
        apps += child(__file__, "--child", "app", "--cold-seed", str(seed), "--warm-seed", str(seeds[(index + 1) % len(seeds)]))
        print(f"  app: {apps[-2]['seconds']:.2f} s cold, {apps[-1]['seconds']:.2f} s warm", flush=True)
    book = child(__file__, "--child", "book", "--book-calls", str(args.book_calls), "--seeds", *map(str, seeds),
                 timeout=3_600)
    loop = next(r for r in book if r["kind"] == "loop")
    same = next(r for r in book if r["kind"] == "equivalence")
    quality = [r for r in book if r["kind"] == "book-quality"]

    extrapolated = "measured" if loop["calls"] >= BOOK_RECTANGLES else f"EXTRAPOLATED from its first {loop['calls']:,} calls"
    print()
    print(f"book loop: {loop['calls']:,} fit calls took {loop['measured_seconds']:.1f} s "
          f"(median {1000 * loop['median_call']:.1f} ms a call, build and compile {loop['build_seconds']:.2f} s); "
          f"25,000 calls: {loop['estimate_seconds']:,.0f} s ({extrapolated})")
    xla = same["max_weight_difference_xla"]
    print(f"one fit(batch_size=3, shuffle=False) takes the loop's steps: after {same['calls']:,} rectangles the "
          f"weights differ by at most {same['max_weight_difference']:.1e} (book compile)"
          + ("" if xla is None else f", {xla:.1e} (app's XLA training)")
          + f"; consistency {same['consistency_loop']:.4f} (loop) vs {same['consistency_one_fit']:.4f} (one fit)")
    print()
    rows = [["book loop (25,000 calls)", "-", r["seed"], loop["estimate_seconds"], r["consistency"]] for r in quality]
    rows += [[f"app (batch {r['batch_size']}, Adam {r['learning_rate']:g}, {r['epochs']} epoch)", r["phase"], r["seed"],
              r["seconds"], r["consistency"]] for r in sorted(apps, key=lambda r: (r["phase"], r["seed"]))]
    print(table(["recipe", "phase", "seed", "seconds", "consistency error"], rows))
    print()
    book_consistency = median([r["consistency"] for r in quality])
    summary = [["book loop", loop["estimate_seconds"], book_consistency, "1x"]]
    ratios = {}
    for phase in ("cold", "warm"):
        seconds = median([r["seconds"] for r in apps if r["phase"] == phase])
        ratios[phase] = loop["estimate_seconds"] / seconds
        summary.append([f"app {phase}", seconds, median([r["consistency"] for r in apps if r["phase"] == phase]),
                        f"{ratios[phase]:,.0f}x"])
    print(table(["median of seeds", "seconds", "consistency error", "faster than the book by"], summary))
    app_consistency = median([r["consistency"] for r in apps])
    print()
    print(f"(the book's time is {extrapolated}; its consistency is from one fit taking the same 25,000 steps)")
    print(f"target: >= {TARGET_SPEEDUP:g}x faster: cold {ratios['cold']:,.0f}x, warm {ratios['warm']:,.0f}x -> "
          f"{verdict(min(ratios.values()) >= TARGET_SPEEDUP)}")
    print(f"target: consistency error <= the book's: app {app_consistency:.4f} vs book {book_consistency:.4f} -> "
          f"{verdict(app_consistency <= book_consistency)}")
    print(f"(benchmark ran {time.perf_counter() - began:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
