"""A "Chroma server" that accepts connections and never answers, trickles its answer, or streams an endless
body (tests/misbehaving.py): `verbatim ask` fails in one line naming the reason, within the wait it was given
and five seconds, and its memory stays bounded (every request has a deadline and a size cap: server.py)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tests.conftest import make_data_dir
from tests.measure import run_measured
from tests.misbehaving import Fault, Misbehaving

WAIT = {Fault.SILENT: 2.0, Fault.TRICKLE: 2.0, Fault.TRICKLE_BODY: 2.0, Fault.ENDLESS: 10.0}  # 64 MB on a busy
REASONS = {Fault.SILENT: "did not answer within 2 s", Fault.TRICKLE: "did not answer within 2 s",  # machine: 2 s+
           Fault.TRICKLE_BODY: "did not answer within 2 s", Fault.ENDLESS: "an answer of more than 64 MB"}


@pytest.mark.slow
@pytest.mark.parametrize("fault", list(Fault), ids=lambda f: f.value)
def test_ask_against_a_misbehaving_server_fails_in_one_line_within_the_wait(fault: Fault, tmp_path: Path) -> None:
    with Misbehaving(fault, every=1.0) as server:
        env = {"VERBATIM_DATA_DIR": str(make_data_dir(tmp_path)), "VERBATIM_INDEX_DIR": str(tmp_path / "index"),
               "VERBATIM_CHROMA_URL": server.url, "VERBATIM_CHROMA_WAIT_SECONDS": str(WAIT[fault])}
        seconds, peak_mb, code, err = run_measured([sys.executable, "-m", "bot.cli", "ask", "Whose house did they "
                                                    "search?"], {**os.environ, **env})
    assert code == 1 and len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    assert REASONS[fault] in err and server.url in err, err
    assert seconds < WAIT[fault] + 5, seconds
    assert peak_mb < 300, peak_mb

