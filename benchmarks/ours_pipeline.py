"""One timed run of the product: index DATA from scratch into INDEX, then answer QUESTIONS (JSON lines).

Prints one JSON object: index_s, query_p50_ms, query_p95_ms, peak_rss_mb. Called by speed.py.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from timing import report

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
    report(index_s, ms)


if __name__ == "__main__":
    main()
