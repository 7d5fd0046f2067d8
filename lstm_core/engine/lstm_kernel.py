"""
A training-only LSTM loop for the CPU: Keras' weights, outputs and gradients, fewer operations a step.

Keras runs an LSTM on a CPU as a generic loop over time. Each step multiplies the input by the kernel
and the previous output by the recurrent kernel, and the backward pass that autodiff derives from it
multiplies and accumulates both kernels' gradients step by step. Matrices this small cost their
operations' overhead far more than their arithmetic (`benchmarks/efficiency.py`), so this loop keeps
only what depends on the previous step inside the loop:

    z_t = (x_t W + b) + h_{t-1} U            x W + b for every step at once, before the loop
    i, f, o = σ(z_t), g = tanh(z_t)          Keras' gate order in z: i, f, g, o
    c_t = f ⊙ c_{t-1} + i ⊙ g
    h_t = o ⊙ tanh(c_t)

and its backward pass is written by hand, carrying only ∂h and ∂c back through time:

    ∂h_t = ∂out_t + ∂z_{t+1} Uᵀ
    ∂c_t = ∂c_{t+1} ⊙ f_{t+1} + ∂h_t ⊙ o ⊙ (1 − tanh² c_t)
    ∂z_t = [∂c_t ⊙ g ⊙ i(1−i),  ∂c_t ⊙ c_{t-1} ⊙ f(1−f),  ∂c_t ⊙ i ⊙ (1−g²),  ∂h_t ⊙ tanh c_t ⊙ o(1−o)]

then every weight's gradient is one matmul over all steps: ∂U = Σ_t h_{t-1}ᵀ ∂z_t, ∂W = Σ_t x_tᵀ ∂z_t,
∂b = Σ_t ∂z_t, ∂x_t = ∂z_t Wᵀ.

Only the engine's pooled training models use it (`use_in`, called by `fit._borrow`); the models
handed back, saved and predicted with keep Keras' own `LSTM`, so the store's files do not change.
What it does not cover (masks, dropout, other activations, no bias, unrolled loops) runs Keras' loop.
`tests/core/test_lstm_kernel.py` checks the outputs, states and every gradient against Keras.
"""

from __future__ import annotations

from .backend import keras as _keras

_layer_class = None


def lstm(sequences, h0, c0, kernel, recurrent_kernel, bias):
    """`(outputs [batch, steps, units], last cell state)` of one LSTM layer, with the backward pass above."""
    import tensorflow as tf

    @tf.custom_gradient
    def run(x, h0, c0, kernel, recurrent_kernel, bias):
        units, width = recurrent_kernel.shape[0], x.shape[-1]
        steps = x.shape[1] if x.shape[1] is not None else tf.shape(x)[1]
        batch = tf.shape(x)[0]
        flat_x = tf.reshape(tf.transpose(x, [1, 0, 2]), [-1, width])  # time major: rows t·batch … t·batch + batch
        projected = tf.reshape(tf.matmul(flat_x, kernel) + bias, [steps, batch, 4 * units])

        def forward(t, h, c, hs, cs, gates):
            z = projected[t] + tf.matmul(h, recurrent_kernel)
            sig = tf.sigmoid(z)
            i, f, g, o = sig[:, :units], sig[:, units:2 * units], tf.tanh(z[:, 2 * units:3 * units]), sig[:, 3 * units:]
            c = f * c + i * g
            h = o * tf.tanh(c)
            return t + 1, h, c, hs.write(t, h), cs.write(t, c), gates.write(t, tf.concat([i, f, g, o], 1))

        arrays = [tf.TensorArray(x.dtype, size=steps) for _ in range(3)]
        _, _, _, hs, cs, gates = tf.while_loop(lambda t, *_: t < steps, forward, (0, h0, c0, *arrays),
                                               maximum_iterations=steps)
        hs, cs, gates = hs.stack(), cs.stack(), gates.stack()  # [steps, batch, ·]

        def backward(d_outputs, d_last_c):
            d_outputs = tf.zeros_like(hs) if d_outputs is None else tf.transpose(d_outputs, [1, 0, 2])
            d_last_c = tf.zeros_like(c0) if d_last_c is None else d_last_c
            c_before = tf.concat([c0[None], cs[:-1]], 0)
            recurrent_t = tf.transpose(recurrent_kernel)

            def step(t, d_h_next, d_c_next, d_zs):
                i, f, g, o = (gates[t][:, k * units:(k + 1) * units] for k in range(4))
                d_h = d_outputs[t] + d_h_next
                tanh_c = tf.tanh(cs[t])
                d_c = d_c_next + d_h * o * (1 - tanh_c * tanh_c)
                d_z = tf.concat([d_c * g * i * (1 - i), d_c * c_before[t] * f * (1 - f), d_c * i * (1 - g * g),
                                 d_h * tanh_c * o * (1 - o)], 1)
                return t - 1, tf.matmul(d_z, recurrent_t), d_c * f, d_zs.write(t, d_z)

            _, d_h0, d_c0, d_zs = tf.while_loop(
                lambda t, *_: t >= 0, step,
                (steps - 1, tf.zeros_like(h0), d_last_c, tf.TensorArray(x.dtype, size=steps)), maximum_iterations=steps)
            d_z = tf.reshape(d_zs.stack(), [-1, 4 * units])
            h_before = tf.reshape(tf.concat([h0[None], hs[:-1]], 0), [-1, units])
            d_x = tf.transpose(tf.reshape(tf.matmul(d_z, kernel, transpose_b=True), [steps, batch, width]), [1, 0, 2])
            return (d_x, d_h0, d_c0, tf.matmul(flat_x, d_z, transpose_a=True),
                    tf.matmul(h_before, d_z, transpose_a=True), tf.reduce_sum(d_z, 0))

        return (tf.transpose(hs, [1, 0, 2]), cs[-1]), backward

    return run(sequences, h0, c0, kernel, recurrent_kernel, bias)


def layer_class():
    """`keras.layers.LSTM` whose loop is `lstm` above wherever it covers the layer's settings."""
    global _layer_class
    if _layer_class is not None:
        return _layer_class
    keras = _keras()
    import tensorflow as tf

    tanh, sigmoid = keras.activations.get("tanh"), keras.activations.get("sigmoid")

    class TrainingLSTM(keras.layers.LSTM):
        def covered(self, mask, training) -> bool:
            cell = self.cell
            # `training` last: it may be a tensor, which has no truth value while tracing.
            dropping = (cell.dropout or cell.recurrent_dropout) and training
            return (mask is None and not self.unroll and cell.use_bias and cell.activation is tanh
                    and cell.recurrent_activation is sigmoid and not dropping)

        def inner_loop(self, sequences, initial_state, mask, training=False):
            if not self.covered(mask, training):
                return super().inner_loop(sequences, initial_state, mask, training=training)
            if self.go_backwards:  # Keras' loop also returns the outputs in the order it read the steps
                sequences = tf.reverse(sequences, [1])
            cell = self.cell
            outputs, last_c = lstm(sequences, initial_state[0], initial_state[1], tf.convert_to_tensor(cell.kernel),
                                   tf.convert_to_tensor(cell.recurrent_kernel), tf.convert_to_tensor(cell.bias))
            return outputs[:, -1], outputs, [outputs[:, -1], last_c]

    _layer_class = TrainingLSTM
    return TrainingLSTM


def use_in(model) -> int:
    """Make every Keras `LSTM` layer of `model` (wrapped ones too) a `TrainingLSTM`; return how many.

    The layers keep their weights and settings: only their loop changes. Call it on a model no one
    else holds (the engine's pooled copy): a model saved with these layers would need this class to load.
    """
    keras, swapped = _keras(), 0
    for layer in model._flatten_layers(include_self=False, recursive=True):
        if type(layer) is keras.layers.LSTM:
            layer.__class__ = layer_class()
            swapped += 1
    return swapped
