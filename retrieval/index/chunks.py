"""Turn-aware chunks: runs of whole sentences inside one speaker turn, with the context retrieval needs.

A chunk never crosses a speaker turn, so a hit always belongs to one person. What it is embedded and
searched as (`search_text`) also names the speaker and, for an answer, the question it answers: most
questions a reader asks paraphrase the interviewer's question, and that context should lead to the
answer rather than to the question itself.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from retrieval.parse.turns import Sentence, Transcript, Turn, asking
from retrieval.parse.words import words

CHUNKER_VERSION = "c1"
MAX_CHUNK_CHARS = 8_000  # a chunk of more text than this is closed whatever its word count


@dataclass(frozen=True, slots=True)
class Chunk:
    id: str
    doc: str
    turn: int
    start: int
    end: int
    speaker: str
    role: str
    question: int | None
    label: str
    time: float | None
    search_text: str
    lexical_from: int  # where "Speaker: text" starts in search_text (after the question context, if any)

    # One stored string per chunk: a corpus of thousands of hours holds hundreds of thousands of them,
    # and the other two texts are slices of it.
    @property
    def lexical_text(self) -> str:
        """What BM25 indexes: the speaker and the words."""
        return self.search_text[self.lexical_from:]

    @property
    def text(self) -> str:
        """The transcript's words, `transcript.text[start:end]`."""
        return self.search_text[self.lexical_from + len(self.speaker) + 2:]

    def metadata(self) -> dict[str, str | int | float]:
        """Flat metadata as Chroma stores it (no None values allowed there)."""
        meta: dict[str, str | int | float] = {
            "doc": self.doc,
            "turn": self.turn,
            "start": self.start,
            "end": self.end,
            "speaker": self.speaker,
            "role": self.role,
            "label": self.label,
        }
        if self.question is not None:
            meta["question"] = self.question
        if self.time is not None:
            meta["time"] = self.time
        return meta


def chunk_transcript(transcript: Transcript, max_words: int = 120) -> list[Chunk]:
    chunks: list[Chunk] = []
    for turn in transcript.turns:
        context = _context(transcript, turn)
        for group in _windows(transcript.text, turn.sentences, max_words):
            chunks.append(_make(transcript, turn, group, context))
    return chunks


def _windows(text: str, sentences: tuple[Sentence, ...], max_words: int) -> list[list[Sentence]]:
    """Runs of whole sentences up to `max_words` words (and MAX_CHUNK_CHARS characters: text without spaces
    has few words however long it is), a new paragraph starting a new run once one is half full."""
    groups: list[list[Sentence]] = []
    current: list[Sentence] = []
    counted = 0
    for sentence in sentences:
        n = len(words(text[sentence.start : sentence.end]))
        new_paragraph = sentence.paragraph != current[-1].paragraph if current else False
        too_long = bool(current) and sentence.end - current[0].start > MAX_CHUNK_CHARS
        if current and (too_long or counted + n > max_words or (new_paragraph and counted > max_words // 2)):
            groups.append(current)
            current, counted = [], 0
        current.append(sentence)
        counted += n
    if current:
        groups.append(current)
    return groups


def _context(transcript: Transcript, turn: Turn, max_words: int = 60) -> str:
    """The question a turn answers: its sentences that ask, or its last ones, up to `max_words`."""
    if turn.answers_turn is None:
        return ""
    asked = transcript.turns[turn.answers_turn]
    texts = [transcript.text[s.start : s.end] for s in asked.sentences]
    asks = [t for t in texts if asking(t)] or texts[-2:]
    kept: list[str] = []
    for sentence in reversed(asks):
        if kept and sum(len(words(k)) for k in kept) + len(words(sentence)) > max_words:
            break
        kept.insert(0, sentence)
    return " ".join(kept)


def _make(transcript: Transcript, turn: Turn, group: list[Sentence], context: str) -> Chunk:
    start, end = group[0].start, group[-1].end
    text = transcript.text[start:end]
    para = turn.paragraphs[group[0].paragraph - 1]
    lexical_text = f"{turn.speaker}: {text}"
    search_text = f"{context}\n{lexical_text}" if context else lexical_text
    digest = hashlib.blake2b(
        f"{CHUNKER_VERSION}\0{transcript.doc}\0{start}\0{end}\0{search_text}".encode(), digest_size=12
    )
    return Chunk(
        id=digest.hexdigest(),
        doc=transcript.doc,
        turn=turn.index,
        start=start,
        end=end,
        speaker=turn.speaker,
        role=turn.role,
        question=turn.question,
        label=transcript.label(turn, group[0].paragraph),
        time=para.time[0] if para.time else None,
        search_text=search_text,
        lexical_from=len(search_text) - len(lexical_text),
    )
