"""Gradient-boosted trees, evaluated with numpy: the learned reader's model at answer time.

The trees are trained with LightGBM (benchmarks/reader/train.py) and shipped as its own dump, flattened into
arrays. Evaluating them here, rather than loading LightGBM, keeps SciPy and LightGBM (about half a second of
imports, measured) out of a cold `verbatim ask`; tests/test_reader.py checks that every prediction equals
LightGBM's own. All trees walk down together, one level a step, so a question's few dozen candidates cost a
few numpy operations per level rather than one per tree.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

_ZERO = 1e-35  # LightGBM's kZeroThreshold: a value this small counts as zero
MISSING = {"None": 0, "Zero": 1, "NaN": 2}


@dataclass(frozen=True)
class Forest:
    """Every tree's nodes in flat arrays; a node with `feature` -1 is a leaf holding `value`."""

    roots: np.ndarray
    feature: np.ndarray
    threshold: np.ndarray
    left: np.ndarray
    right: np.ndarray
    default_left: np.ndarray
    missing: np.ndarray
    value: np.ndarray
    depth: int
    base: float = 0.0

    def raw(self, x: np.ndarray) -> np.ndarray:
        """The sum of the trees' leaves for each row of `x` (rows × features), plus the base score."""
        if x.shape[0] == 0 or self.roots.size == 0:
            return np.full(x.shape[0], self.base, dtype=np.float64)
        node = np.broadcast_to(self.roots, (x.shape[0], self.roots.size)).copy()
        rows = np.arange(x.shape[0])[:, None]
        for _ in range(self.depth):
            feature = self.feature[node]
            inner = feature >= 0
            if not inner.any():
                break
            v = x[rows, np.maximum(feature, 0)].astype(np.float64)
            missing = self.missing[node]
            nan = np.isnan(v)
            v = np.where(nan & (missing != MISSING["NaN"]), 0.0, v)
            default = ((missing == MISSING["Zero"]) & (np.abs(v) <= _ZERO)) | ((missing == MISSING["NaN"]) & nan)
            go_left = np.where(default, self.default_left[node], v <= self.threshold[node])
            node = np.where(inner, np.where(go_left, self.left[node], self.right[node]), node)
        total: np.ndarray = self.base + self.value[node].sum(axis=1)
        return total

    def chances(self, x: np.ndarray) -> np.ndarray:
        """The probability each row is positive (binary log-loss trees)."""
        chances: np.ndarray = 1.0 / (1.0 + np.exp(-self.raw(x)))
        return chances

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Forest:
        return cls(roots=np.asarray(data["roots"], dtype=np.int64),
                   feature=np.asarray(data["feature"], dtype=np.int64),
                   threshold=np.asarray(data["threshold"], dtype=np.float64),
                   left=np.asarray(data["left"], dtype=np.int64), right=np.asarray(data["right"], dtype=np.int64),
                   default_left=np.asarray(data["default_left"], dtype=bool),
                   missing=np.asarray(data["missing"], dtype=np.int8),
                   value=np.asarray(data["value"], dtype=np.float64), depth=int(data["depth"]),
                   base=float(data.get("base", 0.0)))


def flatten(dump: dict[str, Any]) -> dict[str, Any]:
    """LightGBM's `Booster.dump_model()` as flat arrays (what `Forest.from_json` reads)."""
    out: dict[str, list[Any]] = {k: [] for k in ("feature", "threshold", "left", "right", "default_left", "missing",
                                                  "value")}
    roots: list[int] = []
    depth = 0

    def add(node: dict[str, Any], level: int) -> int:
        nonlocal depth
        depth = max(depth, level)
        at = len(out["feature"])
        for k in out:
            out[k].append(0)
        if "leaf_value" in node or "split_feature" not in node:
            out["feature"][at], out["value"][at] = -1, float(node.get("leaf_value", 0.0))
            out["left"][at] = out["right"][at] = at
            return at
        if node.get("decision_type", "<=") != "<=":
            raise ValueError("only numerical splits (<=) are supported")
        out["feature"][at], out["threshold"][at] = int(node["split_feature"]), float(node["threshold"])
        out["default_left"][at] = bool(node["default_left"])
        out["missing"][at] = MISSING[node.get("missing_type", "None")]
        out["left"][at] = add(node["left_child"], level + 1)
        out["right"][at] = add(node["right_child"], level + 1)
        return at

    for tree in dump["tree_info"]:
        roots.append(add(tree["tree_structure"], 0))
    return {"roots": roots, **out, "depth": depth + 1, "base": 0.0}


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data
