"""The one JSON line each timed pipeline prints (shared by ours_pipeline.py and tutorial_pipeline.py)."""

from __future__ import annotations

import json
import resource
import statistics


def report(index_s: float, ms: list[float]) -> None:
    ms = sorted(ms)
    print(json.dumps({"index_s": index_s, "query_p50_ms": statistics.median(ms),
                      "query_p95_ms": ms[max(0, round(0.95 * len(ms)) - 1)],
                      "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
