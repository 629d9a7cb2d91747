"""Uploading pathological texts at the upload limit: each one alone into an empty data dir, in a child process
that stores it as an admin's upload does (`Service.add_transcript`: the upload's limits, then the index built),
its wall time and its own peak memory (the ceilings: 60 s and 1 GB, or a one-line refusal).

usage: python benchmarks/bounded.py [--size BYTES] [--only NAME ...]

The texts are tests/pathological.py's (one sentence of megabytes, millions of entities, no spaces at all,
one character per line, deep nesting, every script, thousands of speakers, lines of colons, subtitles whose
times are absurd and backwards, turns just under the cap, a Word file whose text is 2.2 times the limit);
the tests index the same at 300 kB.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from retrieval import MAX_UPLOAD_BYTES, Service, Settings, UsageError, VerbatimError
from tests.measure import run_measured
from tests.pathological import pathological


def upload(name: str, raw_file: Path, data: Path, index: Path) -> int:
    """In the child: the upload, as the bot stores and indexes it; a refusal is one line, as the bot says it."""
    with Service(Settings(data, index)) as service:
        try:
            service.add_transcript(name, raw_file.read_bytes())
        except VerbatimError as err:
            print(f"verbatim: {err}", file=sys.stderr)
            return 2 if isinstance(err, UsageError) else 1
    return 0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", type=int, default=MAX_UPLOAD_BYTES - 1024)
    ap.add_argument("--only", action="append", default=[])
    ap.add_argument("--upload", nargs=4, metavar=("NAME", "FILE", "DATA", "INDEX"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.upload:
        name, raw_file, data, index = args.upload
        sys.exit(upload(name, Path(raw_file), Path(data), Path(index)))
    print("| text | size | wall | peak memory | result |")
    print("|---|---|---|---|---|")
    for name, raw in sorted(pathological(args.size).items()):
        if args.only and name not in args.only:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            (Path(tmp) / "data").mkdir()
            (Path(tmp) / "upload").write_bytes(raw)
            seconds, peak, code, err = run_measured(
                [sys.executable, __file__, "--upload", name, str(Path(tmp) / "upload"), str(Path(tmp) / "data"),
                 str(Path(tmp) / "index")], {**os.environ})
        said = "indexed" if code == 0 else f"refused: {err.strip().splitlines()[-1][:90]}" if err.strip() else code
        print(f"| {name} | {len(raw) / 1_048_576:.1f} MB | {seconds:.1f} s | {peak:.0f} MB | {said} |", flush=True)


if __name__ == "__main__":
    main()
