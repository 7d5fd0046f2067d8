"""
Cost model: is a training's estimated time (`lstm_core/engine/cost.py`) its
real time, over every size a class can ask for?

The Trainer refuses a training whose estimate is over the teacher's budget
(`LSTM_EXPLORER_MAX_TRAINING_SECONDS`) and orders its queue by the estimates,
so an estimate that is too low lets a training hold a slot longer than the
teacher allowed. This script trains a grid of configurations through the
engine's one `fit` (`fit(experiments.of(config), config)`, as the Trainer
does), warm: each architecture is trained first on a little data (its
compile, reported apart), then a second time on that little data (a small
training, a row of its own), then the grid's configuration `--rounds` times,
the rounds in alternating order. The grid spans what the sine lesson's
sliders reach (units 4 to 64, depth 1 to 4, the fast recipe's batches of 20
and the book's of 10) at sizes that take 1-15 s, and every other experiment
that trains, at its page's default and at a larger size or width.

A training uses one core (one TensorFlow thread), and on a machine shared
with other programs its wall time also counts the time it waited for a core:
so its *seconds* here are the lower of its wall and CPU seconds (what it
takes on a free machine, as `cost.py` estimates; a server's load is the
calibration's job), the median over the rounds. The wall and CPU medians are
printed beside them.

Per configuration it prints the uncalibrated estimate as the Trainer computes
it (`cost.work(config, batch_size=recipe's, epochs=..., jit=...).seconds()`,
`Trainer._estimate`), the measured seconds and their ratio. Then it fits the
model's constants to the measured seconds (a non-negative least squares, each
row weighted by 1 / its seconds so that every training counts by its relative
error; an overhead of its own for each experiment, the other constants
shared) in two forms, and prints the ratios each gives:

- *FLOPs and steps* (cost.py's form until this benchmark): overhead + FLOPs /
  `RATE` + cell steps × `STEP_SECONDS` (`EAGER_STEP_SECONDS` without XLA);
- *cost.py's form*: the same, and a step's latency that grows with its
  width, its layer's inputs + units (`Work.width_steps` ×
  `WIDTH_STEP_SECONDS`), a fixed time per optimizer step (`Work.updates` ×
  `UPDATE_SECONDS`, `EAGER_UPDATE_SECONDS` without XLA) and per call into
  Keras' loop of several steps (`Work.calls` × `CALL_SECONDS`).

Both forms' fitted constants are printed by the names `cost.py` gives them,
beside its own: copy the second form's there (and check them with another
run: its estimated / seconds column is then an independent test). Last,
each architecture's first training against its small warm one: the compile's
seconds per recurrent layer (an architecture compiled before on this machine
loads from the persistent XLA cache instead, as on a server:
`LSTM_EXPLORER_XLA_CACHE=off` measures the compile itself).

    .venv/bin/python benchmarks/cost_model.py               # about 7-8 minutes
    .venv/bin/python benchmarks/cost_model.py --only sine   # the sine grid alone, ~5 min

The targets: every grid configuration's uncalibrated estimate within ±30% of
its seconds (the small trainings' ratios are printed beside), and none of 8 s
or more underestimated by more than 10% (those are the ones a budget
refuses). It exits non-zero only if a training fails.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time

import numpy as np

from _common import machine_line, median, quiet_tensorflow, table, verdict

TOLERANCE = 0.30  # every configuration within ±30% of its measured seconds
LARGE_SECONDS = 8.0  # a training this long or longer ...
LARGE_UNDER = 0.90  # ... is not estimated below 90% of its measured seconds
# The model's terms (columns of the fit; a `Work` field each, the step's split by XLA or not), by form.
FORMS = {"FLOPs and steps": ["flops", "cell_steps", "eager_cell_steps"],
         "cost.py's form": ["flops", "cell_steps", "width_steps", "updates", "calls", "eager_cell_steps",
                            "eager_updates"]}
CONSTANTS = {"flops": "RATE", "cell_steps": "STEP_SECONDS", "width_steps": "WIDTH_STEP_SECONDS",
             "updates": "UPDATE_SECONDS", "calls": "CALL_SECONDS", "eager_cell_steps": "EAGER_STEP_SECONDS",
             "eager_updates": "EAGER_UPDATE_SECONDS"}


def grid() -> list[tuple[str, object]]:
    """`(label, configuration)` of every training timed: the sine sliders' range, then each other experiment."""
    from lstm_core import experiments as e

    sine = [  # (units, depth, train_size, epochs, recipe): 1-15 s each here
        (4, 1, 10_000, 4, "fast"), (4, 4, 10_000, 2, "fast"), (20, 1, 10_000, 3, "fast"),
        (20, 2, 10_000, 2, "fast"), (20, 4, 5_000, 2, "fast"), (40, 3, 5_000, 2, "fast"),
        (64, 1, 10_000, 2, "fast"), (64, 2, 10_000, 1, "fast"), (64, 4, 5_000, 1, "fast"),
        (64, 2, 20_000, 1, "fast"), (64, 4, 10_000, 1, "fast"),
        (8, 2, 10_000, 1, "book"), (20, 2, 10_000, 1, "book"), (64, 2, 5_000, 1, "book"),
    ]
    configs = [(f"sine u{u} d{d} n{n:,} e{ep} {r}", e.SineConfig(units=u, depth=d, train_size=n, epochs=ep, recipe=r))
               for u, d, n, ep, r in sine]
    configs += [  # each page's default, and a larger one (more data, the same architecture, or wider)
        ("rectangles", e.RectangleConfig()),
        ("rectangles u64", e.RectangleConfig(units=64)),
        ("rectangles u32 sequence", e.RectangleConfig(units=32, framing="sequence")),
        ("window", e.WindowConfig()),
        ("window n8,192", e.WindowConfig(train_size=8_192)),
        ("cells", e.CellsConfig()),
        ("cells n8,192 e4", e.CellsConfig(train_size=8_192, epochs=4)),
        ("forecast", e.ForecastConfig()),
        ("forecast u40 d2", e.ForecastConfig(units=40, depth=2)),
        ("bidirectional", e.BidirectionalConfig()),
        ("bidirectional n8,192", e.BidirectionalConfig(train_size=8_192)),
        ("encoderdecoder", e.EncoderDecoderConfig()),
        ("encoderdecoder n8,192", e.EncoderDecoderConfig(train_size=8_192)),
        # Without XLA; at a learning rate that does not diverge (a diverged training stops early).
        ("explode SimpleRNN (no XLA)", e.ExplodeConfig(learning_rate=0.01)),
        ("explode LSTM (no XLA)", e.ExplodeConfig(cell="LSTM", learning_rate=0.01)),
        ("throughtime (no XLA)", e.ThroughTimeConfig(learning_rate=0.01)),
        ("throughtime t100 (no XLA)", e.ThroughTimeConfig(length=100, learning_rate=0.01)),
    ]
    return configs


def small(config):
    """The same architecture on a little data, one epoch: it compiles what the timed trainings reuse."""
    from lstm_core import experiments

    recipe = experiments.of(config).recipe(config)
    per_item = 3 if getattr(config, "framing", "") == "book" else 1  # a book rectangle is three examples
    size = max(200, -(-recipe.batch_size * recipe.steps_per_execution // per_item))
    return config.replace(train_size=min(config.train_size, size), epochs=1, seed=config.seed + 1)


def work(config):
    """`cost.work` as `Trainer._estimate` calls it (a training from scratch)."""
    from lstm_core import experiments
    from lstm_core.engine import cost
    from lstm_core.engine import fit as engine

    recipe = experiments.of(config).recipe(config)
    return cost.work(config, batch_size=recipe.batch_size, epochs=max(1, config.epochs),
                     jit=bool(recipe.jit_compile and engine.JIT_COMPILE))


def features(config) -> dict:
    """The work of training `config` as `cost.work` counts it, as the fit's columns."""
    found = work(config)
    steps = {"cell_steps": float(found.cell_steps), "width_steps": float(found.width_steps),
             "updates": float(found.updates)}
    eager = {"eager_cell_steps": float(found.cell_steps), "eager_updates": float(found.updates)}
    return {"flops": found.flops, "calls": float(found.calls), "jit": found.jit,
            **(steps if found.jit else {name: 0.0 for name in steps}),
            **(eager if not found.jit else {name: 0.0 for name in eager}),
            "estimated": found.seconds(), "layers": found.layers,
            "compile": found.seconds(compile=True) - found.seconds()}


def timed(config) -> dict:
    """One training through the engine's `fit`: wall and CPU seconds, whether it compiled or diverged."""
    from lstm_core import experiments
    from lstm_core.engine.fit import fit

    cpu, began = time.process_time(), time.perf_counter()
    trained = fit(experiments.of(config), config)
    wall, cpu = time.perf_counter() - began, time.process_time() - cpu
    return {"wall": wall, "cpu": cpu, "seconds": min(wall, cpu), "compiled": trained.compiled,
            "diverged": trained.diverged}


def nnls(features: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Non-negative least squares (Lawson and Hanson's active set), on columns scaled to unit norm."""
    scale = np.linalg.norm(features, axis=0)
    scale[scale == 0] = 1.0
    a = features / scale
    x = np.zeros(a.shape[1])
    passive = np.zeros(a.shape[1], dtype=bool)
    for _ in range(10 * a.shape[1]):
        gradient = a.T @ (target - a @ x)
        if passive.all() or gradient[~passive].max() <= 1e-12:
            break
        passive[np.argmax(np.where(passive, -np.inf, gradient))] = True
        while True:
            trial = np.zeros_like(x)
            trial[passive] = np.linalg.lstsq(a[:, passive], target, rcond=None)[0]
            if (trial[passive] > 0).all():
                x = trial
                break
            shrinking = passive & (trial <= 0) & (x > trial)
            step = np.min(x[shrinking] / (x[shrinking] - trial[shrinking])) if shrinking.any() else 0.0
            x = x + step * (trial - x)
            passive &= x > 1e-12
    return x / scale


def fit_constants(rows: list[dict], columns: list[str]) -> tuple[dict, dict]:
    """`(overhead of each experiment, coefficient of each column)` that best give the rows' seconds, in relative
    error."""
    names = sorted({row["experiment"] for row in rows})
    matrix = np.array([[1.0 if row["experiment"] == name else 0.0 for name in names] + [row[c] for c in columns]
                       for row in rows])
    seconds = np.array([row["seconds"] for row in rows])
    solved = nnls(matrix / seconds[:, None], np.ones(len(rows)))
    return dict(zip(names, solved[:len(names)])), dict(zip(columns, solved[len(names):]))


def fitted_seconds(row: dict, constants: tuple[dict, dict]) -> float:
    overheads, coefficients = constants
    if row["experiment"] not in overheads:
        return float("nan")
    return overheads[row["experiment"]] + sum(k * row[c] for c, k in coefficients.items())


def spelled(column: str, coefficient: float | None) -> str:
    """A fitted coefficient as the value of cost.py's constant (`RATE` is FLOP/s: the inverse)."""
    if coefficient is None:
        return ""
    if column == "flops":
        return f"{1 / coefficient:.3g}" if coefficient > 0 else "inf"
    return f"{coefficient:.3g}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=2, help="timed trainings of each configuration")
    parser.add_argument("--only", default="", help="only the configurations whose label contains this")
    args = parser.parse_args(argv)
    print("# Cost model: estimated against measured training seconds, warm")
    print(machine_line(), flush=True)
    began = time.perf_counter()
    quiet_tensorflow()
    from lstm_core.engine import cost
    from lstm_core.engine import fit as engine

    configs = [(label, config) for label, config in grid() if args.only in label]
    engine._pool.limit = max(engine._pool.limit, 2 * len(configs))  # every architecture stays compiled
    rows, compiles, failures = [], [], []
    for label, config in configs:  # each architecture's first training (its compile), then a small warm one
        little = small(config)
        try:
            first = timed(little)
            again = timed(little.replace(seed=little.seed + 1))
        except Exception as error:  # noqa: BLE001 - a benchmark reports, it does not stop
            failures.append(f"{label}: {type(error).__name__}: {str(error)[:200]}")
            continue
        if first["compiled"]:
            found = features(config)
            compiles.append([label, found["layers"], first["wall"], again["wall"], found["compile"] / found["layers"]])
        row = {"label": label, "config": config, "runs": [], "small": False}
        if little.train_size != config.train_size or little.epochs != config.epochs:
            rows.append({"label": f"{label}, small (n{little.train_size:,} e1)", "config": little, "runs": [again],
                         "small": True})
        rows.append(row)
        print(f"  {label}: first training {first['wall']:.1f} s"
              f"{' (compiled)' if first['compiled'] else ''}, small warm {again['wall']:.2f} s", flush=True)
    timed_rows = [row for row in rows if not row["runs"]]
    for round_ in range(args.rounds):
        for row in timed_rows if round_ % 2 == 0 else timed_rows[::-1]:
            try:
                run = timed(row["config"].replace(seed=row["config"].seed + 10 + round_))
            except Exception as error:  # noqa: BLE001
                failures.append(f"{row['label']}: {type(error).__name__}: {str(error)[:200]}")
                continue
            if run["compiled"]:
                failures.append(f"{row['label']}: compiled again in round {round_ + 1} (the pool lost it)")
            row["runs"].append(run)
            print(f"  round {round_ + 1} {row['label']}: {run['wall']:.2f} s wall, {run['cpu']:.2f} s CPU"
                  f"{' (diverged: stopped early)' if run['diverged'] else ''}", flush=True)
    rows = [row for row in rows if row["runs"]]
    for row in rows:
        row.update(features(row["config"]), experiment=row["config"].experiment,
                   seconds=median([run["seconds"] for run in row["runs"]]),
                   wall=median([run["wall"] for run in row["runs"]]), cpu=median([run["cpu"] for run in row["runs"]]),
                   diverged=any(run["diverged"] for run in row["runs"]))

    kept = [row for row in rows if not row["diverged"]]  # a diverged training stopped early: not its work's time
    fitted = {name: fit_constants(kept, columns) for name, columns in FORMS.items()} if len(kept) > 12 else {}

    print()
    print(table(["configuration", "estimated s", "seconds", "wall s", "CPU s", "estimated / seconds",
                 *[f"fit {name}: ratio" for name in fitted]],
                [[row["label"], row["estimated"], row["seconds"], row["wall"], row["cpu"],
                  row["estimated"] / row["seconds"],
                  *[fitted_seconds(row, constants) / row["seconds"] for constants in fitted.values()]]
                 for row in rows]))
    print("(seconds: the median over the rounds of each training's lower of wall and CPU seconds; a small row is "
          "one training)")
    if fitted:
        print()
        lines = []
        for column in FORMS["cost.py's form"]:
            lines.append([CONSTANTS[column], f"{getattr(cost, CONSTANTS[column]):.3g}",
                          *[spelled(column, constants[1].get(column)) for constants in fitted.values()]])
        for experiment in sorted({row["experiment"] for row in kept}):
            lines.append([f"OVERHEAD[{experiment!r}]", f"{cost.OVERHEAD.get(experiment, cost.OVERHEAD_SECONDS):.3g}",
                          *[f"{constants[0].get(experiment, float('nan')):.3g}" for constants in fitted.values()]])
        print(table(["constant", "cost.py now", *[f"fit {name}" for name in fitted]], lines))
        ratios = {name: [fitted_seconds(row, constants) / row["seconds"] for row in kept]
                  for name, constants in fitted.items()}
        print("fitted ratios: " + "; ".join(f"{name} {min(r):.2f}-{max(r):.2f} (root mean square of the log "
                                            f"{math.sqrt(sum(math.log(x) ** 2 for x in r) / len(r)):.3f})"
                                            for name, r in ratios.items()))
    print()
    print(table(["first training of the architecture", "recurrent layers", "first s", "small warm s",
                 "compile s per layer", "cost.py's compile s per layer"],
                [[label, layers, first, again, (first - again) / layers, compile_now]
                 for label, layers, first, again, compile_now in compiles]))
    print("(wall seconds; the first row also pays TensorFlow's first training in the process; an architecture in "
          "the persistent XLA cache loads instead of compiling)")

    print()
    grid_rows = [row for row in rows if not row["small"]]
    ratios = [row["estimated"] / row["seconds"] for row in grid_rows]
    small_ratios = [row["estimated"] / row["seconds"] for row in rows if row["small"]] or [float("nan")]
    large = [row for row in rows if row["seconds"] >= LARGE_SECONDS]
    within = all(1 - TOLERANCE <= r <= 1 + TOLERANCE for r in ratios)
    worst = sorted(grid_rows, key=lambda row: abs(math.log(row["estimated"] / row["seconds"])))[-3:]
    print(f"target: every grid configuration's estimate within ±{TOLERANCE:.0%} of its seconds (uncalibrated): "
          f"ratios {min(ratios):.2f}-{max(ratios):.2f}, median {median(ratios):.2f}; farthest: "
          + ", ".join(f"{row['label']} {row['estimated'] / row['seconds']:.2f}" for row in reversed(worst))
          + f" -> {verdict(within)} (the small trainings: {min(small_ratios):.2f}-{max(small_ratios):.2f})")
    large_ok = all(row["estimated"] / row["seconds"] >= LARGE_UNDER for row in large)
    print(f"target: no training of {LARGE_SECONDS:g} s or more estimated below {LARGE_UNDER:.0%} of its seconds: "
          + ", ".join(f"{row['label']} {row['estimated'] / row['seconds']:.2f}" for row in large)
          + f" -> {verdict(large_ok)}")
    print(f"load average at the end: {os.getloadavg()[0]:.1f}; benchmark ran {time.perf_counter() - began:.0f} s")
    for failure in failures:
        print(f"FAILED: {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
