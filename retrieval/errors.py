"""Every error Verbatim reports to a person, in one tree.

    VerbatimError                 message says what is wrong and what to do
    ├── TranscriptError           one file could not be read or parsed (the others still index)
    ├── IndexError_               the index is missing, locked, built by another model, or unreadable
    │   ├── IndexLockedError      another process owns the embedded index folder
    │   ├── IndexDamagedError     Chroma cannot read or write it as it is (a damaged file, a panic)
    │   └── ModelMismatchError    the collection was embedded by another model or dimension
    ├── StoreUnavailableError     the Chroma server cannot be reached
    ├── DiskFullError             a disk the index (or a server's data) is written to is full
    └── UsageError                a request that can never succeed as asked (unknown doc, empty question)

Third-party exceptions are mapped into this tree in one place per dependency (index/client.py for Chroma),
so the CLI and the bot only ever catch `VerbatimError`. A message says what is wrong in the product's
terms; when the fix is a setting or a command, `fix` names it and each edge says how in its own words
(a flag on the command line, a command in the chat), so no message here names a flag or a command.
"""

from __future__ import annotations

from enum import Enum


class Fix(Enum):
    """What a person changes to fix an error, for the edge to spell out."""

    DATA_DIR = "data_dir"  # point at another folder of transcripts
    INDEX_DIR = "index_dir"  # point at a folder that can hold the index
    CHROMA_URL = "chroma_url"  # start the Chroma server, fix its address, or use the embedded index
    SERVER = "server"  # share the index through a Chroma server (the embedded one has one owner)
    REBUILD = "rebuild"  # rebuild the index from the transcripts


class VerbatimError(Exception):
    """Base class: `str(err)` is a one-line message fit to show a person.

    The message is a template with `{name}` fields filled from `params`, so an edge that speaks
    another language can translate the template and fill in the same values. With no params the
    message is taken literally.
    """

    def __init__(self, message: str = "", fix: Fix | None = None, **params: object) -> None:
        super().__init__(message.format(**params) if params else message)
        self.fix = fix
        self.template = message
        self.params = params


class TranscriptError(VerbatimError):
    """A transcript file that cannot be used; names the file and the reason.

    The reason is a template of its own (`reason_template`, filled from `reason_params`), so an edge
    translates the reason and puts the file's name in front: `TranscriptError(doc, "is {size} MB", size=3)`.
    """

    def __init__(self, path: str, reason: str, **params: object) -> None:
        self.reason_template = reason
        self.reason_params = params
        self.reason = reason.format(**params) if params else reason
        self.path = path
        escaped = reason if params else reason.replace("{", "{{").replace("}", "}}")
        super().__init__("{path}: " + escaped, None, path=path, **params)


class IndexError_(VerbatimError):
    """The index cannot serve as it is."""


class IndexLockedError(IndexError_):
    """Another process holds the embedded index; two writers would corrupt it."""


class IndexDamagedError(IndexError_):
    """Chroma failed on the index itself: the embedded one is rebuilt in a fresh folder from the transcripts."""


class ModelMismatchError(IndexError_):
    """Vectors in the collection came from a different embedding model."""


class StoreUnavailableError(VerbatimError):
    """The Chroma server did not answer."""


class DiskFullError(VerbatimError):
    """A write failed for want of room; nothing that answers was changed, and rebuilding would need more."""


class UsageError(VerbatimError):
    """The request itself is wrong (exit status 2 on the command line)."""
