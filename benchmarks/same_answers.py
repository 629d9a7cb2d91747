"""Every answer and summary through the CLI, saved so two trees can be compared byte for byte.

usage:
  python benchmarks/same_answers.py capture SHARED OUT_DIR     # run `verbatim` on every set, write OUT_DIR
  python benchmarks/same_answers.py compare BEFORE_DIR AFTER_DIR

`capture` answers interview-dev, qmsum/committee-val and qmsum/all-val with `verbatim ask --jsonl`, and
summarises every transcript of those sets (`verbatim summary --doc D --json`, plus each set's summary
queries as topics where they name one). The answer's `ms` is dropped (it is a timing); everything else
is compared byte for byte by `compare`, which prints each set's count of differing lines.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

VERBATIM = Path(sys.executable).parent / "verbatim"


def _sets(shared: Path, project: Path) -> list[tuple[str, Path, Path]]:
    qmsum = shared / "eval" / "qmsum"
    return [("interview-dev", shared / "eval" / "interview-dev.jsonl", project / "data" / "transcripts"),
            ("committee-val", qmsum / "committee-val" / "questions.jsonl", qmsum / "committee-val" / "transcripts"),
            ("all-val", qmsum / "all-val" / "questions.jsonl", qmsum / "all-val" / "transcripts")]


def _run(args: list[str], data: Path, index: Path) -> str:
    env = {**os.environ, "VERBATIM_DATA_DIR": str(data), "VERBATIM_INDEX_DIR": str(index)}
    done = subprocess.run([str(VERBATIM), *args], env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"verbatim {' '.join(args[:2])} failed: {done.stderr.strip()}")
    return done.stdout


def capture(shared: Path, out: Path) -> None:
    project = Path(__file__).resolve().parent.parent
    out.mkdir(parents=True, exist_ok=True)
    for name, questions, data in _sets(shared, project):
        with tempfile.TemporaryDirectory() as index:
            _run(["index"], data, Path(index))
            lines = []
            for line in _run(["ask", "--jsonl", str(questions)], data, Path(index)).splitlines():
                row = json.loads(line)
                row.pop("ms", None)
                lines.append(json.dumps(row, ensure_ascii=False, sort_keys=True))
            (out / f"{name}.answers.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
            summaries = []
            for doc in sorted(p.relative_to(data).as_posix() for p in data.rglob("*.txt")):
                summaries.append(_run(["summary", "--doc", doc, "--json"], data, Path(index)).strip())
                summaries.append(_run(["summary", "--doc", doc, "--json", "--words", "120"], data,
                                      Path(index)).strip())
            for topic in ("the budget", "elections", "the opposition"):
                summaries.append(_run(["summary", "--topic", topic, "--json", "--words", "400"], data,
                                      Path(index)).strip())
            (out / f"{name}.summaries.jsonl").write_text("\n".join(summaries) + "\n", encoding="utf-8")
        print(f"{name}: {len(lines)} answers, {len(summaries)} summaries")


def compare(before: Path, after: Path) -> int:
    differing = 0
    for path in sorted(before.glob("*.jsonl")):
        old = path.read_text(encoding="utf-8").splitlines()
        new = (after / path.name).read_text(encoding="utf-8").splitlines()
        diff = sum(a != b for a, b in zip(old, new, strict=False)) + abs(len(old) - len(new))
        differing += diff
        print(f"{path.name}: {len(new)} lines, {diff} differ")
    return 1 if differing else 0


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] not in ("capture", "compare"):
        raise SystemExit(__doc__)
    if sys.argv[1] == "capture":
        capture(Path(sys.argv[2]), Path(sys.argv[3]))
    else:
        sys.exit(compare(Path(sys.argv[2]), Path(sys.argv[3])))
