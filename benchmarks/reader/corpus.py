"""`make corpus`: the reader's training corpus, rebuilt from its public sources into var/corpus.

usage: python -m benchmarks.reader.corpus --wh GITDIR --changelog GITDIR --kremlin GITDIR [--kremlin GITDIR]
                                          --qmsum DIR [--out var/corpus] [--workers 2]

1. Every source's transcripts (benchmarks/reader/sources.py) are parsed by the product's own parser; those with at
   least three answered questions are kept, a fixed share of each source (chosen by a hash of the transcript's
   id, so the same run picks the same ones), and each is assigned to train, val or test by another hash: split
   by transcript, never by exchange.
2. The multilingual model embeds every sentence of the transcripts the product itself would embed at index time
   (interview-sized ones); the static vectors are cheap and made when rows are built. Vectors are cached by
   sentence text, so a second run embeds nothing.
3. `manifest.jsonl` lists every transcript with its source, licence, split and the SHA-256 of its text; the
   copy in benchmarks/reader/manifest.jsonl is committed, the texts and vectors are not.

Git directories are snapshots of the public repositories named in sources.py, at the commits named there.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from benchmarks.reader import russian
from benchmarks.reader.sources import Raw, changelog, qmsum, white_house
from retrieval.index.build import small_docs, tables
from retrieval.parse.formats import parse
from retrieval.parse.turns import Transcript

HERE = Path(__file__).resolve().parent
# Share of each source kept (by a hash of its id): what the multilingual model can embed in about an hour.
SHARES = {"wh-briefings": 0.45, "changelog": 0.12, "qmsum": 1.0}
SPLITS = (("train", 0.8), ("val", 0.1), ("test", 0.1))
MIN_EXCHANGES = 3


def unit(text: str, salt: str) -> float:
    """A number in [0, 1) fixed by the text: the same transcript is always chosen, and split, the same way."""
    return int(hashlib.sha256(f"{salt}\0{text}".encode()).hexdigest()[:12], 16) / 16**12


def split_of(source: str, key: str) -> str:
    u, acc = unit(f"{source}/{key}", "split"), 0.0
    for name, share in SPLITS:
        acc += share
        if u < acc:
            return name
    return SPLITS[-1][0]


def exchanges(transcript: Transcript) -> int:
    """Questions (turns that ask) answered by a later turn."""
    asked = {t.answers_turn for t in transcript.turns if t.answers_turn is not None and t.sentences}
    return sum(1 for i in asked if "?" in transcript.text[transcript.turns[i].start:transcript.turns[i].end])


def gather(args: argparse.Namespace) -> Iterator[Raw]:
    if args.wh:
        yield from white_house(Path(args.wh))
    if args.changelog:
        yield from changelog(Path(args.changelog))
    for mirror in args.kremlin:
        read = russian.gabrielkmbo if "kremlin-scraper" in str(mirror) else russian.bikovoy
        yield from read(Path(mirror))
    if args.qmsum:
        yield from qmsum(Path(args.qmsum))


def write_texts(args: argparse.Namespace, out: Path) -> list[dict[str, object]]:
    manifest: list[dict[str, object]] = []
    seen: set[str] = set()
    for raw in gather(args):
        share = SHARES.get(raw.source, 1.0)
        doc = f"{raw.source}/{raw.id}.txt"
        if unit(f"{raw.source}/{raw.id}", "keep") >= share or doc in seen:  # one page in two snapshots: once
            continue
        seen.add(doc)
        transcript = parse(raw.text, doc)
        if raw.source != "qmsum" and exchanges(transcript) < MIN_EXCHANGES:
            continue
        path = out / "texts" / doc
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(raw.text, encoding="utf-8")
        if raw.extra:
            path.with_suffix(".json").write_text(json.dumps(raw.extra, ensure_ascii=False), encoding="utf-8")
        manifest.append({"doc": doc, "source": raw.source, "lang": raw.lang, "title": raw.title, "url": raw.url,
                         "licence": raw.licence, "split": split_of(raw.source, raw.id), "chars": len(raw.text),
                         "format": transcript.format, "exchanges": exchanges(transcript),
                         "sha256": hashlib.sha256(raw.text.encode()).hexdigest()})
    return manifest


def to_embed(out: Path, manifest: list[dict[str, object]]) -> list[str]:
    """The transcripts the product would give multilingual vectors at index time."""
    docs = []
    for row in manifest:
        doc = str(row["doc"])
        t = parse((out / "texts" / doc).read_text(encoding="utf-8"), doc)
        if small_docs({doc: t}) or t.language != "en":
            docs.append(doc)
    return docs


def embed(out: Path, doc: str) -> str:
    """The multilingual vectors of every sentence of one transcript, cached by sentence text."""
    from retrieval.index.embeddings import E5Embeddings

    target = (out / "vectors" / doc).with_suffix(".npz")
    if target.exists():
        return doc
    t = parse((out / "texts" / doc).read_text(encoding="utf-8"), doc)
    _, sentences, _ = tables({doc: t})
    texts = [sentences.text(i) for i in range(len(sentences))]
    unique = list(dict.fromkeys(texts))
    rows = E5Embeddings().vectors(unique).astype(np.float16)
    target.parent.mkdir(parents=True, exist_ok=True)
    np.savez(target, texts=np.array(unique, dtype=object), rows=rows)
    return doc


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--wh")
    ap.add_argument("--changelog")
    ap.add_argument("--kremlin", action="append", default=[], help="bikovoy/narrative_analysis or "
                    "gabrielkmbo/kremlin-scraper")
    ap.add_argument("--qmsum")
    ap.add_argument("--out", default="var/corpus")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--no-vectors", action="store_true")
    args = ap.parse_args()
    # One thread per process, the processes in parallel: the multilingual engine's OpenMP threads spin at their
    # barriers, and two processes of two threads each on two cores ran ten times slower than one each.
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    out = Path(args.out)
    manifest = write_texts(args, out)
    lines = [json.dumps(m, ensure_ascii=False) for m in sorted(manifest, key=lambda m: str(m["doc"]))]
    (out / "manifest.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    kept = [{k: m[k] for k in ("doc", "source", "lang", "split", "chars", "exchanges", "sha256")}
            for m in sorted(manifest, key=lambda m: str(m["doc"]))]
    (HERE / "manifest.jsonl").write_text("".join(json.dumps(m, ensure_ascii=False) + "\n" for m in kept),
                                         encoding="utf-8")
    print(f"{len(manifest)} transcripts, {sum(int(m['exchanges']) for m in manifest)} exchanges", file=sys.stderr)
    if args.no_vectors:
        return
    docs = to_embed(out, manifest)
    print(f"embedding {len(docs)} transcripts", file=sys.stderr)
    with ProcessPoolExecutor(args.workers) as pool:
        for k, doc in enumerate(pool.map(embed, [out] * len(docs), docs)):
            if k % 50 == 0:
                print(f"  {k}/{len(docs)} {doc}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
