"""
One seed scheme for every model: each initialiser gets a seed of its own,
derived from the configuration's seed and the layer's index.

`keras.utils.set_random_seed` would be simpler, but it is process-wide: two
students training at once would disturb each other. So every recurrent
layer's kernel and recurrent kernel, and every Dense layer's kernel, is
seeded here, and the same configuration always starts from the same weights.
The numbers are plain functions so the generated Keras scripts can print them.
"""

from __future__ import annotations

from .backend import keras as _keras

_MODULUS = 2**31 - 1


def recurrent_seeds(seed: int, index: int) -> tuple[int, int]:
    """The (kernel, recurrent kernel) initialiser seeds of recurrent layer `index`."""
    base = (seed * 1_000_003 + index * 7919 + 17) % _MODULUS
    return base, base + 1


def dense_seed(seed: int, index: int = 0) -> int:
    """The kernel initialiser seed of Dense layer `index`."""
    return (seed * 1_000_003 + index * 104_729 + 5) % _MODULUS


def recurrent(seed: int, index: int) -> dict:
    """Keyword arguments seeding recurrent layer `index` (Glorot kernel, orthogonal recurrent kernel)."""
    keras = _keras()
    kernel, recurrent_kernel = recurrent_seeds(seed, index)
    return {"kernel_initializer": keras.initializers.GlorotUniform(seed=kernel),
            "recurrent_initializer": keras.initializers.Orthogonal(seed=recurrent_kernel)}


def dense(seed: int, index: int = 0) -> dict:
    """Keyword arguments seeding Dense layer `index`."""
    return {"kernel_initializer": _keras().initializers.GlorotUniform(seed=dense_seed(seed, index))}
