"""Russian transcripts for the reader's corpus: kremlin.ru interviews and press conferences (CC BY 4.0).

kremlin.ru publishes every text under Creative Commons Attribution 4.0 («Все материалы сайта доступны по
лицензии: Creative Commons Attribution 4.0 International»; the exception, RIA Novosti and TASS photographs, is
not text). Two public repositories hold copies:

- bikovoy/narrative_analysis (the Wayback Machine's captures, paragraphs intact): interviews, press conferences,
  the 2001 internet conference and the 2002 «Прямая линия», 2000–2002;
- gabrielkmbo/kremlin-scraper (whitespace collapsed by its scraper; turns found again from the inline labels
  «В.Путин:», «Вопрос:»): news items with answers to the media, 2024–2025.

Only question-and-answer genres are kept (interviews, press conferences, answers to journalists), each turn one
`Label: text` paragraph with the label as published; words are never changed, the licence banner and the page
footer are dropped. Journalists' lines are the Kremlin's own Russian rendering of what they asked.
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from benchmarks.reader.sources import Raw


def git_show(mirror: Path, commit: str, path: str) -> str:
    """Text of `path` at `commit` in the snapshot `mirror` (BOM stripped)."""
    out = subprocess.run(["git", f"--git-dir={mirror}", "show", f"{commit}:{path}"], check=True,
                         capture_output=True).stdout
    return out.decode("utf-8-sig")


def read_csv(mirror: Path, commit: str, path: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(git_show(mirror, commit, path))))


csv.field_size_limit(sys.maxsize)

KREMLIN_LICENCE = (
    "CC BY 4.0 — kremlin.ru: «Все материалы сайта доступны по лицензии: Creative Commons "
    "Attribution 4.0 International» (exception: RIA Novosti / TASS photographs; none used). "
    "Attribute: Президент России, kremlin.ru, with a link to the transcript."
)



# ------------------------------------------------------------- speaker labels

_NAME = (
    r"(?:[A-ZА-ЯЁ]\.\s?){1,2}"                       # initials: В. / В.В. (Latin B. typo too)
    r"[А-ЯЁA-Z][а-яёa-z]+(?:[-‑][А-ЯЁA-Zа-яёa-z][а-яёa-z]+)*"  # surname, maybe hyphenated
)
_PAREN = r"(?:\s*\([^()]{1,160}\))?"
_KEYWORDS = (
    r"(?:Вопрос(?: из зала)?|Ответ|Реплика|Реплики|Голос из зала|Голоса из зала|"
    r"Ведущий|Ведущая|Ведущие|Модератор|Журналист|Корреспондент)"
)
# a paragraph that opens with a label
LABEL_PARA = re.compile(
    rf"^(?P<label>(?:{_NAME}|{_KEYWORDS}){_PAREN})\s*:\s*(?P<rest>\S.*)$", re.S)
GENERIC_PARA = re.compile(r"^(?P<label>[^:\n]{2,90}?)\s*:\s+(?P<rest>\S.*)$", re.S)
MEDIA_WORDS = re.compile(
    r"(Газет|Телекомпани|Телеканал|Агентств|Радио|ТАСС|РИА|Интерфакс|Ru\b|BBC|CNN|"
    r"Би-би-си|Си-эн-эн|Рейтер|Франс|журнал|газет|телеканал|УЧЕНИК|Ученик)")
# the same labels found inside whitespace-collapsed text (label must follow a sentence end)
INLINE_LABEL = re.compile(
    rf"(?:(?<=^)|(?<=[.!?…»\")\]>]\s))(?P<label>(?:{_NAME}|{_KEYWORDS}){_PAREN})\s*:\s")


def _generic_label_ok(label: str, rest: str) -> bool:
    """An outlet / collective label (e.g. 'ИТАР-ТАСС', 'Газета.Ru', 'Телекомпания Ай-ти-эн').

    Accepted only when it looks like a name, not like the start of a sentence
    that happens to contain a colon: at most 8 words, most words capitalised,
    and a media word, a Latin name or a «quoted» title in it."""
    core = re.sub(r"\([^()]*\)", "", label).strip()
    if not core or len(core) > 80 or re.search(r"[.!?;]\s|http|\d{3,}", core):
        return False
    words = core.replace("«", " ").replace("»", " ").split()
    if not words or len(words) > 8 or not words[0][0].isupper():
        return False
    caps = sum(1 for w in words if w[0].isupper() or not w[0].isalpha())
    if caps / len(words) < 0.5:
        return False
    # a media / collective name: a media word, a Latin name, or a «quoted» title
    return bool(MEDIA_WORDS.search(core) or re.search(r"[A-Za-z]{2}|«", core))


def split_label(par: str) -> tuple[str, str] | None:
    m = LABEL_PARA.match(par)
    if m:
        return m.group("label"), m.group("rest")
    m = GENERIC_PARA.match(par)
    if m and _generic_label_ok(m.group("label"), m.group("rest")):
        return m.group("label"), m.group("rest")
    return None


def flat(s: str) -> str:
    """Layout only: any whitespace run containing a line break becomes one space."""
    return re.sub(r"[ \t\xa0]*[\r\n]+[ \t\xa0\r\n]*", " ", s).strip()


def render(turns: list[list[str]]) -> str:
    return "\n\n".join(f"{lab}: {' '.join(parts)}" for lab, *parts in turns)


# -------------------------------------------------------------- exchanges


def speaker_key(label: str) -> str:
    core = re.sub(r"\([^()]*\)", "", label).strip()
    return core.split(".")[-1].strip().lower() if "." in core else core.lower()


ANSWERER_SURNAMES = {"путин", "медведев"}


def count_exchanges(text: str) -> int:
    """Asker turns followed by an answer turn.

    Answerers are the Russian president(s) in the transcript (Путин / Медведев);
    when neither speaks, the speaker with the most words.  An asker turn is a
    turn by anyone else that contains a question mark and is directly followed
    by an answerer's turn."""
    turns = []
    for par in text.split("\n\n"):
        lab, _, words = par.partition(": ")
        turns.append((speaker_key(lab), words))
    keys = {k for k, _ in turns}
    answerers = {k for k in keys if k in ANSWERER_SURNAMES}
    if not answerers:
        volume = Counter()
        for k, w in turns:
            volume[k] += len(w.split())
        if volume:
            answerers = {volume.most_common(1)[0][0]}
    n = 0
    for (k1, w1), (k2, _) in itertools.pairwise(turns):
        if k1 not in answerers and "?" in w1 and k2 in answerers:
            n += 1
    return n


# Only question-and-answer genres: interviews, press conferences, answers to
# journalists, "Прямая линия", meetings with the media.  Working meetings,
# councils and conferences (officials reporting to the president) are left out.
QA_TITLE = re.compile(
    r"интервью|пресс-конференц|ответы на вопрос|вопросы журналист|прямая линия|"
    r"прямого теле|интернет-конференц|итоги года|\bсми\b|журналист", re.I)


def canonical_kremlin_url(url: str) -> str:
    url = re.sub(r"^https?://web\.archive\.org/web/\d+[a-z_]*/", "", url.strip())
    m = re.search(r"kremlin\.ru(/events/president/(?:transcripts|news)/\d+)", url)
    return f"http://kremlin.ru{m.group(1)}" if m else url


def kremlin_id(url: str) -> str:
    m = re.search(r"/(\d+)/?$", canonical_kremlin_url(url))
    return f"kremlin-{m.group(1)}" if m else "kremlin-" + hashlib.sha256(url.encode()).hexdigest()[:12]


# ------------------------------------------------------------------ sources

BIKOVOY_COMMIT = "06f9cb8323d4d8765c41e8eb2e6f6d6fd19c826e"
BIKOVOY_FILES = ("data/russia_chechnya_putin.csv", "data/russia_ukraine_putin.csv")
KREMLIN_FOOTER = re.compile(
    r"^(Опубликован в\s*раздел|Дата публикации\s*:|Ссылка на материал\s*:|"
    r"Официальный сайт президента России|Статус материала|Текстовая версия)")
KREMLIN_BANNER = re.compile(
    r"^(Все материалы сайта доступны по лицензии:?|Creative Commons Attribution 4\.0 International)$")


def kremlin_paragraph_turns(paragraphs: list[str]) -> list[list[str]]:
    """Turns from kremlin.ru paragraphs; paragraphs before the first label are dropped."""
    turns: list[list[str]] = []
    for raw in paragraphs:
        par = flat(raw)
        if not par or KREMLIN_BANNER.match(par) or par in {"* * *", "***"}:
            continue
        if KREMLIN_FOOTER.match(par):
            break
        lab = split_label(par)
        if lab:
            turns.append([lab[0], lab[1]])
        elif turns:
            turns[-1].append(par)
    return turns


def bikovoy(mirror: Path) -> Iterator[Raw]:
    """kremlin.ru Russian transcripts (2000–2002 and 2022–2025) captured through the
    Wayback Machine by bikovoy/narrative_analysis (R/scraping.R: every <p>, joined
    with blank lines).  Only Putin items whose pages come from kremlin.ru."""
    seen: set[str] = set()
    for path in BIKOVOY_FILES:
        for row in read_csv(mirror, BIKOVOY_COMMIT, path):
            url = canonical_kremlin_url(row["url"])
            if "kremlin.ru/" not in url:
                continue
            tid = kremlin_id(url)
            if tid in seen or not QA_TITLE.search(row["title"]):
                continue
            seen.add(tid)
            turns = kremlin_paragraph_turns(row["text"].split("\n\n"))
            if not turns:
                continue
            text = render(turns)
            if count_exchanges(text) < 3:
                continue
            yield Raw(source="kremlin", id=tid, lang="ru", title=flat(row["title"]), url=url,
                      licence=KREMLIN_LICENCE, text=text)


GABRIEL_COMMIT = "0e25ac4ef80c66740f9b01831bf1554f8cb57520"
GABRIEL_FILE = "kremlin_articles_ru_enhanced.csv"
GABRIEL_FOOTER = re.compile(r"\s(?:Статус материала|Опубликован в\s*раздел)")


def gabrielkmbo(mirror: Path) -> Iterator[Raw]:
    """kremlin.ru Russian news items (Dec 2024 – May 2025) scraped by
    gabrielkmbo/kremlin-scraper.  The scraper collapsed all whitespace, so turns are
    recovered from the inline kremlin labels ("В.Путин:", "П.Зарубин:", "Вопрос:");
    the text before the first label (rubric, title, date, place) and the footer are
    dropped."""
    seen: set[str] = set()
    for row in read_csv(mirror, GABRIEL_COMMIT, GABRIEL_FILE):
        url = canonical_kremlin_url(row["url"])
        tid = kremlin_id(url)
        if tid in seen or not QA_TITLE.search(row["title"]):
            continue
        seen.add(tid)
        # the scraper cut the text into 30,000-character chunks: rejoin them exactly
        body = "".join(row.get(f"article_full_text_{i}") or "" for i in range(1, 11))
        m = GABRIEL_FOOTER.search(body)
        if m:
            body = body[: m.start()]
        marks = list(INLINE_LABEL.finditer(body))
        if not marks:
            continue
        turns = []
        for a, b in zip(marks, [*marks[1:], None], strict=True):
            words = body[a.end(): b.start() if b else len(body)].strip()
            if words:
                turns.append([a.group("label"), words])
        text = render(turns)
        if count_exchanges(text) < 3:
            continue
        yield Raw(source="kremlin", id=tid, lang="ru", title=flat(row["title"]), url=url,
                  licence=KREMLIN_LICENCE, text=text)


