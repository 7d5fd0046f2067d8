"""
lstm_core: everything LSTM Explorer computes, with no Streamlit in it.

- `config`: frozen, validated configurations of the two book experiments;
- `data`: vectorised generators (damped sine waves, random rectangles);
- `models`: Keras model builders and parameter formulas;
- `training`: one `fit` call per configuration, with epoch callbacks;
- `evaluate`: held-out MAE, rectangle drawings and their consistency error;
- `store`: trained models on local disk; `service`: store-or-train, shared and bounded;
- `figures`: Plotly figures; `codegen`: the equivalent Keras script;
- `cli`: `python -m lstm_core ...`.

Importing this package does not import TensorFlow; `backend.keras()` does,
the first time a model is built, trained or loaded.
"""

from .config import ConfigError, RectangleConfig, SineConfig

__all__ = ["ConfigError", "RectangleConfig", "SineConfig"]
