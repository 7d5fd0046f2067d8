"""
Building the lessons' Plotly figures: the median time of each figure function the pages call, and of
serialising it (`fig.to_json()`, about what Streamlit does before sending it), with realistic inputs.

A page runs again from the top on every slider move, and builds its figures again: under a simulated
class, building them was the largest single cost of a sine rerun (about 100 ms of 210 ms). It all holds
Python's interpreter lock, which every student's page run needs, so this time limits how many students
one server holds. No model is trained here: the inputs have the shapes the lessons give the figures (the
sine lesson's 50 input steps, 5 outputs and 31 replay moments, a loss curve of 100 points, the five
rectangles completed at each of 31 moments, three cells' 50-step gradient profiles, ...), drawn from a
fixed random generator.

Each figure is built `--repeats` times in this one process (after one untimed build: Plotly loads its
validators on first use); the table gives the median CPU time (this thread's: what holds the lock, and what
other programs on this shared machine do not inflate) and wall time of a build, the CPU time of its
`to_json`, and each lesson's sum over the figures it builds (a lesson builds each of them on a rerun; the
inside-the-LSTM lesson keeps its cell figure in a cache).

`--save DIR` writes the JSON of every figure in several variants (with and without a pinned run, another
moment, translated texts, ...) to DIR; `--compare DIR` builds them again and checks that each is the same
figure: the same JSON once parsed (keys in any order, every value the same, an int still an int, a numpy
array still an encoded array), and says which are also the same bytes (a figure built by one `go.Figure(...)`
lists its keys in Plotly's order, one built call by call in the calls' order). Save before changing a
figure function, compare after.

    .venv/bin/python benchmarks/figures.py                        # about 30-60 s
    .venv/bin/python benchmarks/figures.py --repeats 50 --only replay.sine
    .venv/bin/python benchmarks/figures.py --save /tmp/figures-before --repeats 0
    .venv/bin/python benchmarks/figures.py --compare /tmp/figures-before --repeats 0
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

from _common import machine_line, median, table

import numpy as np

MOMENTS = 31  # snapshots of a training the replay figures animate
CURVE_POINTS = 100  # points of a training's loss curve
WIDTHS = (0.1, 0.3, 0.5, 0.7, 0.9)  # the rectangles' given first corners (evaluate.EVALUATION_WIDTHS)
TEXTS = {"play": "▶ Abspielen", "pause": "❚❚ Pause", "moment": "Zeitpunkt des Trainings: "}  # a page's language


def damped_sine(length: int, period: float = 20.0, decay: float = 40.0, start: int = 0) -> np.ndarray:
    steps = np.arange(start, start + length)
    return 0.5 + 0.5 * np.sin(2 * np.pi * steps / period) * np.exp(-steps / decay)


def learning(rng, target, moments: int = MOMENTS, noise: float = 0.3) -> np.ndarray:
    """`moments` predictions of `target` (any shape) that get better as the training goes on."""
    target = np.asarray(target, dtype=float)
    scale = np.geomspace(noise, noise / 30, moments).reshape((-1,) + (1,) * target.ndim)
    return target[None] + rng.normal(size=(moments, *target.shape)) * scale


def loss_curve(seen: int, points: int = CURVE_POINTS, start: float = 0.3) -> np.ndarray:
    return np.c_[np.linspace(seen / points, seen, points), np.geomspace(start, start / 15, points)]


def rectangle(width: float, height: float, x: float = 0.0, y: float = 0.0) -> np.ndarray:
    return np.array([[x, y], [x + width, y], [x + width, y + height], [x, y + height]], dtype=float)


def cases() -> dict:
    """`{figure: (lesson, {variant: build})}`: each figure function as its pages call it, the first variant
    the one timed."""
    from lstm_core import board as class_board
    from lstm_core import stepper
    from lstm_core.experiments import RectangleConfig, SineConfig
    from lstm_core.figures import base, board, cell, concepts, ladder, replay, sequence_models, through_time
    from lstm_core.ladder import Rung
    from lstm_core.problems import unrolled

    rng = np.random.default_rng(0)

    # -- sine: 50 steps in, 5 out, 31 moments of a training of 10,000 waves for 2 epochs
    inputs, expected = damped_sine(50), damped_sine(5, start=50)
    predictions = learning(rng, expected)
    seen = np.unique(np.geomspace(320, 20_000, MOMENTS).astype(int))
    seen = np.linspace(320, 20_000, MOMENTS).astype(int) if len(seen) < MOMENTS else seen
    curve, pinned_curve = loss_curve(20_000), loss_curve(20_000, start=0.4)
    labels = replay.moment_labels(seen, seen[-1])
    pinned = expected + rng.normal(size=5) * 0.05

    def sine_replay(**options):
        return lambda: replay.sine_replay_figure(inputs, expected, predictions, seen, curve, labels=labels,
                                                 title="Damped sine wave: period 20, decay 40", **options)

    # -- rectangles: the drawing from [0, 0] and five completions at each moment, 25,000 rectangles
    free = learning(rng, rectangle(0.6, 0.4), noise=0.1)
    completed = learning(rng, np.stack([rectangle(0.5, 0.3, x=w) for w in WIDTHS]), noise=0.1)
    rectangles_seen = np.linspace(800, 25_000, MOMENTS).astype(int)
    rectangle_labels = replay.moment_labels(rectangles_seen, rectangles_seen[-1],
                                            "after {seen:,} of {total:,} rectangles")
    corner_labels = [f"from [{w}, 0]" for w in WIDTHS]

    def rectangles_replay(**options):
        return lambda: replay.rectangles_replay_figure(
            free, completed, rectangles_seen, loss_curve(25_000), labels=rectangle_labels, title="Rectangles",
            completed_labels=corner_labels, **options)

    # -- cells: three cells' gradient profiles over 50 input steps and held-out errors at each moment
    cells = ("SimpleRNN", "GRU", "LSTM")
    cell_examples = np.linspace(64, 16_384, MOMENTS).astype(int)
    gradients = {c: np.abs(learning(rng, np.geomspace(1e-6, 1.0, 50), noise=0.01)) for c in cells}
    cell_errors = {c: np.abs(learning(rng, np.array(0.1 + 0.05 * i), noise=0.1)) for i, c in enumerate(cells)}
    cell_labels = replay.moment_labels(cell_examples, cell_examples[-1])
    losses = {c: np.geomspace(0.3, 0.02 * (i + 1), 64) for i, c in enumerate(cells)}
    gates = {"GRU": {"z": rng.random((50, 16)), "r": rng.random((50, 16))},
             "LSTM": {"f": rng.random((50, 16)), "i": rng.random((50, 16)), "o": rng.random((50, 16))}}
    steps_count = 8 * 2_048 // 32
    runs = [("without clipping", np.arange(1, steps_count + 1), np.r_[np.geomspace(1, 1e6, 20), [math.inf] * 3,
                                                                       [math.nan] * (steps_count - 23)],
             np.geomspace(1, 1e8, steps_count), 21),
            ("with clipping", np.arange(1, steps_count + 1), np.geomspace(1, 0.05, steps_count),
             np.geomspace(5, 0.5, steps_count), None)]

    # -- forecasting: 50 steps in, 10 ahead, three strategies
    wave, truth = damped_sine(50), damped_sine(10, start=50)
    strategies = ("recursive", "vector", "seq2seq")
    forecasts = [{s: row for s in strategies} for row in learning(rng, truth)]
    fan = [(t, damped_sine(10, start=t + 1) + rng.normal(size=10) * 0.02) for t in range(30, 49, 2)]
    names = {"recursive": "recursive (one step)", "vector": "vector (10 at once)", "seq2seq": "sequence to sequence"}
    sweep = np.linspace(5, 60, 12)

    # -- sequence models: a gap of 5 in 20 steps; 30 steps in, 15 ahead
    gap_wave = damped_sine(20)
    gap_moments = [{"unidirectional": row, "bidirectional": row[::-1]} for row in learning(rng, gap_wave[8:13])]
    encoder_inputs, encoder_truth = damped_sine(30), damped_sine(15, start=30)
    encoder_moments = [{"encoder_decoder": row, "per_step": row[::-1]} for row in learning(rng, encoder_truth)]

    # -- inside the LSTM: one layer of 20 units stepped through the 50-step wave
    layer = stepper.layer_steps(rng.normal(size=(1, 80)), rng.normal(size=(20, 80)) * 0.3, rng.normal(size=80) * 0.1,
                                inputs.reshape(-1, 1))
    other = np.random.default_rng(1)  # its own draws: the inputs below stay those of earlier --save runs
    second_layer = stepper.layer_steps(other.normal(size=(20, 80)) * 0.3, other.normal(size=(20, 80)) * 0.3,
                                       other.normal(size=80) * 0.1, layer.trace.hidden, layer=2)
    paths = stepper.lstm_paths(layer.trace.forget_gate, 3)

    # -- training sizes: five sizes, each's replay picked at the same moments
    sizes = (100, 500, 1_000, 5_000, 10_000)
    rungs = [Rung(size=s, error=0.3 / (i + 1), epochs=2, seconds=1.0, source="trained") for i, s in enumerate(sizes)]
    rung_predictions = [learning(rng, expected) for _ in sizes]
    rung_free = [learning(rng, rectangle(0.6, 0.4), noise=0.1) for _ in sizes]
    rung_completed = [learning(rng, np.stack([rectangle(0.5, 0.3, x=w) for w in WIDTHS]), noise=0.1) for _ in sizes]

    def ladder_replay(kind: str, active=None):
        def build():
            titles = [ladder.panel_title(kind, rung) for rung in rungs]
            if kind == "sine":
                fig = ladder.sine_panels_figure(rungs, inputs, expected, [p[-1] for p in rung_predictions],
                                                titles=titles)
                frames = [ladder.sine_panel_frames([p[k] for p in rung_predictions]) for k in range(MOMENTS)]
                traces = list(range(2, len(fig.data), 3))
            else:
                fig = ladder.rectangle_panels_figure(rungs, [f[-1] for f in rung_free], [c[-1] for c in rung_completed],
                                                     titles=titles)
                frames = [ladder.rectangle_panel_frames([f[k] for f in rung_free], [c[k] for c in rung_completed])
                          for k in range(MOMENTS)]
                traces = list(range(len(fig.data)))
            moment_titles = [[f"{rung.size:,}: after {k}" for rung in rungs] for k in range(MOMENTS)]
            return replay.animate(ladder.replay_layout(fig), frames, traces=traces, labels=labels, active=active,
                                  texts=TEXTS, titles=moment_titles)
        return build

    # -- the class board: 60 runs of a class
    board_rows = [class_board.Row(f"key{index}", "sine", SineConfig(units=int(units), train_size=int(size),
                                                                 recipe=("book", "fast")[index % 2]),
                                  float(error), int(units) * 260, 10.0, 0.0)
                  for index, (units, size, error) in enumerate(zip(rng.choice([4, 10, 20, 40], 60),
                                                                   rng.choice([1_000, 5_000, 10_000], 60),
                                                                   rng.uniform(0.01, 0.2, 60)))]
    front = sorted(board_rows, key=lambda row: row.parameters)[:6]
    hover = [f"run {row.key}" for row in board_rows]
    rectangle_rows = [class_board.Row(f"r{i}", "rectangles", RectangleConfig(units=u), 0.05, u * 100, 1.0, 0.0)
                      for i, u in enumerate((4, 10, 20))]

    return {
        "replay.sine_replay_figure": ("sine", {
            "default": sine_replay(texts=TEXTS),
            "pinned": sine_replay(pinned=pinned, pinned_curve=pinned_curve),
            "active 4": sine_replay(active=4, texts=TEXTS),
            "english": sine_replay(),
        }),
        "base.sine_prediction_figure": ("sine", {
            "default": lambda: base.sine_prediction_figure(inputs, expected, predictions[-1]),
            "pinned": lambda: base.sine_prediction_figure(inputs, expected, predictions[-1], pinned=pinned),
            "wave only": lambda: base.sine_prediction_figure(inputs, expected, title="The test wave"),
        }),
        "base.loss_figure": ("sine", {
            "default": lambda: base.loss_figure([0.05, 0.03], curve),
            "pinned": lambda: base.loss_figure([0.05, 0.03], curve, pinned=pinned_curve),
            "by epoch": lambda: base.loss_figure([0.3, 0.2, 0.1]),
        }),
        "replay.rectangles_replay_figure": ("rectangles", {
            "default": rectangles_replay(texts=TEXTS),
            "pinned": rectangles_replay(pinned_curve=loss_curve(25_000, start=0.5), active=3),
        }),
        "base.rectangles_figure": ("rectangles", {
            "default": lambda: replay.legend_below(base.rectangles_figure(completed[-1], corner_labels,
                                                                          title="Completed")),
            "pinned": lambda: replay.legend_below(base.rectangles_figure(free[-1], ["drawn"], pinned=free[0])),
        }),
        "replay.cells_replay_figure": ("cells", {
            "default": lambda: replay.cells_replay_figure(cell_examples, cell_errors, gradients, labels=cell_labels,
                                                          title="Cells", texts=TEXTS, marked_step=29, guess=0.25),
            "plain": lambda: replay.cells_replay_figure(cell_examples, cell_errors, gradients, labels=cell_labels,
                                                        title="Cells", active=2),
        }),
        "concepts.curves_figure": ("cells", {
            "log": lambda: concepts.curves_figure(np.arange(1, 65) * 256, losses, title="Loss", x_title="examples",
                                                  y_title="loss", log_y=True),
            "steps": lambda: concepts.curves_figure(np.arange(1, 11), {s: truth * 0.1 for s in strategies},
                                                    labels=names, title="Error", x_title="ahead", y_title="MAE"),
        }),
        "concepts.gradient_figure": ("cells", {
            "default": lambda: concepts.gradient_figure({c: g[-1] for c, g in gradients.items()},
                                                        {c: g[0] for c, g in gradients.items()}, marked_step=29),
            "trained only": lambda: concepts.gradient_figure({c: g[-1] for c, g in gradients.items()}),
        }),
        "concepts.gates_figure": ("cells", {
            "default": lambda: concepts.gates_figure(gates, marked_step=29),
            "unmarked": lambda: concepts.gates_figure({"LSTM": gates["LSTM"]}),
        }),
        "through_time.profile_figure": ("cells", {
            "default": lambda: through_time.profile_figure(np.arange(30)[::-1], np.geomspace(1e-3, 1, 30),
                                                           2.0 ** -np.arange(30)[::-1]),
        }),
        "through_time.clipping_figure": ("cells", {
            "default": lambda: through_time.clipping_figure(runs, clipnorm=1.0),
            "unclipped": lambda: through_time.clipping_figure(runs[1:], clipnorm=0.0, clip_label="Grenze"),
        }),
        "concepts.explode_figure": ("cells", {
            "default": lambda: concepts.explode_figure(runs[0][1], runs[0][2], runs[0][3], diverged_step=21,
                                                       message="overflow at step 21"),
            "finite": lambda: concepts.explode_figure(runs[1][1], runs[1][2], runs[1][3]),
        }),
        "replay.forecast_replay_figure": ("forecasting", {
            "default": lambda: replay.forecast_replay_figure(wave, truth, forecasts, labels=labels, title="Forecast",
                                                             names=names, texts=TEXTS),
            "active 0": lambda: replay.forecast_replay_figure(wave, truth, forecasts, labels=labels, title="F",
                                                              active=0),
        }),
        "concepts.forecast_figure": ("forecasting", {
            "fan": lambda: concepts.forecast_figure(wave, truth, {"seq2seq": forecasts[-1]["seq2seq"]}, labels=names,
                                                    fan=fan, title="Fan"),
            "focus": lambda: concepts.forecast_figure(wave, truth, forecasts[-1], labels=names, focus=25, title="F"),
        }),
        "concepts.range_figure": ("forecasting", {
            "default": lambda: concepts.range_figure(3, 60, 10, 30, 45, name="period"),
        }),
        "concepts.sweep_figure": ("forecasting", {
            "default": lambda: concepts.sweep_figure(sweep, {s: np.abs(np.sin(sweep / 9)) * 0.1 for s in strategies},
                                                     (10, 30), 20, field="period", labels=names),
        }),
        "sequence_models.gap_replay_figure": ("sequence_models", {
            "default": lambda: sequence_models.gap_replay_figure(
                gap_wave, 8, gap_moments, labels={}, title="Gap", moment_labels=labels, texts=TEXTS,
                still={"interpolation": np.linspace(gap_wave[7], gap_wave[13], 7)[1:-1]}),
        }),
        "sequence_models.gap_figure": ("sequence_models", {
            "default": lambda: sequence_models.gap_figure(gap_wave, 8, gap_moments[-1], labels={}, title="Gap"),
        }),
        "sequence_models.forecast_replay_figure": ("sequence_models", {
            "default": lambda: sequence_models.forecast_replay_figure(
                encoder_inputs, encoder_truth, encoder_moments, labels={}, title="Encoder-decoder",
                moment_labels=labels, texts=TEXTS),
            "teacher forced": lambda: sequence_models.forecast_replay_figure(
                encoder_inputs, encoder_truth,
                [{"free_running": m["encoder_decoder"], "teacher_forced": m["per_step"]} for m in encoder_moments],
                labels={}, title="Free running", moment_labels=labels, markers_only=("teacher_forced",), active=0),
        }),
        "sequence_models.forecast_figure": ("sequence_models", {
            "default": lambda: sequence_models.forecast_figure(encoder_inputs, encoder_truth, encoder_moments[-1],
                                                               labels={}, title="Encoder-decoder"),
        }),
        "sequence_models.errors_figure": ("sequence_models", {
            "default": lambda: sequence_models.errors_figure(np.arange(1, 16), {"encoder_decoder": encoder_truth * 0.1,
                                                                                "per_step": encoder_truth * 0.2},
                                                             labels={}, title="Errors", x_title="ahead"),
            "gap steps": lambda: sequence_models.errors_figure(
                np.arange(1, 6), {"bidirectional": [0.1, math.nan, 0.2, 0.3, 0.4], "unidirectional": encoder_truth[:5]},
                labels={"bidirectional": "both ways"}, title="Errors", x_title="missing step"),
        }),
        "concepts.unrolled_figure": ("sequence_problems", {
            "default": lambda: concepts.unrolled_figure(unrolled("many-to-many (unequal lengths)", 5, feedback=True)),
            "many-to-one": lambda: concepts.unrolled_figure(unrolled("many-to-one", 8)),
            "one-to-many": lambda: concepts.unrolled_figure(unrolled("one-to-many", 4, feedback=True), title="t"),
        }),
        "concepts.heatmap_figure": ("inside_lstm", {
            "signed": lambda: concepts.heatmap_figure(layer.trace.cell, title="Cell state", signed=True),
            "gate": lambda: concepts.heatmap_figure(layer.trace.forget_gate, title="Forget gate", signed=False),
        }),
        "concepts.units_figure": ("inside_lstm", {
            "default": lambda: concepts.units_figure(inputs, layer.trace.cell, [3, 7],
                                                     envelope=np.exp(-np.arange(50) / 40)),
            "no envelope": lambda: concepts.units_figure(inputs, layer.trace.cell, [1], unit_label="Einheit {unit}"),
        }),
        "cell.cell_figure": ("inside_lstm", {
            "default": lambda: cell.cell_figure(layer, 3, inputs),
            "second layer": lambda: cell.cell_figure(second_layer, 0, inputs, texts={"play": "▶ abspielen"}),
        }),
        "cell.gradient_path_figure": ("inside_lstm", {
            "default": lambda: cell.gradient_path_figure({**paths, "SimpleRNN": np.geomspace(1, 1e-12, 50)}, marked=20),
            "unmarked": lambda: cell.gradient_path_figure(paths, {"unit": "unit 3"}),
        }),
        "ladder.sine_panels_figure + animate": ("training_size", {
            "default": ladder_replay("sine"),
            "active 5": ladder_replay("sine", active=5),
        }),
        "ladder.rectangle_panels_figure + animate": ("training_size", {"default": ladder_replay("rectangles")}),
        "ladder.error_curve_figure": ("training_size", {
            "sine": lambda: ladder.error_curve_figure("sine", rungs),
            "rectangles": lambda: ladder.error_curve_figure("rectangles", rungs, noun="Rechtecke"),
        }),
        "ladder.rectangle_panels": ("rectangles", {
            "default": lambda: ladder.rectangle_panels([f[-1] for f in rung_free[:2]],
                                                       [c[-1] for c in rung_completed[:2]], ["continuous", "grid"],
                                                       title="Framings"),
        }),
        "replay.errors_figure": ("cells", {
            "default": lambda: replay.errors_figure({c: float(e[-1]) for c, e in cell_errors.items()}, title="Live",
                                                    guess=0.25),
            "no guess": lambda: replay.errors_figure({"GRU": 0.2, "LSTM": math.nan}, title="Live"),
        }),
        "board.board_figure": ("board", {
            "sine": lambda: board.board_figure(board_rows, front, hover, book={"parameters": 5_145, "error": 0.0217}),
            "rectangles": lambda: board.board_figure(rectangle_rows, rectangle_rows[:1], ["a", "b", "c"],
                                                     book_model=1_000),
            "empty": lambda: board.board_figure([], [], [], texts={"title": "Alle Läufe"}),
        }),
    }


def time_ms(build, repeats: int) -> tuple[float, float, float]:
    """Median ms, over `repeats` (after one untimed build), of the CPU time to build the figure, its wall time, and
    the CPU time to serialise it. CPU time is this thread's (`time.thread_time`): what holds the interpreter lock,
    and what other programs on this shared machine do not inflate as they do the wall time."""
    figure = build()
    builds, walls, serialisations = [], [], []
    for _ in range(repeats):
        began, wall = time.thread_time(), time.perf_counter()
        figure = build()
        built = time.thread_time()
        walls.append((time.perf_counter() - wall) * 1e3)
        figure.to_json()
        builds.append((built - began) * 1e3)
        serialisations.append((time.thread_time() - built) * 1e3)
    return median(builds), median(walls), median(serialisations)


def file_name(figure: str, variant: str) -> str:
    return f"{figure} [{variant}].json".replace("/", "_").replace(" ", "_")


def first_difference(before, after, path: str = "") -> str | None:
    """Where two parsed JSON values first differ (dict keys in any order), or None."""
    if isinstance(before, dict) and isinstance(after, dict):
        for key in sorted(set(before) | set(after)):
            if key not in before or key not in after:
                return f"{path}.{key}: {'only after' if key in after else 'only before'}"
            found = first_difference(before[key], after[key], f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(before, list) and isinstance(after, list):
        if len(before) != len(after):
            return f"{path}: {len(before)} items before, {len(after)} after"
        for index, (one, two) in enumerate(zip(before, after)):
            found = first_difference(one, two, f"{path}[{index}]")
            if found:
                return found
        return None
    if before != after or type(before) is not type(after):
        return f"{path}: {str(before)[:60]!r} before, {str(after)[:60]!r} after"
    return None


def save_or_compare(every: dict, folder: Path, save: bool) -> bool:
    """Write every variant's JSON to `folder`, or compare with what it holds; True if all are the same."""
    if save:
        folder.mkdir(parents=True, exist_ok=True)
    rows, same = [], True
    for figure, (_, variants) in every.items():
        for variant, build in variants.items():
            text = build().to_json()
            path = folder / file_name(figure, variant)
            if save:
                path.write_text(text)
                continue
            if not path.exists():
                rows.append([figure, variant, "not saved", ""])
                continue
            saved = path.read_text()
            difference = first_difference(json.loads(saved), json.loads(text))
            same = same and difference is None
            rows.append([figure, variant, "DIFFERENT" if difference else "same", "yes" if saved == text else "no",
                         difference or ""])
    if save:
        print(f"saved {sum(len(v) for _, v in every.values())} figures' JSON to {folder}")
        return True
    print(table(["figure", "variant", "parsed JSON", "same bytes", "first difference"],
                [row + [""] * (5 - len(row)) for row in rows]))
    unsaved = sum(row[2] == "not saved" for row in rows)
    print(f"target: every figure the same as saved -> {'met' if same else 'NOT met'} "
          f"({len(rows) - unsaved} compared, {unsaved} not saved before)")
    return same


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=20, help="builds timed per figure (default 20; 0: none)")
    parser.add_argument("--only", default="", help="only the figures whose name contains this")
    parser.add_argument("--save", type=Path, help="write every variant's JSON to this folder")
    parser.add_argument("--compare", type=Path, help="compare every variant's JSON with this folder's")
    args = parser.parse_args()

    every = {name: case for name, case in cases().items() if args.only in name}
    ok = True
    if args.save or args.compare:
        ok = save_or_compare(every, args.save or args.compare, save=bool(args.save))
    if args.repeats <= 0:
        return 0 if ok else 1

    print("# Building the lessons' figures: median ms per figure (build, then fig.to_json())")
    print(machine_line())
    rows, lessons = [], {}
    for name, (lesson, variants) in every.items():
        variant, build = next(iter(variants.items()))
        built, wall, serialised = time_ms(build, args.repeats)
        figure = build()
        rows.append([name, variant, lesson, built, wall, serialised, len(figure.data), len(figure.frames)])
        totals = lessons.setdefault(lesson, [0.0, 0.0, 0.0])
        for index, value in enumerate((built, wall, serialised)):
            totals[index] += value
    print()
    print(table(["figure", "variant", "lesson", "build CPU ms", "build wall ms", "to_json CPU ms", "traces", "frames"],
                rows))
    print()
    print(table(["lesson (sum of its figures above)", "build CPU ms", "build wall ms", "to_json CPU ms"],
                [[lesson, *totals] for lesson, totals in lessons.items()]))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
