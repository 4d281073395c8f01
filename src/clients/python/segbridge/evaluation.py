"""Results of ``eval/run`` (:meth:`segbridge.Engine.evaluate`) as Python objects."""

from dataclasses import dataclass, field
from typing import Dict, List, Optional

import numpy as np


@dataclass
class EvalSample:
    """One sample under one model."""
    model: str
    name: str
    width: int
    height: int
    initial_iou: float
    ious: List[float]          # IoU after each interaction made (the loop stops at the highest target)
    dices: List[float]
    seconds: List[float]       # wall seconds per interaction (model + mask encoding)
    noc: List[int]             # NoC (NoI for scribbles) per target; max when never reached
    failed: List[bool]         # target never reached (counts towards NoF)
    stop: str                  # target, max, strokes-exhausted or no-error-left

    @classmethod
    def from_wire(cls, d: dict) -> "EvalSample":
        return cls(d["model"], d["name"], d["width"], d["height"], d["initialIou"], list(d["ious"]), list(d["dices"]),
                   list(d["seconds"]), list(d["noc"]), list(d["failed"]), d["stop"])


@dataclass
class EvalModelSummary:
    """Per-model numbers in the papers' terms; lists are aligned with :attr:`EvalResults.targets`."""
    model: str
    samples: int
    noc: List[float]
    nof: List[int]
    spc: float                 # seconds per click/interaction
    total_seconds: float
    interactions: int
    mean_iou: np.ndarray       # mean IoU after 1..max interactions (last IoU carried forward)
    mean_dice: np.ndarray
    mean_initial_iou: float

    @classmethod
    def from_wire(cls, d: dict) -> "EvalModelSummary":
        return cls(d["model"], d["samples"], list(d["noc"]), list(d["nof"]), d["spc"], d["totalSeconds"], d["interactions"],
                   np.asarray(d["meanIou"], dtype=float), np.asarray(d["meanDice"], dtype=float), d["meanInitialIou"])


@dataclass
class EvalResults:
    dataset: str
    mode: str
    max: int
    targets: List[float]
    protocol: str
    models: Dict[str, EvalModelSummary]
    samples: List[EvalSample] = field(default_factory=list)
    wall_seconds: float = 0.0
    skipped_samples: int = 0
    files: Optional[List[str]] = None

    @classmethod
    def from_wire(cls, d: dict) -> "EvalResults":
        return cls(d["dataset"], d["mode"], d["max"], list(d["targets"]), d["protocol"],
                   {m["model"]: EvalModelSummary.from_wire(m) for m in d["models"]},
                   [EvalSample.from_wire(s) for s in d.get("samples") or []],
                   d.get("wallSeconds", 0.0), d.get("skippedSamples", 0), d.get("files"))

    def noc(self, model: str, target: float) -> float:
        """Mean NoC@target of a model, e.g. ``results.noc("graph-cut", 0.9)``."""
        return self.models[model].noc[self._target_index(target)]

    def nof(self, model: str, target: float) -> int:
        return self.models[model].nof[self._target_index(target)]

    def _target_index(self, target: float) -> int:
        for i, t in enumerate(self.targets):
            if abs(t - target) < 1e-9:
                return i
        raise KeyError(f"target {target} was not evaluated; targets: {self.targets}")
