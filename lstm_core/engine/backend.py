"""
The one door to Keras and TensorFlow.

`import tensorflow` costs 3-5 seconds, so nothing in LSTM Explorer imports it
at module level: code that builds, trains or runs a model calls `keras()` here
the first time it needs it. The first call also sets TensorFlow's thread pools
(one intra-op and one inter-op thread by default, measured fastest for these
small LSTMs on a 2-core machine; `LSTM_EXPLORER_THREADS` changes it) and quiets
TensorFlow's start-up log lines.
"""

from __future__ import annotations

import gc
import os
import threading

_lock = threading.Lock()
_keras = None


def threads() -> int:
    try:
        return max(0, int(os.environ.get("LSTM_EXPLORER_THREADS", "1")))
    except ValueError:
        return 1


def keras():
    """Import Keras (TensorFlow backend) once, configured for this machine."""
    global _keras
    if _keras is not None:
        return _keras
    with _lock:
        if _keras is None:
            os.environ.setdefault("KERAS_BACKEND", "tensorflow")
            os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
            import tensorflow as tf

            count = threads()
            try:
                tf.config.threading.set_intra_op_parallelism_threads(count)
                tf.config.threading.set_inter_op_parallelism_threads(count)
            except RuntimeError:
                pass  # TensorFlow was already initialised by someone else: keep its pools.
            import keras as keras_module

            # Streamlit collects garbage after every rerun (twice once Keras is loaded), and a full
            # collection walks every object: TensorFlow's ~400,000 took 0.2-0.4 s a rerun. Freeze them
            # (moved out of the collector's sight; objects made later are collected as usual).
            gc.freeze()
            _keras = keras_module
    return _keras


def is_loaded() -> bool:
    """True once Keras has been imported through `keras()`."""
    return _keras is not None
