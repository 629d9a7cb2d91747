"""Every error Verbatim reports to a person, in one tree.

    VerbatimError                 message says what is wrong and what to do
    ├── TranscriptError           one file could not be read or parsed (the others still index)
    ├── IndexError_               the index is missing, locked, built by another model, or unreadable
    │   ├── IndexLockedError      another process owns the embedded index folder
    │   └── ModelMismatchError    the collection was embedded by another model or dimension
    ├── StoreUnavailableError     the Chroma server cannot be reached
    └── UsageError                a request that can never succeed as asked (unknown doc, empty question)

Third-party exceptions are mapped into this tree in one place per dependency (store.py for Chroma),
so the CLI and the bot only ever catch `VerbatimError`.
"""

from __future__ import annotations


class VerbatimError(Exception):
    """Base class: `str(err)` is a one-line message fit to show a person."""


class TranscriptError(VerbatimError):
    """A transcript file that cannot be used; names the file and the reason."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class IndexError_(VerbatimError):
    """The index cannot serve as it is."""


class IndexLockedError(IndexError_):
    """Another process holds the embedded index; two writers would corrupt it."""


class ModelMismatchError(IndexError_):
    """Vectors in the collection came from a different embedding model."""


class StoreUnavailableError(VerbatimError):
    """The Chroma server did not answer."""


class UsageError(VerbatimError):
    """The request itself is wrong (exit status 2 on the command line)."""
