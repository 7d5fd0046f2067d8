"""
Stacked LSTM (book chapter 7): time to quality, the book's recipe against the app's default.

The book's recipe, exactly: `LSTM(20, return_sequences=True)`, `LSTM(20)`,
`Dense(5)`, MAE loss, Adam with Keras' defaults, 10,000 examples,
`batch_size=10`, 1 epoch, `model.fit` as the book calls it. The app's
default is `lstm_core.engine.fit.fit(experiments.of(config), config)` for
`SineConfig()`, the training the lesson page's `Trainer` runs. Both start
from the same seeded initial weights and the same training data, and both
are scored on the same 1,000 fixed held-out waves
(`lstm_core.evaluate.sine_holdout`).

Each seed runs in a fresh process per recipe: its first training is *cold*
(model build, tracing and XLA compile included; the TensorFlow import is
reported apart, as it is the same for both), and a second training of the
same architecture in that process, with the next seed, is *warm*. Book and
app processes alternate, so a busy minute on this shared machine hits both.
The timed span is the training call: data generation, build, compile and
fit (and, for the app, its held-out evaluation too).

    .venv/bin/python benchmarks/sine_time_to_quality.py            # 3 seeds, about 3 minutes
    .venv/bin/python benchmarks/sine_time_to_quality.py --seeds 0 1 2 3 4
"""

from __future__ import annotations

import argparse
import sys
import time

from _common import child, emit, machine_line, median, quiet_tensorflow, table, verdict

TARGET_MAE = 0.022  # the book prints 0.0217
TARGET_WARM, TARGET_COLD = 3.0, 1.5


def book_training(seed: int) -> dict:
    """The book's chapter 7 script: build, compile with defaults, fit batch 10 for one epoch."""
    from lstm_core import experiments
    from lstm_core.engine.fit import plain_model
    from lstm_core.evaluate import mean_absolute_error, sine_holdout
    from lstm_core.experiments.sine import training_data

    config = experiments.SineConfig(seed=seed)  # only for the data and the seeded initial weights
    began = time.perf_counter()
    inputs, targets = training_data(config)
    # LSTM(20, return_sequences=True) → LSTM(20) → Dense(5), Keras' initialisers, seeded
    model = plain_model(experiments.of(config), config)
    assert [layer.__class__.__name__ for layer in model.layers
            if layer.__class__.__name__ != "InputLayer"] == ["LSTM", "LSTM", "Dense"]
    model.compile(loss="mae", optimizer="adam")
    model.fit(inputs, targets, batch_size=10, epochs=1, verbose=0)
    seconds = time.perf_counter() - began
    held_in, held_out = sine_holdout(config)
    mae = mean_absolute_error(held_out, model.predict(held_in, batch_size=1_000, verbose=0))
    return {"seconds": seconds, "mae": mae, "recipe": "book: batch 10, Adam 1e-3, 1 epoch, no XLA"}


def app_training(seed: int) -> dict:
    from lstm_core import experiments
    from lstm_core.engine import fit as engine

    config = experiments.SineConfig(seed=seed)
    experiment = experiments.of(config)
    began = time.perf_counter()
    trained = engine.fit(experiment, config)
    seconds = time.perf_counter() - began
    plan = experiment.recipe(config)
    recipe = (f"app: batch {plan.batch_size}, Adam {plan.learning_rate:g}, {plan.epochs} epochs, "
              f"XLA {plan.jit_compile and engine.JIT_COMPILE}, {plan.steps_per_execution} steps per execution")
    return {"seconds": seconds, "mae": trained.metrics["mae"], "recipe": recipe}


def run_child(which: str, cold_seed: int, warm_seed: int) -> None:
    imported = quiet_tensorflow()
    training = book_training if which == "book" else app_training
    for phase, seed in (("cold", cold_seed), ("warm", warm_seed)):
        emit({"which": which, "phase": phase, "seed": seed, "import_seconds": imported, **training(seed)})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--child", choices=["book", "app"], help=argparse.SUPPRESS)
    parser.add_argument("--cold-seed", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--warm-seed", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_child(args.child, args.cold_seed, args.warm_seed)
        return 0

    print("# Stacked LSTM (chapter 7): time to held-out MAE, book recipe vs app default")
    print(machine_line())
    began = time.perf_counter()
    rows = []
    seeds = args.seeds
    for index, seed in enumerate(seeds):
        warm_seed = seeds[(index + 1) % len(seeds)]
        for which in (("app", "book") if index % 2 == 0 else ("book", "app")):
            for result in child(__file__, "--child", which, "--cold-seed", str(seed), "--warm-seed", str(warm_seed)):
                rows.append(result)
                print(f"  {which:4s} {result['phase']} seed {result['seed']}: {result['seconds']:.2f} s, "
                      f"MAE {result['mae']:.4f}", flush=True)

    def pick(which, phase, key):
        return [r[key] for r in rows if r["which"] == which and r["phase"] == phase]

    print()
    print(table(["recipe", "phase", "seed", "seconds", "held-out MAE"],
                [[r["which"], r["phase"], r["seed"], r["seconds"], r["mae"]] for r in
                 sorted(rows, key=lambda r: (r["which"], r["phase"], r["seed"]))]))
    print()
    summary = []
    for phase in ("cold", "warm"):
        book, app = median(pick("book", phase, "seconds")), median(pick("app", phase, "seconds"))
        summary.append([phase, book, median(pick("book", phase, "mae")), app, median(pick("app", phase, "mae")),
                        f"{book / app:.1f}x"])
    print(table(["phase (median of seeds)", "book s", "book MAE", "app s", "app MAE", "app faster by"], summary))
    print()
    recipes = {r["which"]: r["recipe"] for r in rows}
    print(f"book = {recipes['book']}\napp  = {recipes['app']}")
    print(f"TensorFlow import (not in the times above): median {median([r['import_seconds'] for r in rows]):.1f} s")
    app_mae = median(pick("app", "cold", "mae") + pick("app", "warm", "mae"))
    cold = summary[0][1] / summary[0][3]
    warm = summary[1][1] / summary[1][3]
    print(f"target: app median MAE <= {TARGET_MAE}: {app_mae:.4f} -> {verdict(app_mae <= TARGET_MAE)}")
    print(f"target: warm >= {TARGET_WARM:g}x faster: {warm:.1f}x -> {verdict(warm >= TARGET_WARM)}")
    print(f"target: cold >= {TARGET_COLD:g}x faster: {cold:.1f}x -> {verdict(cold >= TARGET_COLD)}")
    print(f"(benchmark ran {time.perf_counter() - began:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
