"""Every tunable number of search, quote choice, abstention and summaries, in one place.

Each is a named field of a frozen dataclass, so a benchmark or a test can change one rule's weight with
`dataclasses.replace` and see what it did; nothing else in `retrieval` writes a bare factor.
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


@dataclass(frozen=True)
class SearchParams:
    """Chunk retrieval: how dense and lexical scores are fused and passages grown (retrieval/search.py)."""

    dense_k: int = 60
    lexical_k: int = 60
    dense_weight: float = 0.55
    lexical_weight: float = 0.45
    question_handoff: float = 0.9  # share of a matching question's score its answer inherits
    question_penalty: float = 0.8  # an interviewer's question itself steps back by this factor
    full_length_words: int = 12  # chunks shorter than this are discounted (they match names, little else)
    window_chars: int = 1500
    window_support: float = 0.3


@dataclass(frozen=True)
class QuoteParams:
    """Sentence choice (retrieval/choice.py) and abstention (retrieval/abstain.py)."""

    # candidates
    candidate_chunks: int = 4
    candidate_windows: int = 2
    window_prior: float = 0.8  # each later window's chunks count this much less
    # a sentence's score
    dense_weight: float = 0.5
    e5_weight: float = 6.0  # the multilingual model's similarity above the transcript's centre (see Meaning)
    lexical_weight: float = 0.35
    rank_weight: float = 0.3
    interviewer_factor: float = 0.85
    interviewer_min_lexical: float = 0.6  # an interviewer's sentence is quoted only if it holds this share of the terms
    speaker_sentence_boost: float = 0.15
    question_factor: float = 0.5  # a question seldom answers a question
    min_sentence_words: int = 5
    short_factor: float = 0.5  # a sentence under min_sentence_words counts this much
    mark_penalty: float = 2.0  # per transcription mark ("{vocalsound}") per word
    mark_floor: float = 0.5  # marks never cut a score below this share
    # selection
    keep_ratio: float = 0.8  # further quotes score at least this share of the best
    follower_factor: float = 0.99  # a sentence pointing back to the best one joins it, ranked just below
    max_quotes: int = 3
    max_words: int = 120
    broad_quotes: int = 5  # "Summarize the discussion of ...": more ground to cover
    broad_words: int = 120
    # "More quotes": a wider choice, from which the quotes already shown are left out
    more_words_factor: float = 4.0
    more_keep_factor: float = 0.6
    more_chunks_factor: int = 2
    # abstention: one score (retrieval/abstain.py), margins over thresholds in units of their spread
    abstain_threshold: float = 0.0
    min_dense: float = 0.3  # the static model's best chunk similarity
    dense_spread: float = 0.1
    # where the multilingual model read every sentence: log-odds of an answer (benchmarks/calibrate.py)
    read_bias: float = -40.143
    read_best: float = 48.524  # the best sentence similarity
    read_lift: float = 42.134  # how far the best stands out of the transcript's centre
    read_standing: float = -0.757  # the same in units of the sentences' spread
    read_coverage: float = 1.75  # the words evidence, where the question and the transcript share a language
    read_across: float = 1.352  # the question and the transcript are in different languages
    read_azerbaijani: float = -2.066  # an Azerbaijani question (the model reads them all a little closer)
    read_absent: float = -1.093  # share of the question's names the transcript never mentions
    min_dense_multilingual: float = 0.75  # the multilingual model's best chunk similarity
    multilingual_spread: float = 0.05
    min_coverage: float = 0.5  # share of the question's rare terms the transcript contains
    coverage_spread: float = 0.1
    answer_type_penalty: float = 100.0  # a quantity or date asked for and none stated: decisive
    names_penalty: float = 10.0  # outweighs any coverage: the names are there by definition
    multilingual_chunks_factor: int = 2  # multilingual sentence vectors are computed for this many × candidate chunks

@dataclass(frozen=True)
class SummaryParams:
    """Quote-based summaries (retrieval/summaries.py)."""

    min_words: int = 12
    max_words: int = 60
    section_words: int = 25
    relevance_weight: float = 1.0
    redundancy: float = 0.85
    answer_sentences: int = 3
    question_factor: float = 0.7
    noise_ratio: int = 1000  # a sentence may hold one mark or filler per this many words (in effect: none)
