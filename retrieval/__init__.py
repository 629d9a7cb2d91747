"""Everything that answers questions from transcripts; knows nothing about Telegram or the CLI.

The edges (`bot/`) use only the names below: the `Service` facade, its typed results and its errors.
Anything else in this package may change shape without notice.
"""

from retrieval.chroma import index_folder
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
from retrieval.index import IndexReport
from retrieval.library import MAX_UPLOAD_BYTES, UPLOAD_SUFFIXES
from retrieval.models import Answer, Cite, Context, Passage, Quote, Source
from retrieval.params import DEFAULT_SUMMARY_WORDS, MAX_QUESTION_CHARS
from retrieval.refs import is_ref
from retrieval.service import Service
from retrieval.summaries import Part, Summary, format_summary
from retrieval.transcripts import TRANSCRIPT_SUFFIXES
from retrieval.workload import costly_question

__all__ = [
    "DEFAULT_SUMMARY_WORDS",
    "MAX_QUESTION_CHARS",
    "MAX_UPLOAD_BYTES",
    "TRANSCRIPT_SUFFIXES",
    "UPLOAD_SUFFIXES",
    "Answer",
    "Cite",
    "Context",
    "Fix",
    "IndexLockedError",
    "IndexReport",
    "ModelMismatchError",
    "Part",
    "Passage",
    "Quote",
    "Service",
    "Settings",
    "Source",
    "StoreUnavailableError",
    "Summary",
    "TranscriptError",
    "UsageError",
    "VerbatimError",
    "costly_question",
    "format_summary",
    "index_folder",
    "is_ref",
]
