"""One scale point: index DATA from scratch, answer QUESTIONS scoped to their meeting, print one JSON line.

    python benchmarks/scale_run.py DATA QUESTIONS INDEX [CHROMA_URL]

index_s and index_peak_mb cover the build; query p50/p95 and hit@5 (a gold span overlapped by one of the
five best passages) cover the questions; serving_mb is this process's RSS after answering them all.
Called by scale.py.
"""

from __future__ import annotations

import json
import resource
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from retrieval.config import Settings
from retrieval.service import Service


def rss_mb() -> float:
    status = Path("/proc/self/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:"))) / 1024


def main() -> None:
    data, questions, index = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    url = sys.argv[4] if len(sys.argv) > 4 else None
    rows = [json.loads(x) for x in questions.read_text(encoding="utf-8").splitlines() if x.strip()]
    began = time.perf_counter()
    with Service(Settings(data, index, chroma_url=url, server_wait_seconds=60)) as service:
        service.open()
        index_s = time.perf_counter() - began
        index_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        ms, hits = [], []
        for row in rows:
            answer = service.ask(row["question"], row["doc"])
            ms.append(answer.ms)
            gold = [(g["doc"], g["start"], g["end"]) for g in row.get("gold", [])]
            hits.append(any(p.doc == d and p.start < e and s < p.end for p in answer.passages[:5] for d, s, e in gold))
        ms.sort()
        print(json.dumps({"index_s": round(index_s, 1), "index_peak_mb": round(index_peak),
                          "query_p50_ms": round(statistics.median(ms), 1),
                          "query_p95_ms": round(ms[max(0, round(0.95 * len(ms)) - 1)], 1),
                          "serving_mb": round(rss_mb()), "hit@5": round(sum(hits) / len(hits), 3),
                          "chunks": len(service.snapshot.chunks)}))


if __name__ == "__main__":
    main()
