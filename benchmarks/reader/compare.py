"""The reader's table: every figure before (the release before it) and after (this tree), measured in one run.

usage: python -m benchmarks.reader.compare SHARED_DIR --before CHECKOUT [--corpus var/corpus] [--out FILE]

Sets, each answered by both trees (figures.py, a process per tree, one after the other):
- the shipped interview (SHARED's interview-dev), committee-val and all-val;
- each dev interview (benchmarks/interviews), never trained on, so each is left out;
- each training source's test transcripts (heldout.py builds them: split by transcript, never seen in training).
Writes the Markdown table to `--out` (default benchmarks/READER.md's figures section is pasted from it).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.interviews import ROOT as INTERVIEWS
from benchmarks.reader.heldout import build

HERE = Path(__file__).resolve().parent
KEYS = ("hit@1", "answer_hit", "quote_precision", "abstain_ok", "false_abstain", "verbatim")


def sets(shared: Path, corpus: Path, work: Path, per_doc: int) -> list[dict[str, str]]:
    out = [{"name": "shipped (interview-dev)", "data_dir": str(HERE.parents[1] / "data" / "transcripts"),
            "questions": str(shared / "eval" / "interview-dev.jsonl")}]
    for name in ("committee-val", "all-val"):
        out.append({"name": name, "data_dir": str(shared / "eval" / "qmsum" / name / "transcripts"),
                    "questions": str(shared / "eval" / "qmsum" / name / "questions.jsonl")})
    for folder in sorted(p for p in INTERVIEWS.iterdir() if (p / "transcripts").is_dir()):
        merged = work / f"{folder.name}.jsonl"
        merged.write_text("".join(p.read_text(encoding="utf-8") for p in sorted(folder.glob("questions*.jsonl"))),
                          encoding="utf-8")
        out.append({"name": f"dev {folder.name}", "data_dir": str(folder / "transcripts"), "questions": str(merged)})
    manifest = [json.loads(line) for line in (corpus / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]
    by_source: dict[str, list[str]] = {}
    for m in manifest:
        if m["split"] == "test":
            by_source.setdefault(m["source"], []).append(m["doc"])
    for source, docs in sorted(by_source.items()):
        build(corpus, work / "heldout", source, sorted(docs), per_doc)
        out.append({"name": f"held-out {source}", "data_dir": str(work / "heldout" / source / "transcripts"),
                    "questions": str(work / "heldout" / source / "questions.jsonl")})
    return out


def run(tree: Path, scorer: Path, listed: Path) -> dict[str, Any]:
    done = subprocess.run([sys.executable, str(HERE / "figures.py"), str(tree), str(scorer), str(listed)],
                          check=True, capture_output=True, text=True)
    found: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


def cell(value: Any) -> str:
    return f"{value:.3f}" if isinstance(value, float) else "–"


def table(before: dict[str, Any], after: dict[str, Any]) -> str:
    lines = ["| set | questions | " + " | ".join(KEYS) + " |", "|---" * (len(KEYS) + 2) + "|"]
    for name in after:
        for lang in after[name]:
            label = name if lang == "all" else f"  {name} ({lang})"
            b, a = before.get(name, {}).get(lang, {}), after[name][lang]
            cells = [f"{cell(b.get(k))} → {cell(a.get(k))}" for k in KEYS]
            lines.append(f"| {label} | {a.get('questions', '')} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("shared", type=Path)
    ap.add_argument("--before", type=Path, required=True)
    ap.add_argument("--corpus", type=Path, default=Path("var/corpus"))
    ap.add_argument("--per-doc", type=int, default=12)
    ap.add_argument("--out", type=Path, default=Path("var/reader-table.md"))
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="verbatim-compare-") as tmp:
        work = Path(tmp)
        listed = work / "sets.json"
        listed.write_text(json.dumps(sets(args.shared, args.corpus, work, args.per_doc)), encoding="utf-8")
        scorer = args.shared / "eval" / "score.py"
        before = run(args.before, scorer, listed)
        after = run(HERE.parents[1], scorer, listed)
    (args.out.parent).mkdir(parents=True, exist_ok=True)
    args.out.write_text(table(before, after), encoding="utf-8")
    (args.out.with_suffix(".json")).write_text(json.dumps({"before": before, "after": after}), encoding="utf-8")
    print(table(before, after))


if __name__ == "__main__":
    main()
