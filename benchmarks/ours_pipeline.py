"""One timed run of the product: index DATA from scratch into INDEX, then answer QUESTIONS (JSON lines).

Prints one JSON object: index_s, query_p50_ms, query_p95_ms, serve_rss_mb. Called by speed.py.
"""

from __future__ import annotations

import json
import resource
import statistics
import sys
import time
from pathlib import Path

from retrieval.config import Settings
from retrieval.service import Service


def main() -> None:
    data, questions, index = (Path(a) for a in sys.argv[1:4])
    rows = [json.loads(x) for x in questions.read_text(encoding="utf-8").splitlines() if x.strip()]
    began = time.perf_counter()
    with Service(Settings(data, index)) as service:
        service.open()
        index_s = time.perf_counter() - began
        ms = [service.ask(r["question"], r.get("doc")).ms for r in rows]
    ms.sort()
    print(json.dumps({"index_s": index_s, "query_p50_ms": statistics.median(ms),
                      "query_p95_ms": ms[max(0, round(0.95 * len(ms)) - 1)],
                      "serve_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


if __name__ == "__main__":
    main()
