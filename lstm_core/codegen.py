"""
The equivalent Keras script for a configuration, ready to copy.

Students see the code behind the sliders: a plain, self-contained script in
the book's order (generate data, define the model, fit, evaluate, predict)
that needs only numpy and Keras, and that trains the same architecture with
the same recipe the app uses.
"""

from __future__ import annotations

from .config import RectangleConfig, SineConfig
from .training import JIT_COMPILE, STEPS_PER_EXECUTION


def sine_script(config: SineConfig) -> str:
    lstm_lines = []
    for index in range(config.depth):
        sequences = ", return_sequences=True" if index < config.depth - 1 else ""
        lstm_lines.append(f"        layers.LSTM({config.units}{sequences}),")
    lstm = "\n".join(lstm_lines)
    return f'''"""Stacked LSTM on the damped sine wave (chapter 7), as trained by LSTM Explorer."""
import numpy as np
import keras
from keras import layers

length, output = {config.length}, {config.output}


def generate_examples(n, rng):
    """n random damped sine waves: the first `length` points in, the next `output` out."""
    period = rng.integers({config.period_range[0]}, {config.period_range[1]} + 1, size=(n, 1))
    decay = rng.uniform({config.decay_range[0]}, {config.decay_range[1]}, size=(n, 1))
    i = np.arange(length + output)
    waves = 0.5 + 0.5 * np.sin(2 * np.pi * i / period) * np.exp(-decay * i)
    return waves[:, :length, None].astype("float32"), waves[:, length:].astype("float32")


rng = np.random.default_rng({config.seed})
model = keras.Sequential([
        keras.Input(shape=(length, 1)),
{lstm}
        layers.Dense(output),
])
model.compile(loss="mae", optimizer=keras.optimizers.Adam({config.learning_rate}),
              jit_compile={JIT_COMPILE}, steps_per_execution={STEPS_PER_EXECUTION["sine"]})
model.summary()

X, y = generate_examples({config.train_size}, rng)
model.fit(X, y, batch_size={config.batch_size}, epochs={config.epochs}, shuffle=False)

X, y = generate_examples(1000, np.random.default_rng(12345))
print("MAE: %f" % model.evaluate(X, y, verbose=0))
print("expected: ", np.round(y[0], 3))
print("predicted:", np.round(model.predict(X[:1], verbose=0)[0], 3))
'''


def rectangle_script(config: RectangleConfig) -> str:
    return f'''"""Generative LSTM that draws rectangles (chapter 11), as trained by LSTM Explorer."""
import numpy as np
import keras
from keras import layers


def rectangle_pairs(n, rng):
    """n random rectangles, each as 3 pairs: corner -> next corner, clockwise from [0,0]."""
    w, h = rng.random(n), rng.random(n)
    z = np.zeros(n)
    corners = np.stack([np.stack(c, axis=1) for c in [(z, z), (w, z), (w, h), (z, h)]], axis=1)
    X = corners[:, :3].reshape(-1, 1, 2)
    y = corners[:, 1:].reshape(-1, 2)
    return X.astype("float32"), y.astype("float32")


model = keras.Sequential([
    keras.Input(shape=(1, 2)),
    layers.LSTM({config.units}),
    layers.Dense(2, activation="linear"),
])
model.compile(loss="mae", optimizer=keras.optimizers.Adam({config.learning_rate}),
              jit_compile={JIT_COMPILE}, steps_per_execution={STEPS_PER_EXECUTION["rectangles"]})
model.summary()

# One fit call over all rectangles, in order (the book calls fit once per rectangle).
X, y = rectangle_pairs({config.train_size}, np.random.default_rng({config.seed}))
model.fit(X, y, batch_size={config.batch_size}, epochs={config.epochs}, shuffle=False, verbose=2)

# Draw a rectangle from [0, 0]: each predicted corner is fed back as the next input.
point = np.zeros((1, 1, 2), dtype="float32")
corners = [point[0, 0]]
for _ in range(3):
    point = model.predict(point, verbose=0).reshape(1, 1, 2)
    corners.append(point[0, 0])
print("drawn rectangle:", np.round(np.array(corners), 3).tolist())
'''


def keras_script(config) -> str:
    if isinstance(config, SineConfig):
        return sine_script(config)
    if isinstance(config, RectangleConfig):
        return rectangle_script(config)
    raise TypeError(f"unknown configuration {config!r}")
