"""Where the reader's training corpus comes from: public transcripts in which someone asks and someone answers.

Each source is a public Git repository (read from a local clone or snapshot, at a pinned commit) and a reader
that yields its transcripts rewritten in layout only: one turn per paragraph, `Speaker: text`, so the product's
own parser reads them as it reads any upload. Words are never changed; page furniture (front matter, Markdown
escapes, timestamps in brackets) is dropped.

- wh-briefings: White House press briefings, gaggles, press conferences and interviews, 2021–2026; public
  domain (17 U.S.C. § 105), the scrape CC0 1.0;
- changelog: Changelog Media's podcast transcripts (hosts interview guests); CC BY-SA 4.0;
- qmsum: QMSum all-train, meetings and committee hearings with queries and gold spans; MIT;
- kremlin: kremlin.ru interviews and press conferences in Russian (russian.py); CC BY 4.0.

The dev interviews (benchmarks/interviews) are never part of it: they are what the reader is reported on.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, kw_only=True)
class Raw:
    """One transcript as a source gives it, already in the product's `Speaker: text` layout."""

    source: str
    id: str
    lang: str
    title: str
    url: str | None
    licence: str
    text: str
    extra: dict[str, object] | None = None  # gold queries, where a source comes with its own (QMSum)


@dataclass(frozen=True, kw_only=True)
class Repo:
    name: str  # owner/name on GitHub
    commit: str
    licence: str


WH = Repo(name="brian14708/wh-briefings", commit="737ca03a2", licence="public domain (US federal government work); "
          "the scrape is CC0 1.0")
CHANGELOG = Repo(name="thechangelog/transcripts", commit="44a0e16c5919d332e05de481919fbfca90a2c90b",
                 licence="CC BY-SA 4.0, Changelog Media LLC")

# The dev interviews' own transcripts: kept out of the corpus so they stay unseen.
DEV_SOURCES = ("remarks-by-vice-president-harris-in-a-conversation-with-keke-palmer-at-essence-festival",
               "practicalai/practical-ai-293.md")

_WH_KINDS = re.compile(r"press-briefing|gaggle|press-conference|interview|conversation|q-and-a|town-hall|moderated")


def git_files(repo: Path, commit: str, under: str = "") -> list[str]:
    out = subprocess.run(["git", "-C", str(repo), "ls-tree", "-r", "--name-only", commit, *([under] if under else [])],
                         check=True, capture_output=True, text=True).stdout
    return out.split()


def git_show(repo: Path, commit: str, path: str) -> str:
    return subprocess.run(["git", "-C", str(repo), "show", f"{commit}:{path}"], check=True, capture_output=True,
                          ).stdout.decode("utf-8", errors="replace")


def _unescape(line: str) -> str:
    return re.sub(r"\\([\\`*_{}\[\]()#+\-.!|<>~])", r"\1", line)


def _front_matter(md: str) -> tuple[dict[str, str], str]:
    m = re.match(r"^---\n(.*?)\n---\n", md, re.S)
    if not m:
        return {}, md
    fields = {}
    for line in m.group(1).splitlines():
        key, _, value = line.partition(":")
        fields[key.strip()] = value.strip().strip("'\"")
    return fields, md[m.end():]


def _paragraphs(body: str) -> list[str]:
    """Hard-wrapped Markdown paragraphs joined into one line each, whitespace made single."""
    out = []
    for block in re.split(r"\n\s*\n", body):
        line = " ".join(part.strip() for part in block.splitlines())
        line = re.sub(r"[ \t\u00a0]+", " ", _unescape(line)).strip()
        if line:
            out.append(line)
    return out


def white_house(repo: Path, commit: str = WH.commit) -> Iterator[Raw]:
    """Briefings, gaggles, press conferences and interviews: reporters' turns open with `Q`."""
    for path in git_files(repo, commit):
        name = path.rsplit("/", 1)[-1]
        if not path.endswith(".md") or not _WH_KINDS.search(name) or any(d in path for d in DEV_SOURCES):
            continue
        fields, body = _front_matter(git_show(repo, commit, path))
        paras = [re.sub(r"^Q\s+", "Q: ", p) if re.match(r"^Q\s", p) else p for p in _paragraphs(body)]
        if sum(p.startswith("Q: ") for p in paras) < 3:
            continue
        title = fields.get("title", name).replace("\\_", " ")
        text = title + "\n\n" + "\n\n".join(paras) + "\n"
        yield Raw(source="wh-briefings", id=name.removesuffix(".md"), lang="en", title=title,
                  url=fields.get("source_url"), licence=WH.licence, text=text)


_STAMP = re.compile(r"\s*\\?\[\d{1,2}:\d{2}(?::\d{2})?\\?\]\s*")
_SPEAKER = re.compile(r"^\*\*([^*]{1,60}?):\*\*\s*")


def changelog(repo: Path, commit: str = CHANGELOG.commit) -> Iterator[Raw]:
    """Podcast episodes: `**Name:** text` paragraphs, `\\[mm:ss\\]` stamps inside (dropped)."""
    for path in git_files(repo, commit):
        if not path.endswith(".md") or path in DEV_SOURCES or "/" not in path:
            continue
        md = git_show(repo, commit, path)
        turns: list[str] = []
        for block in re.split(r"\n\s*\n", md):
            block = _STAMP.sub(" ", block.strip())
            m = _SPEAKER.match(block)
            line = re.sub(r"\s+", " ", _unescape(block[m.end():] if m else block)).strip()
            if not line:
                continue
            turns.append(f"{m.group(1).strip()}: {line}" if m else line)
        if sum(_SPEAKER.match(t) is None and ": " in t[:62] for t in turns) < 3 or sum("?" in t for t in turns) < 3:
            continue
        show = path.split("/")[0]
        episode = path.rsplit("/", 1)[-1].removesuffix(".md")
        yield Raw(source="changelog", id=f"{show}-{episode}", lang="en", title=f"{show} {episode}",
                  url=f"https://github.com/{CHANGELOG.name}/blob/{commit}/{path}", licence=CHANGELOG.licence,
                  text="\n\n".join(turns) + "\n")


def qmsum(folder: Path) -> Iterator[Raw]:
    """QMSum all-train: meetings and hearings, already `Speaker: text`, with its queries and gold spans."""
    queries: dict[str, list[dict[str, object]]] = {}
    for line in (folder / "questions.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            q = json.loads(line)
            queries.setdefault(q["doc"], []).append({"question": q["question"], "gold": q["gold"]})
    for path in sorted((folder / "transcripts").glob("*.txt")):
        yield Raw(source="qmsum", id=path.stem, lang="en", title=path.stem, url=None, licence="MIT (QMSum)",
                  text=path.read_text(encoding="utf-8"), extra={"queries": queries.get(path.name, [])})
