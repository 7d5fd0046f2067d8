"""
The engine: how any experiment is trained, shared and kept.

- `backend`: the one door to Keras (imported lazily, threads set once);
- `config`: the validation every configuration shares, and its stable key;
- `seeds`: the seed of every initialiser, derived from the configuration;
- `experiment`: what the engine needs to know about an experiment (`Experiment`, `Recipe`);
- `fit`: one `fit` for every model, one pool of compiled models, one `Trained` record;
- `trainer`: memory → store → one shared, bounded training in a worker thread;
- `store`: trained models and their records on disk, written atomically.
"""
