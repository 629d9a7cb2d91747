"""Indexing pathological texts at the upload limit: each one alone in a data dir, `verbatim index` in a child
process, its wall time and its own peak memory (the ceilings: 60 s and 1 GB, or a one-line refusal).

usage: python benchmarks/bounded.py [--size BYTES] [--only NAME ...]

The texts are tests/pathological.py's (one sentence of megabytes, millions of entities, no spaces at all,
one character per line, deep nesting, every script, thousands of speakers, lines of colons); the tests run
the same at 300 kB.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from retrieval import MAX_UPLOAD_BYTES
from tests.pathological import pathological
from tests.test_bounded import index_in_a_process


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", type=int, default=MAX_UPLOAD_BYTES - 1024)
    ap.add_argument("--only", action="append", default=[])
    args = ap.parse_args()
    print("| text | size | wall | peak memory | result |")
    print("|---|---|---|---|---|")
    for name, raw in sorted(pathological(args.size).items()):
        if args.only and name not in args.only:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            data = Path(tmp) / "data"
            data.mkdir()
            (data / name).write_bytes(raw)
            seconds, peak, code, err = index_in_a_process(data, Path(tmp) / "index")
        said = "indexed" if code == 0 else f"refused: {err.strip().splitlines()[-1][:90]}" if err.strip() else code
        print(f"| {name} | {len(raw) / 1_048_576:.1f} MB | {seconds:.1f} s | {peak:.0f} MB | {said} |", flush=True)


if __name__ == "__main__":
    main()
