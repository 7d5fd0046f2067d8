"""
Sequence problems: the four types of chapter 1 and the input/output shapes of
the course notes, as data for unrolled diagrams.

Chapter 1 sorts sequence problems by what goes in and what comes out:
sequence prediction (`[1,2,3,4,5] → 6`), sequence classification
(`[1,2,3,4,5] → "good"`), sequence generation (`[1,3,5],[7,9,11] → [3,5,7]`)
and sequence-to-sequence prediction (`[1,2,3,4,5] → [6,7,8,9,10]`). The
course notes sort recurrent networks by the shape of the same thing:
one-to-one, one-to-many, many-to-one and many-to-many, with equal or
unequal lengths. `unrolled` gives the data of an unrolled diagram for a
shape: at each time step, does the cell take an input, does it produce an
output, does that output enter the loss, is the input the previous output
fed back (generation)?
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .engine.config import ConfigError, check_int

SHAPES = ("one-to-one", "one-to-many", "many-to-one", "many-to-many (equal lengths)",
          "many-to-many (unequal lengths)")


@dataclass(frozen=True)
class Problem:
    """One chapter-1 problem type: its usual shape and the book's example.

    Its description, applications and the lesson of this app of that type
    are words shown to students, so they live in the UI catalogues under
    `sequence_problems.problem.<text_id(name)>.*`, in every language.
    """

    name: str
    shape: str
    example_input: str
    example_output: str
    feedback: bool = False


PROBLEMS = {
    "sequence prediction": Problem("sequence prediction", "many-to-one", "[1, 2, 3, 4, 5]", "[6]"),
    "sequence classification": Problem("sequence classification", "many-to-one", "[1, 2, 3, 4, 5]", '"good"'),
    "sequence generation": Problem("sequence generation", "one-to-many", "[1, 3, 5], [7, 9, 11]", "[3, 5, 7]",
                                   feedback=True),
    "sequence-to-sequence prediction": Problem("sequence-to-sequence prediction", "many-to-many (unequal lengths)",
                                               "[1, 2, 3, 4, 5]", "[6, 7, 8, 9, 10]"),
}


def text_id(text: str) -> str:
    """A catalogue-key-friendly name: "many-to-many (equal lengths)" → "many_to_many_equal_lengths"."""
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


@dataclass(frozen=True)
class Diagram:
    """An unrolled recurrent network: one column per time step.

    At step t, `inputs[t]` says if the cell takes an input, `outputs[t]` if
    it produces an output, `loss[t]` if that output is compared with an
    expected value in the loss, and `fed_back[t]` if its input is the output
    of step t - 1 (generation). `encoder[t]` marks the reading steps of an
    encoder-decoder. Every step passes its state to the next.
    """

    shape: str
    steps: int
    inputs: tuple
    outputs: tuple
    loss: tuple
    fed_back: tuple
    encoder: tuple
    input_labels: tuple = field(default=())
    output_labels: tuple = field(default=())

    @property
    def recurrent_links(self) -> int:
        return self.steps - 1


def unrolled(shape: str, steps: int = 5, *, output_steps: int = 3, feedback: bool = False) -> Diagram:
    """The diagram data of `shape` unrolled over `steps` time steps.

    For "many-to-many (unequal lengths)", `steps` input steps are followed
    by `output_steps` output steps (an encoder, then a decoder). With
    `feedback`, each step after the first that has an output before it
    takes that output as its input (generation); one-to-one always has 1 step.
    """
    if shape not in SHAPES:
        raise ConfigError("shape", f"shape must be one of {', '.join(SHAPES)} (got {shape!r})")
    check_int("steps", steps, 1, 20)
    check_int("output_steps", output_steps, 1, 20)
    if shape == "one-to-one":
        steps = 1
        inputs, outputs = [True], [True]
    elif shape == "one-to-many":
        inputs, outputs = [t == 0 for t in range(steps)], [True] * steps
    elif shape == "many-to-one":
        inputs, outputs = [True] * steps, [t == steps - 1 for t in range(steps)]
    elif shape == "many-to-many (equal lengths)":
        inputs, outputs = [True] * steps, [True] * steps
    else:
        inputs = [True] * steps + [False] * output_steps
        outputs = [False] * steps + [True] * output_steps
        steps += output_steps
    encoder = [shape == "many-to-many (unequal lengths)" and not out for out in outputs]
    fed_back = [False] * steps
    if feedback:
        for t in range(1, steps):
            if outputs[t - 1] and (not inputs[t] or shape == "many-to-many (equal lengths)"):
                fed_back[t] = True
    input_labels, output_labels, k, j = [], [], 0, 0
    for t in range(steps):
        if inputs[t] or fed_back[t]:
            k += 1
            input_labels.append(f"ŷ{j}" if fed_back[t] else f"x{k}")
        else:
            input_labels.append("")
        if outputs[t]:
            j += 1
            output_labels.append(f"ŷ{j}")
        else:
            output_labels.append("")
    return Diagram(shape=shape, steps=steps, inputs=tuple(bool(v) for v in inputs),
                   outputs=tuple(bool(v) for v in outputs), loss=tuple(bool(v) for v in outputs),
                   fed_back=tuple(fed_back), encoder=tuple(encoder), input_labels=tuple(input_labels),
                   output_labels=tuple(output_labels))
