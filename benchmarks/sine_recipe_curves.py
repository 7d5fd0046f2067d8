"""
Scratch evidence for issue 14 item 4: how many Adam steps the app's sine model needs to reach the
app default's held-out MAE, by recipe (learning rate, batch, a cosine schedule), seed by seed.

The model is the app's (`plain_model` of `SineConfig(seed=S)`: the same seeded initial weights) on
the same 10,000 training waves (`training_data`, in order, as the app takes them; `--shuffle`
reshuffles each epoch as the PyTorch peer does), trained by plain Keras `fit` with XLA and 50 steps
per call; after every call the held-out MAE on the 1,000 fixed waves (`evaluate.sine_holdout`) is
measured, as `peer_pytorch.py` checks the peer every 50 steps. Printed per recipe and seed: the
first check at or below the target (the default's 0.0172) and the MAE at the end of the budget
(what a fixed-length recipe delivers: a schedule that decays to the end makes it reliable).
Steps, not seconds: one process, the machine's load does not matter here.

    .venv/bin/python benchmarks/sine_recipe_curves.py                 # about 5 minutes
    .venv/bin/python benchmarks/sine_recipe_curves.py --recipes cos:2e-2:32:500 const:3e-3:20:1000
"""

from __future__ import annotations

import argparse
import os
import sys

from _common import machine_line, quiet_tensorflow

TARGET = 0.0172  # the held-out MAE of the app's default, SineConfig() (seed 0)
RECIPES = ["const:3e-3:20:1000", "const:5e-3:20:1000", "const:1e-2:20:1000", "const:1e-2:32:1000",
           "cos:1e-2:20:500", "cos:2e-2:20:500", "cos:1e-2:32:500", "cos:2e-2:32:400", "cos:2e-2:32:500"]


def curve(seed: int, schedule: str, rate: float, batch: int, steps: int, shuffle: bool):
    """[(step, held-out MAE)] every 50 steps, for one recipe."""
    import keras
    import numpy as np
    import tensorflow as tf

    from lstm_core import evaluate, experiments
    from lstm_core.engine.fit import plain_model
    from lstm_core.experiments.sine import training_data

    config = experiments.SineConfig(seed=seed)
    inputs, targets = training_data(config)
    held_in, held_out = evaluate.sine_holdout(config)
    model = plain_model(experiments.of(config), config)
    if schedule == "cos":
        rate = keras.optimizers.schedules.CosineDecay(rate, steps, alpha=0.05)
    model.compile(loss="mae", optimizer=keras.optimizers.Adam(rate), jit_compile=True, steps_per_execution=50)
    predict = tf.function(lambda x: model(x, training=False))
    points = []

    class Check(keras.callbacks.Callback):
        def on_train_batch_end(self, batch_index, logs=None):
            step = int(model.optimizer.iterations.numpy())
            points.append((step, float(np.mean(np.abs(predict(held_in).numpy() - held_out)))))
            if step >= steps:
                self.model.stop_training = True

    usable = len(inputs) - len(inputs) % batch
    epochs = -(-steps // (usable // batch))
    model.fit(inputs[:usable], targets[:usable], batch_size=batch, epochs=epochs, shuffle=shuffle, verbose=0,
              callbacks=[Check()])
    return points


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recipes", nargs="+", default=RECIPES, help="schedule:rate:batch:steps (const or cos)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--shuffle", action="store_true")
    args = parser.parse_args(argv)
    print("# Sine: Adam steps to the app default's held-out MAE, by recipe")
    print(machine_line())
    quiet_tensorflow()
    print(f"| recipe | first check <= {TARGET} (step), per seed | MAE at the end, per seed | worst end | end <= target on every seed |")
    print("|---|---|---|---|---|")
    for recipe in args.recipes:
        schedule, rate, batch, steps = recipe.split(":")
        firsts, ends = [], []
        for seed in args.seeds:
            points = curve(seed, schedule, float(rate), int(batch), int(steps), args.shuffle)
            firsts.append(next((step for step, mae in points if mae <= TARGET), None))
            ends.append(points[-1][1])
        name = f"{'cosine' if schedule == 'cos' else 'constant'} {rate}, batch {batch}, {steps} steps"
        print(f"| {name} | {', '.join(str(f) if f else 'never' for f in firsts)} | "
              f"{', '.join(f'{e:.4f}' for e in ends)} | {max(ends):.4f} | {'yes' if max(ends) <= TARGET else 'no'} |",
              flush=True)
    print(f"load average at the end: {', '.join(f'{v:.2f}' for v in os.getloadavg())} (steps do not depend on it)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
