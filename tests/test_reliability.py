"""Every hostile or broken input gets a one-line answer, never a traceback (the issue's list, one by one)."""

from __future__ import annotations

import asyncio
import errno
import logging
import os
import time
from pathlib import Path
from typing import Any

import pytest

from bot import cli, logs
from bot.state.work import BUSY, ONE_AT_A_TIME, Work
from bot.terminal import asked
from bot.terminal.text import printable
from retrieval.config import Settings
from retrieval.errors import TranscriptError, UsageError, VerbatimError
from retrieval.index import client as chroma
from retrieval.index import datadir as library
from retrieval.index.embeddings import MAX_QUERY_CHARS, WordLlamaEmbeddings, query_text
from retrieval.ingest import documents

GOOD = "Q: Who spoke first?\nA: The chair spoke first.\n"


# -- the command line --------------------------------------------------------------------------------
def test_ask_jsonl_on_a_directory_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="is a folder"):
        asked.read_questions(tmp_path)


def test_a_negative_chroma_wait_is_a_one_line_usage_error(monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("VERBATIM_CHROMA_WAIT_SECONDS", "-1")
    assert cli.main(["index"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "VERBATIM_CHROMA_WAIT_SECONDS" in err and "Traceback" not in err


def test_an_overlong_question_is_refused_before_any_work(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["ask", "x" * 40_000]) == 2
    assert "at most 4,096" in capsys.readouterr().err


@pytest.mark.parametrize("url", ["http://127.0.0.1:99999", "http://[::1", "ftp://127.0.0.1:8000",
                                 "http://reader:s3cret@127.0.0.1:99999"])
def test_a_chroma_url_that_is_no_url_is_one_line(url: str, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("VERBATIM_CHROMA_URL", url)
    assert cli.main(["ask", "Whose house did they search?"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is not an http(s)://host:port URL" in err and "Traceback" not in err
    assert "s3cret" not in err and "reader" not in err


def test_the_lock_refusal_points_at_a_server_and_says_nothing_of_unsetting(tmp_path: Path) -> None:
    from filelock import FileLock

    settings = Settings(tmp_path / "data", tmp_path / "index")
    chroma.index_folder(settings.index_dir)
    with FileLock(str(settings.index_dir / "verbatim.lock")), pytest.raises(VerbatimError) as refused:
        chroma.connect(settings)
    hint = cli.explain(refused.value)
    assert "another Verbatim process" in hint and "unset" not in hint and "set VERBATIM_CHROMA_URL=" in hint


@pytest.mark.slow
def test_credentials_in_a_chroma_url_are_sent_and_never_repeated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    import base64

    from tests.misbehaving import Fault, Misbehaving

    with Misbehaving(Fault.SILENT) as server:
        monkeypatch.setenv("VERBATIM_CHROMA_URL", server.url.replace("://", "://reader:s3cret@"))
        monkeypatch.setenv("VERBATIM_CHROMA_WAIT_SECONDS", "1")
        monkeypatch.setenv("VERBATIM_INDEX_DIR", str(tmp_path / "index"))
        assert cli.main(["ask", "Whose house did they search?"]) == 1
    err = capsys.readouterr().err
    assert server.url in err and "s3cret" not in err and "reader" not in err, err
    assert (b"authorization: basic " + base64.b64encode(b"reader:s3cret")).lower() in server.requests[0].lower()


@pytest.mark.slow
def test_ask_json_into_a_pipe_closed_early_prints_no_traceback(tmp_path: Path) -> None:
    """`verbatim ask --json ... | head -c 10`: the reader has gone before the answer is written."""
    import subprocess
    import sys

    from tests.conftest import make_data_dir

    env = {**os.environ, "VERBATIM_DATA_DIR": str(make_data_dir(tmp_path)),
           "VERBATIM_INDEX_DIR": str(tmp_path / "index")}
    read, write = os.pipe()
    os.close(read)
    try:
        done = subprocess.run([sys.executable, "-m", "bot.cli", "ask", "--json", "Whose house did they search?"],
                              stdout=write, stderr=subprocess.PIPE, text=True, env=env, timeout=300, check=False,
                              cwd=Path(__file__).resolve().parent.parent)
    finally:
        os.close(write)
    assert done.stderr == "" and done.returncode == 141, done.stderr


def test_terminal_output_escapes_control_characters() -> None:
    assert printable("a\x1b]0;owned\x07b\x1b[2Jc\nd\te\u202ef") == "a\\x1b]0;owned\\x07b\\x1b[2Jc\nd\te\\u202ef"


def test_bot_log_lines_carry_timestamps(monkeypatch: pytest.MonkeyPatch) -> None:
    root = logging.getLogger()
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))  # as `verbatim` starts
    monkeypatch.setattr(root, "handlers", [handler])
    monkeypatch.setattr(root, "level", root.level)
    logs.setup("INFO", "")
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello", None, None)
    assert time.strftime("%Y-") in handler.format(record)


# -- the data dir -------------------------------------------------------------------------------------
def test_an_upload_named_only_by_its_suffix_is_refused(tmp_path: Path) -> None:
    for name in (".txt", ".md", "...srt", " .vtt"):
        with pytest.raises(UsageError, match="no name before"):
            library.add(tmp_path, name, GOOD.encode())
    assert list(tmp_path.iterdir()) == []


def test_an_upload_to_a_read_only_data_dir_says_so_and_leaves_nothing(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    def refused(*args: Any, **kwargs: Any) -> Any:
        raise PermissionError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(documents.tempfile, "mkstemp", refused)  # every write to the data dir goes through it
    with pytest.raises(UsageError, match=r"cannot write to the folder .*Read-only file system.*nothing was changed"):
        library.add(tmp_path, "talk.txt", GOOD.encode())
    monkeypatch.undo()
    monkeypatch.setattr(library.os, "replace", refused)
    with pytest.raises(UsageError, match="cannot write to the folder"):
        library.add(tmp_path, "talk.txt", GOOD.encode())
    assert list(tmp_path.iterdir()) == []


def test_an_upload_to_a_full_data_dir_says_the_disk_is_full(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(*args: Any, **kwargs: Any) -> Any:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(library.os, "replace", full)
    with pytest.raises(UsageError, match=r"the disk holding the folder .* is full .*nothing was changed") as refused:
        library.add(tmp_path, "talk.txt", GOOD.encode())
    assert "writable" not in str(refused.value) and list(tmp_path.iterdir()) == []


def test_a_write_the_disk_has_no_room_for_is_refused_before_chroma_tries_it(tmp_path: Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from collections import namedtuple

    from retrieval.errors import DiskFullError

    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(chroma.shutil, "disk_usage", lambda _: usage(10**9, 10**9 - 20_000_000, 20_000_000))
    with pytest.raises(DiskFullError, match=rf"the disk holding {tmp_path} is full \(20 MB free\)"):
        chroma.require_room(tmp_path, records=10, text_chars=1000, dim=384)
    chroma.require_room(None, records=10**6)  # a server's disk is the server's
    said = chroma.full_disk(VerbatimError("Query error: (code: 13) database or disk is full"), None)
    assert said is not None and "server's disk is full" in str(said)
    assert chroma.full_disk(VerbatimError("Error finding id"), None) is None
    monkeypatch.setattr(chroma.shutil, "disk_usage", lambda _: usage(10**12, 0, 10**11))
    assert chroma.full_disk(VerbatimError("Error finding id"), tmp_path) is None  # room enough: no full disk
    assert chroma.full_disk(OSError(errno.ENOSPC, "No space left on device"), tmp_path) is not None


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_utf16_text_is_read_by_its_mark_and_stored_as_utf8(encoding: str, tmp_path: Path) -> None:
    from retrieval.ingest.reading import decode

    text = "Q: Who spoke first?\r\nA: The chair, Nəsimi Məmmədli, spoke first.\r\n"
    raw = text.encode(encoding) if encoding != "utf-16-be" else b"\xfe\xff" + text.encode(encoding)
    added = library.add(tmp_path, "talk.txt", raw)  # an upload: stored as the UTF-8 every offset indexes
    stored = (tmp_path / "talk.txt").read_text(encoding="utf-8")
    assert stored == text.replace("\r\n", "\n") and added.transcript.text == stored
    assert library.add(tmp_path, "talk.txt", raw).unchanged  # the same upload again
    with pytest.raises(TranscriptError, match=r"is UTF-(16|32) text; re-save it as UTF-8") as refused:
        decode(raw, "on-disk.txt")  # a file in the data dir: its offsets could not index its UTF-8 reading
    assert "binary" not in str(refused.value)


@pytest.mark.parametrize("failure", [errno.EROFS, errno.EXDEV])
def test_removing_from_a_read_only_data_dir_says_so_and_leaves_no_copy(tmp_path: Path, failure: int,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    data, trash = tmp_path / "data", tmp_path / "state" / "removed"
    data.mkdir()
    (data / "talk.txt").write_text(GOOD)
    real_unlink = os.unlink

    def rename(src: Any, dst: Any) -> None:
        raise OSError(failure, os.strerror(failure), str(src))

    def unlink(path: Any, *args: Any, **kwargs: Any) -> None:
        if Path(path).parent == data:
            raise PermissionError(errno.EROFS, "Read-only file system", str(path))
        real_unlink(path, *args, **kwargs)

    monkeypatch.setattr(library.os, "rename", rename)
    monkeypatch.setattr(library.os, "unlink", unlink)
    with pytest.raises(UsageError, match="cannot write to the folder"):
        library.remove(data, "talk.txt", trash)
    assert (data / "talk.txt").read_text() == GOOD
    assert not trash.exists() or list(trash.iterdir()) == []


def test_removing_when_the_data_dir_is_not_writable_changes_nothing(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "talk.txt").write_text(GOOD)
    monkeypatch.setattr(library.os, "access", lambda *a, **k: False)
    with pytest.raises(UsageError, match="cannot write to the folder"):
        library.remove(tmp_path, "talk.txt", tmp_path / "trash")
    assert (tmp_path / "talk.txt").exists() and not (tmp_path / "trash").exists()


# -- the index ------------------------------------------------------------------------------------------
class PanicException(BaseException):  # named like pyo3's, which is what is matched
    """Stands in for pyo3_runtime.PanicException, which chromadb's Rust bindings raise."""


def test_a_chroma_panic_on_open_is_our_one_line_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def panics(*args: Any, **kwargs: Any) -> Any:
        raise PanicException("called `Result::unwrap()` on an `Err` value: database disk image is malformed\n"
                             "stack backtrace: ...")

    monkeypatch.setattr(chroma.chromadb, "PersistentClient", panics)
    with pytest.raises(VerbatimError) as caught:
        chroma.connect(Settings(tmp_path / "data", tmp_path / "index"))
    message = str(caught.value)
    assert "\n" not in message and "move that folder aside" in message and "chroma" in message
    assert "delete that folder" not in message


def test_a_chroma_panic_during_a_query_is_our_error() -> None:
    with pytest.raises(VerbatimError, match="the index is damaged"), chroma.mapped():
        raise PanicException("index out of bounds")
    with pytest.raises(KeyboardInterrupt), chroma.mapped():
        raise KeyboardInterrupt


@pytest.mark.slow
def test_a_chroma_sqlite_overwritten_past_its_head_heals(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from retrieval.service import Service
    from tests.conftest import make_data_dir

    data, index = make_data_dir(tmp_path), tmp_path / "index"
    with Service(Settings(data, index)) as service:
        service.open()
    db = index / "chroma" / "chroma.sqlite3"
    raw = bytearray(db.read_bytes())
    raw[100:len(raw)] = b"\x5a" * (len(raw) - 100)
    db.write_bytes(bytes(raw))
    with Service(Settings(data, index)) as service, caplog.at_level("WARNING"):
        service.open()  # moved aside and rebuilt from the transcripts, said once in the log
        assert service.ask("Whose house was searched?").quotes
    assert any("rebuilding it from the transcripts in a fresh folder" in r.getMessage() for r in caplog.records)


def test_query_text_is_capped_whatever_its_length() -> None:
    assert query_text("a" * 40_000) == "a" * MAX_QUERY_CHARS and query_text("short") == "short"


@pytest.mark.slow
def test_a_huge_query_costs_what_a_capped_one_does() -> None:
    model = WordLlamaEmbeddings()
    long = "the witness said " * 3000
    assert (model.query_vector(long) == model.query_vector(long[:MAX_QUERY_CHARS])).all()


# -- fair work ------------------------------------------------------------------------------------------
async def test_costly_work_has_its_own_lane_and_cheap_questions_keep_theirs() -> None:
    work = Work(cheap_threads=2, costly_threads=1, queue=3)
    costly = [asyncio.create_task(work.costly(time.sleep, 0.5, owner=n)) for n in range(3)]
    await asyncio.sleep(0.05)
    with pytest.raises(UsageError, match=BUSY.split(";")[0]):  # the lane's queue is full
        await work.costly(time.sleep, 0.01, owner=99)
    began = time.perf_counter()
    await asyncio.gather(*(work.cheap(time.sleep, 0.01) for _ in range(10)))
    assert time.perf_counter() - began < 0.4  # not behind the 1.5 s of costly work
    await asyncio.gather(*costly)
    work.shutdown()


async def test_a_rebuild_in_the_admin_lane_holds_up_no_costly_question() -> None:
    work = Work(costly_threads=1, queue=8)
    rebuild = asyncio.create_task(work.costly(time.sleep, 1.0))  # an admin's job: owner None
    await asyncio.sleep(0.05)
    began = time.perf_counter()
    await work.costly(time.sleep, 0.01, owner=5)  # a question in another language meanwhile
    assert time.perf_counter() - began < 0.5
    await rebuild
    work.shutdown()


async def test_one_costly_job_per_person_at_a_time() -> None:
    work = Work(costly_threads=2, queue=8)
    first = asyncio.create_task(work.costly(time.sleep, 0.2, owner=7))
    await asyncio.sleep(0.02)
    with pytest.raises(UsageError, match=ONE_AT_A_TIME.split(";")[0]):
        await work.costly(time.sleep, 0.01, owner=7)
    await work.costly(time.sleep, 0.01, owner=8)
    await first
    await work.costly(time.sleep, 0.01, owner=7)  # done: the next is welcome
    work.shutdown()


def test_the_limiter_charges_an_update_once() -> None:
    from bot.state.buckets import UserLimiter

    limiter = UserLimiter(per_minute=6, burst=1, clock=lambda: 0.0)
    assert limiter.admit(1, update_id=10) == 0 and limiter.admit(1, update_id=10) == 0
    assert limiter.admit(1, update_id=11) > 0


