"""Everything that answers questions from transcripts; knows nothing about Telegram or the CLI.

    ingest/     bytes and documents → text          parse/      text → turns, paragraphs, sentences
    index/      the Snapshot, Chroma, embeddings     answer/     question → ranking → quotes, or abstain
    summarize/  quote-based summaries                service.py  the facade over them all
    read/       transcripts laid out for reading, and the signed links that open them at a quote

The edges (`bot/`) use only the names below: the `Service` facade, its typed results and errors, and the
product's own words (wording.py) that they translate. Anything else may change shape without notice.
"""

from retrieval.answer.question import ParsedQuestion
from retrieval.answer.quotes import plain_quotes
from retrieval.answer.refs import is_ref
from retrieval.config import Settings
from retrieval.errors import (
    Fix,
    IndexLockedError,
    ModelMismatchError,
    StoreUnavailableError,
    TranscriptError,
    UsageError,
    VerbatimError,
)
from retrieval.index.client import index_folder
from retrieval.index.datadir import MAX_UPLOAD_BYTES, UPLOAD_SUFFIXES, check_upload
from retrieval.index.indexer import IndexReport
from retrieval.params import DEFAULT_SUMMARY_WORDS, MAX_QUESTION_CHARS
from retrieval.parse.formats import TRANSCRIPT_SUFFIXES
from retrieval.read.layout import Entry, Heading, Piece, Reading
from retrieval.read.library import Library, Opened
from retrieval.read.links import LinkRefused, Links, Refusal
from retrieval.read.marks import Mark, MarkKind, Run, runs
from retrieval.results import Answer, Cite, Context, Passage, Quote, Source
from retrieval.service import Service
from retrieval.summarize.engine import Part, Summary, format_summary
from retrieval.wording import PAGE_MARK, PLACEHOLDERS, marked, not_answered, not_covered, speaker_name

__all__ = [
    "DEFAULT_SUMMARY_WORDS",
    "MAX_QUESTION_CHARS",
    "MAX_UPLOAD_BYTES",
    "PAGE_MARK",
    "PLACEHOLDERS",
    "TRANSCRIPT_SUFFIXES",
    "UPLOAD_SUFFIXES",
    "Answer",
    "Cite",
    "Context",
    "Entry",
    "Fix",
    "Heading",
    "IndexLockedError",
    "IndexReport",
    "Library",
    "LinkRefused",
    "Links",
    "Mark",
    "MarkKind",
    "ModelMismatchError",
    "Opened",
    "ParsedQuestion",
    "Part",
    "Passage",
    "Piece",
    "Quote",
    "Reading",
    "Refusal",
    "Run",
    "Service",
    "Settings",
    "Source",
    "StoreUnavailableError",
    "Summary",
    "TranscriptError",
    "UsageError",
    "VerbatimError",
    "check_upload",
    "format_summary",
    "index_folder",
    "is_ref",
    "marked",
    "not_answered",
    "not_covered",
    "plain_quotes",
    "runs",
    "speaker_name",
]
