"""
lstm_core: everything LSTM Explorer computes, with no Streamlit in it, in layers.

- `engine/`: one `fit` for every model, the `Trainer` (memory, store, shared
  bounded trainings), the model store, seeds and configuration checks;
- `experiments/`: one module per experiment (sine, rectangles, window,
  cells, explode, forecasting), found through the registry in its `__init__`;
- `data`, `evaluate`: data generators and metrics the experiments share;
  `gates`, `ladder`, `problems`, `presets`: what the lessons compute from
  trained models (LSTM equations, training-size ladders, diagrams, presets);
- `figures/`: Plotly figures, pure functions from arrays;
- `tools/`: the command line (`python -m lstm_core`), prewarm and exports.

Importing this package does not import TensorFlow; `engine.backend.keras()`
does, the first time a model is built, trained or loaded.
"""
