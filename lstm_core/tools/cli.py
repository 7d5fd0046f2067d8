"""
The command line: `python -m lstm_core train EXPERIMENT [flags]`, for every
experiment in the registry (`sine`, `rectangles`, `window`, `cells`,
`explode`, `forecast`); each configuration field is a flag of the same name
(`train_size` → `--train-size`) with the configuration's default.

It trains through the same model store as the app, so a model trained here
is instant in the app and a stored configuration is not trained again. It
prints one JSON object on stdout (key, metrics, history, seconds, and whether
it trained or loaded) and, with `--out`, also saves a standard Keras model
that plain `keras.saving.load_model` opens: (50, 1) → 5 for the sine,
(1, 2) → 2 for rectangles.

`python -m lstm_core store [--list] [--prune-older-than DAYS | --keep N | --clear]`
reports the model store (entries, size) and trims it, printing one JSON object.

A bad flag exits with status 2 and one line on stderr naming the flag and
its allowed range; never a traceback.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import sys

from .. import experiments
from ..engine.config import ConfigError

EXIT_USAGE = 2
PROGRESS = {"stream": None}  # where progress goes: the real stderr, even when fd 2 is filtered


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    """argparse, but errors are one line and exit 2 through our handler."""

    def error(self, message):  # noqa: D401 - argparse API
        raise UsageError(message)


def flag_name(field: str) -> str:
    return "--" + field.replace("_", "-")


def _add_fields(parser: argparse.ArgumentParser, config_type) -> None:
    """One flag per configuration field, typed and defaulted as the field is (a pair takes two values)."""
    for field in dataclasses.fields(config_type):
        default = field.default
        if isinstance(default, tuple):
            parser.add_argument(flag_name(field.name), type=type(default[0]), nargs=2, metavar=("LOW", "HIGH"),
                                default=default, help=f"default {default[0]} {default[1]}")
        elif default is None:  # set by another field (the sine's recipe sets its batch size and learning rate)
            kind = int if "int" in str(field.type) else float
            parser.add_argument(flag_name(field.name), type=kind, default=None, help="default: the recipe's")
        else:
            parser.add_argument(flag_name(field.name), type=type(default), default=default,
                                help=f"default {default}")
    parser.add_argument("--out", help="also save the trained model to this .keras file")
    parser.add_argument("--store", help="model store folder (default $LSTM_EXPLORER_STORE or the user cache)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m lstm_core", description="LSTM Explorer: train and manage the lessons' models.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    train = commands.add_parser("train", help="train (or load from the store) one configuration")
    kinds = train.add_subparsers(dest="experiment", required=True, parser_class=_Parser)
    for name, experiment in experiments.EXPERIMENTS.items():
        summary = (experiment.config.__doc__ or name).strip().splitlines()[0]
        _add_fields(kinds.add_parser(name, help=summary, description=summary), experiment.config)
    _add_store_command(commands)
    _add_prewarm_command(commands)
    return parser


def config_from_args(args, argv=()):
    """The configuration the flags ask for; a recipe (`--recipe book`) also sets the epochs unless `--epochs`
    is given."""
    config_type = experiments.EXPERIMENTS[args.experiment].config
    values = {field.name: getattr(args, field.name) for field in dataclasses.fields(config_type)}
    recipes = getattr(experiments.EXPERIMENTS[args.experiment].config, "RECIPES", None)
    given = {word.split("=")[0] for word in argv}
    if recipes and "--recipe" in given and "--epochs" not in given and values.get("recipe") in recipes:
        values["epochs"] = recipes[values["recipe"]]["epochs"]
    return config_type(**{k: tuple(v) if isinstance(v, list) else v for k, v in values.items()})


def command_train(args) -> dict:
    from ..engine.store import ModelStore
    from ..engine.trainer import Trainer

    config = config_from_args(args, getattr(args, "argv", ()))
    if args.out and not args.out.endswith(".keras"):
        raise UsageError("--out must name a .keras file")
    from . import prewarm

    trainer = Trainer(ModelStore(args.store) if args.store else None)
    progress = prewarm.progress_for(PROGRESS["stream"])
    progress.start(1, 1, config)
    trained = trainer.get(config, on_update=progress.status)
    progress.end(f"trained in {trained.seconds:.1f} s" if trained.source == "trained" else f"from the {trained.source}")
    progress.close()
    result = {
        "experiment": config.experiment, "key": config.key(), "config": config.to_dict(),
        "source": trained.source, "metrics": trained.metrics, "history": trained.history,
        "seconds": round(trained.seconds, 3), "store": str(trainer.store.root),
    }
    if trained.diverged:
        result["diverged"] = trained.divergence_message()
    if args.out:
        trained.model.save(args.out)
        result["out"] = args.out
    return result


def _add_store_command(commands) -> None:
    store = commands.add_parser("store", help="list the model store, its size, and prune it")
    store.set_defaults(run=command_store)
    store.add_argument("--list", action="store_true", help="list every entry (key, size, age)")
    trim = store.add_mutually_exclusive_group()
    trim.add_argument("--prune-older-than", type=float, metavar="DAYS",
                      help="remove entries written over DAYS days ago")
    trim.add_argument("--keep", type=int, metavar="N", help="keep the N newest entries, remove the rest")
    trim.add_argument("--clear", action="store_true", help="remove every entry")
    store.add_argument("--store", help="model store folder (default $LSTM_EXPLORER_STORE or the user cache)")


def command_store(args) -> dict:
    import time

    from ..engine.store import ModelStore

    days = args.prune_older_than
    if days is not None and not (math.isfinite(days) and days >= 0):
        raise UsageError(f"--prune-older-than must be a number of days, 0 or more (got {days})")
    if args.keep is not None and args.keep < 0:
        raise UsageError(f"--keep must be 0 or more (got {args.keep})")
    store = ModelStore(args.store) if args.store else ModelStore()
    removed = []
    if args.clear or args.keep is not None or days is not None:
        removed = store.prune(keep=args.keep, older_than_days=days, clear=args.clear)
    entries = store.entries()
    result = {"store": str(store.root), "entries": len(entries), "size_bytes": store.size_bytes(),
              "removed": removed}
    if args.list:
        now = time.time()
        result["list"] = [
            {"key": e.key, "size_bytes": e.size_bytes, "age_days": round((now - e.saved_at) / 86_400, 3)}
            for e in entries]
    return result


def _add_prewarm_command(commands) -> None:
    from ..ladder import DEFAULT_SIZES

    prewarm = commands.add_parser(
        "prewarm", help="train every model the pages show by default into the store (run it before class)",
        description="Train the default models of every lesson, the models of their presets and both default "
                    "training-size ladders into the model store. Stored models are not trained again. Progress on stderr, "
                    "a JSON summary on stdout; exit status 1 if a training failed.")
    prewarm.set_defaults(run=command_prewarm)
    prewarm.add_argument("--store", help="model store folder (default $LSTM_EXPLORER_STORE or the user cache)")
    prewarm.add_argument("--sizes", type=int, nargs="+", metavar="N", default=list(DEFAULT_SIZES),
                         help="training sizes of the ladders (default: %(default)s)")
    prewarm.add_argument("--dry-run", action="store_true", help="only list what is missing; train nothing")
    prewarm.add_argument("--tiny", action="store_true",
                         help="train a few tiny models instead of the class defaults: checks the setup in seconds")


def command_prewarm(args) -> dict:
    import logging

    from . import prewarm

    logging.getLogger("tensorflow").setLevel(logging.ERROR)  # keep stderr for the progress lines
    from ..engine.store import ModelStore
    from ..engine.trainer import Trainer

    try:
        configs = prewarm.tiny_configs() if args.tiny else prewarm.default_configs(args.sizes)
    except ConfigError as error:
        raise UsageError(f"--sizes: {error}") from error
    trainer = Trainer(ModelStore(args.store) if args.store else None)
    return prewarm.prewarm(configs, trainer, progress=prewarm.progress_for(PROGRESS["stream"]), dry_run=args.dry_run)


def strict(value):
    """JSON that every parser reads: a NaN or infinite number (a diverged run's loss) becomes null."""
    if isinstance(value, dict):
        return {key: strict(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [strict(item) for item in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def main(argv=None, *, progress=None) -> int:
    """Run one command; `progress` is the stream for progress (stderr by default)."""
    PROGRESS["stream"] = progress
    parser = build_parser()
    try:
        argv = sys.argv[1:] if argv is None else list(argv)
        args = parser.parse_args(argv)
        args.argv = argv
        result = getattr(args, "run", command_train)(args)
    except UsageError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except ConfigError as error:
        print(f"error: {flag_name(error.field)}: {error}", file=sys.stderr)
        return EXIT_USAGE
    print(json.dumps(strict(result), allow_nan=False))
    return 1 if result.get("failed") else 0
