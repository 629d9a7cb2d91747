"""Every tunable number of search, reading and summaries, in one value (`Params`), and the fixed limits.

Each is a named field of a frozen dataclass, so a benchmark or a test can change one with `dataclasses.replace`
and see what it did; nothing else in `retrieval` writes a bare factor. What the learned reader weighs is not
here: it learned its weights (retrieval/answer/reader.json, `make train`).
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_QUESTION_CHARS = 4096  # the most a Telegram message holds: no question is read further, from any edge
DEFAULT_SUMMARY_WORDS = 250  # a summary's default budget of quoted words
MIN_TRANSCRIPT_WORDS = 40  # a transcript's least share of a summary of several: less would quote nothing
TOPIC_WINDOWS = 6  # passages a summary topic draws its sentences from
TOPIC_SHARE = 0.75  # an exchange stays in a topic summary if its passage ranks within this share of the best
SMALL_DOC_CHARS = 15_000  # transcripts this short have every sentence read by the multilingual model at index time
INTERVIEW_DOC_CHARS = 60_000  # and interviews this short (about 4 kB a second, so up to 15 s once; kept in the index)
FOREIGN_DOC_CHARS = 100_000  # a transcript not in English this short is in the multilingual space from index time;
# a longer one is embedded there when a question is first scoped to it, so no upload takes minutes to index


@dataclass(frozen=True, kw_only=True)
class Params:
    """Every tunable number of answering and summarising. The learned reader (answer/reader.py) carries its own
    thresholds; `answer_threshold` and `keep_threshold` override them when set."""

    # search: chunks by fused dense and lexical score (answer/ranking.py), grown into passages (answer/passages.py)
    dense_k: int = 60
    lexical_k: int = 60
    dense_weight: float = 0.55
    lexical_weight: float = 0.45
    question_handoff: float = 0.9  # share of a matching question's score its answer inherits
    question_penalty: float = 0.8  # an interviewer's question itself steps back by this factor
    full_length_words: int = 12  # chunks shorter than this are discounted (they match names, little else)
    window_chars: int = 1500
    window_support: float = 0.3
    # reading (answer/reader.py)
    candidates: int = 40  # sentences of the transcript a cheap reading ranks highest
    candidate_words_weight: float = 4.0  # what the question's words count in that cheap reading
    candidate_chunks: int = 4  # and the sentences of the chunks search ranked first
    answer_threshold: float | None = None
    keep_threshold: float | None = None
    max_quotes: int = 3
    max_words: int = 120
    broad_quotes: int = 5  # "Summarize the discussion of ...": more ground to cover
    broad_words: int = 120
    more_words_factor: float = 4.0  # "More quotes": a wider budget, the quotes already shown left out
    more_keep_factor: float = 0.5  # and a lower keep threshold
    # summaries (summarize/)
    summary_min_words: int = 12
    summary_max_words: int = 60
    section_words: int = 25
    relevance_weight: float = 1.0
    redundancy: float = 0.85
    answer_sentences: int = 3
    summary_question_factor: float = 0.7
    noise_ratio: int = 1000  # a sentence may hold one mark or filler per this many words (in effect: none)
