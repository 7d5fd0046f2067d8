"""
The training loop: `steps_per_execution` optimizer steps in one compiled call.

Keras' `fit` with `steps_per_execution` runs its steps in a TensorFlow loop that launches the compiled
(XLA) step once per step and pulls each batch from a `tf.data` iterator. For the small models of these
lessons that launch is a good part of a step (`benchmarks/efficiency.py` times both), so here the loop
over the steps is inside the compiled function too: one call takes a block of whole batches, runs the
model's own `train_step` on each (traced once, in the loop's body), and returns its metrics' results
after the last one, the logs Keras' call returns. Everything else is Keras' `fit` as the engine uses
it: batches in order (no shuffling), the metrics reset at each epoch's start, the callbacks'
`on_train_begin`, `on_epoch_begin`, `on_train_batch_end(last step's index, logs)`, `on_epoch_end` and
`on_train_end`, and a stop when a callback sets `model.stop_training`.

The compiled function is kept on the model (one trace and compile per model, whatever the number of
steps in the call: a shorter last block is padded and its step count passed in).
"""

from __future__ import annotations

import numpy as np


def _block_function(model, steps_per_execution: int, jit_compile: bool):
    """The model's compiled block of steps, made on first use."""
    key = (steps_per_execution, jit_compile)
    kept = getattr(model, "_lstm_explorer_block", None)
    if kept is not None and kept[0] == key:
        return kept[1]
    import tensorflow as tf

    def block(inputs, targets, count):
        def body(index):
            model.train_step((tf.gather(inputs, index), tf.nest.map_structure(
                lambda target: tf.gather(target, index), targets)))  # its updates are the loop's effects
            return (index + 1,)

        tf.while_loop(lambda index: index < count, body, (tf.constant(0),), maximum_iterations=steps_per_execution)
        return model.get_metrics_result()  # what the last step's train_step returned: its trackers' results

    # autograph=False: the loop is TensorFlow's already, and AutoGraph's rewriting of train_step and the Keras
    # code it calls cost most of a second of every cold start (benchmarks/cold_start.py).
    function = tf.function(block, jit_compile=jit_compile, reduce_retracing=True, autograph=False)
    model._lstm_explorer_block = (key, function)
    return function


def _blocks(values, batch_size: int, start: int, count: int, steps_per_execution: int):
    """Steps `start` … `start + count` of `values` as `[steps_per_execution, batch, …]`, zero-padded."""
    chunk = values[start * batch_size:(start + count) * batch_size].reshape(count, batch_size, *values.shape[1:])
    if count < steps_per_execution:
        chunk = np.concatenate([chunk, np.zeros((steps_per_execution - count, *chunk.shape[1:]), chunk.dtype)])
    return chunk


def train(model, inputs, targets, *, batch_size: int, epochs: int, steps_per_execution: int,
          jit_compile: bool, callbacks=()) -> None:
    """Keras' `fit(inputs, targets, batch_size, epochs, shuffle=False, callbacks)` for whole batches, the steps
    of each call compiled together. `targets` is an array or a dict of arrays (one per named output)."""
    steps_per_epoch = len(inputs) // batch_size
    run = _block_function(model, steps_per_execution, jit_compile)
    for callback in callbacks:
        callback.set_model(model)
    model.stop_training = False
    for callback in callbacks:
        callback.on_train_begin()
    for epoch in range(epochs):
        model.reset_metrics()
        for callback in callbacks:
            callback.on_epoch_begin(epoch)
        for start in range(0, steps_per_epoch, steps_per_execution):
            count = min(steps_per_execution, steps_per_epoch - start)
            block = lambda values: _blocks(values, batch_size, start, count, steps_per_execution)  # noqa: E731
            logs = run(block(inputs), {name: block(value) for name, value in targets.items()}
                       if isinstance(targets, dict) else block(targets), np.int32(count))
            logs = {name: float(value) for name, value in logs.items()}
            for callback in callbacks:
                callback.on_train_batch_end(start + count - 1, logs)
            if model.stop_training:
                break
        for callback in callbacks:
            callback.on_epoch_end(epoch, {})
        if model.stop_training:
            break
    for callback in callbacks:
        callback.on_train_end()
