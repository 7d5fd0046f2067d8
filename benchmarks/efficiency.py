"""
Efficiency: how far the app's training is from what this machine's CPU can do.

For each workload it measures the training throughput in *example-steps per
second* (examples × time steps each, per second of a compiled epoch, after
the compile) and turns it into an estimated GFLOP/s from the LSTM's matmul
count: one LSTM layer with `i` inputs and `u` units multiplies a
`[batch, i + u]` matrix by a `[i + u, 4u]` one at every time step, 2·4u(i+u)
FLOPs per example, and training costs about three times the forward pass
(forward, then gradients for the inputs and for the weights). The gates'
element-wise work is not counted, so the estimate is a lower bound.

Next to it, the machine's measured peak with the same thread settings:
the same small matmul (`[batch, i + u] × [i + u, 4u]`) chained 2,000 times in
one XLA-compiled loop (the best of runs before and after the trainings), and a
large 512×512 matmul (what the cores can do at best). The app's rows train as
the engine does (its LSTM loop, `engine/lstm_kernel.py`, and its loop of steps,
`engine/loop.py`); the rows marked "Keras' loop" with Keras' LSTM and `fit`, in
the same run.

    .venv/bin/python benchmarks/efficiency.py        # about a minute
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

from _common import machine_line, median, quiet_tensorflow, table


def lstm_training_flops(config) -> float:
    """Estimated training FLOPs per example-step (matmuls only, ×3 for forward plus backward)."""
    from lstm_core.experiments import SineConfig

    if isinstance(config, SineConfig):
        inputs, total = 1, 0
        for _ in range(config.depth):
            total += 2 * 4 * config.units * (inputs + config.units)
            inputs = config.units
        total += 2 * config.units * config.output / config.length  # the Dense layer, once per example
    else:
        total = 2 * 4 * config.units * (2 + config.units) + 2 * config.units * 2
    return 3.0 * total


def time_steps(config) -> int:
    return getattr(config, "length", 1)


def measure_training(config, label: str, *, jit: bool | None = None, steps_per_execution: int | None = None,
                     batch_size: int | None = None, examples: int | None = None, repeats: int = 2,
                     engine_loops: bool = True) -> dict:
    """Throughput of fit on `config`'s data with the app's compile (its experiment's recipe, or the overrides),
    after a warm-up fit. (A plain Keras `fit` of the experiment's model with the recipe's loss, optimizer, XLA and
    steps per execution, not the engine's recording step, which also reports each output's loss and the gradient
    norm.) With `engine`, as the engine's pooled models train: its LSTM layers run the engine's LSTM loop
    (`engine/lstm_kernel.py`) and the steps of a call run in one compiled loop (`engine/loop.py`); without,
    Keras' own LSTM and `fit`."""
    from lstm_core import experiments
    from lstm_core.engine import fit as engine
    from lstm_core.engine import loop, lstm_kernel
    from lstm_core.engine.backend import keras

    experiment = experiments.of(config)
    recipe = experiment.recipe(config)
    inputs, targets = experiment.data(config)
    if examples is not None:
        inputs, targets = inputs[:examples], targets[:examples]
    batch = batch_size or recipe.batch_size
    spe = steps_per_execution or recipe.steps_per_execution
    model = engine.plain_model(experiment, config)
    if engine_loops:
        lstm_kernel.use_in(model)
    model.compile(loss=recipe.loss, optimizer=keras().optimizers.Adam(recipe.learning_rate),
                  jit_compile=(recipe.jit_compile and engine.JIT_COMPILE) if jit is None else jit,
                  steps_per_execution=spe)
    jit_compile = model.jit_compile

    def epoch(inputs, targets):
        if engine_loops:
            loop.train(model, inputs, targets, batch_size=batch, epochs=1, steps_per_execution=spe,
                       jit_compile=jit_compile)
        else:
            model.fit(inputs, targets, batch_size=batch, epochs=1, verbose=0, shuffle=False)

    began = time.perf_counter()
    epoch(inputs[:batch * spe], targets[:batch * spe])
    compile_seconds = time.perf_counter() - began
    seconds = []
    for _ in range(repeats):
        began = time.perf_counter()
        epoch(inputs, targets)
        seconds.append(time.perf_counter() - began)
    epoch = median(seconds)
    example_steps = len(inputs) * time_steps(config) / epoch
    return {"label": label, "batch": batch, "compile_seconds": compile_seconds, "seconds": epoch,
            "examples": len(inputs), "steps_per_second": len(inputs) / batch / epoch,
            "example_steps_per_second": example_steps,
            "gflops": example_steps * lstm_training_flops(config) / 1e9}


def matmul_peak(rows: int, inner: int, columns: int, iterations: int) -> float:
    """GFLOP/s of `iterations` chained `[rows, inner] × [inner, columns]` matmuls in one XLA-compiled loop."""
    quiet_tensorflow()
    import tensorflow as tf

    rng = np.random.default_rng(0)
    start = tf.constant(rng.standard_normal((rows, inner)).astype(np.float32) * 0.1)
    weights = tf.constant(rng.standard_normal((inner, columns)).astype(np.float32) * 0.1)

    @tf.function(jit_compile=True)
    def chain(x):
        def body(i, x):
            y = tf.matmul(x, weights)
            return i + 1, y[:, :inner] if columns >= inner else tf.tile(y, [1, inner // columns + 1])[:, :inner]
        return tf.while_loop(lambda i, x: i < iterations, body, (tf.constant(0), x))[1]

    chain(start).numpy()  # compile
    seconds = []
    for _ in range(5):
        began = time.perf_counter()
        chain(start).numpy()
        seconds.append(time.perf_counter() - began)
    return 2.0 * rows * inner * columns * iterations / min(seconds) / 1e9


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--skip-book", action="store_true", help="do not measure the book's (uncompiled) recipe")
    args = parser.parse_args()
    print("# Efficiency: training throughput against the machine's matmul peak")
    print(machine_line())
    began = time.perf_counter()
    imported = quiet_tensorflow()
    from lstm_core.engine.backend import threads
    from lstm_core.experiments import RectangleConfig, SineConfig

    sine, rectangles = SineConfig(), RectangleConfig()
    widest = sine.units + sine.units  # the second layer's [batch, 2u] × [2u, 4u]
    # The peak is the best this machine gave in the run: measured before and after the trainings, the higher kept.
    small_before = matmul_peak(sine.batch_size, widest, 4 * sine.units, 2_000)
    runs = [measure_training(sine, "sine, app default")]
    runs.append(measure_training(sine, "sine, app default with Keras' LSTM and fit", engine_loops=False))
    runs.append(measure_training(sine, "sine, app default but 1 step per execution", steps_per_execution=1))
    if not args.skip_book:
        runs.append(measure_training(sine, "sine, book recipe (batch 10, no XLA, Keras' LSTM and fit)", jit=False,
                                     steps_per_execution=1, batch_size=10, examples=2_000, repeats=1, engine_loops=False))
    runs.append(measure_training(rectangles, "rectangles, app default"))
    runs.append(measure_training(rectangles, "rectangles, app default with Keras' LSTM and fit", engine_loops=False))
    runs.append(measure_training(rectangles, "rectangles, book batch 3 in one fit (XLA, Keras' LSTM)", batch_size=3,
                                 examples=15_000, engine_loops=False))

    small = max(small_before, matmul_peak(sine.batch_size, widest, 4 * sine.units, 2_000))
    small_rect = matmul_peak(rectangles.batch_size, 2 + rectangles.units, 4 * rectangles.units, 2_000)
    large = matmul_peak(512, 512, 512, 20)
    print()
    rows = []
    for run in runs:
        peak = small if run["label"].startswith("sine") else small_rect
        rows.append([run["label"], run["batch"], run["seconds"], int(run["steps_per_second"]),
                     int(run["example_steps_per_second"]), run["gflops"], f"{100 * run['gflops'] / peak:.0f}%",
                     f"{100 * run['gflops'] / large:.1f}%", run["compile_seconds"]])
    print(table(["workload", "batch", "epoch s", "steps/s", "example-steps/s", "est. GFLOP/s",
                 "of small-matmul peak", "of 512² matmul peak", "first fit (compile) s"], rows))
    print()
    print(table(["plain matmul, XLA loop", "GFLOP/s"], [
        [f"[{sine.batch_size}, {widest}] × [{widest}, {4 * sine.units}] (one sine LSTM step)", small],
        [f"[{rectangles.batch_size}, {2 + rectangles.units}] × [{2 + rectangles.units}, {4 * rectangles.units}] "
         "(one rectangle LSTM step)", small_rect],
        ["[512, 512] × [512, 512]", large]]))
    print()
    print(f"TensorFlow threads: {threads()} intra-op and inter-op (LSTM_EXPLORER_THREADS); import took {imported:.1f} s")
    print(f"FLOPs per example-step (training, matmuls only): sine {lstm_training_flops(sine):,.0f}, "
          f"rectangles {lstm_training_flops(rectangles):,.0f}")
    app = runs[0]
    print(f"ratio: the app's sine training reaches {app['gflops'] / small:.0%} of the small-matmul peak and "
          f"{app['gflops'] / large:.1%} of the large-matmul peak (target: 25%); "
          f"{app['gflops'] / runs[1]['gflops']:.2f}× the throughput of Keras' LSTM and fit")
    print(f"(benchmark ran {time.perf_counter() - began:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
