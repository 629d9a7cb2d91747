"""Fuzz targets for every decoder of outside input, shared by the property tests (tests/test_fuzz.py,
hypothesis) and the coverage-guided runs (`make fuzz`: atheris, libFuzzer's engine).

    python -m tests.fuzz TARGET [-runs=N] [-max_total_time=S] [libFuzzer flags]

Targets: callbacks (bot/messages/callbacks.py), refs (retrieval/refs.py deep links), transcripts (every parser:
interview, speaker, prose, srt, vtt), render (answers as Telegram HTML). Each target checks the module's
contract, not just "no crash": a decoder refuses with its own error or None, and what it accepts round-trips;
a parser returns spans inside the text, in order; a rendered answer is balanced Telegram HTML within 4,096.
"""

from __future__ import annotations

import sys


def main(argv: list[str]) -> None:
    import atheris

    with atheris.instrument_imports(include=["bot", "retrieval", "tests.fuzz_checks"]):
        from tests.fuzz_checks import TARGETS
    if len(argv) < 2 or argv[1] not in TARGETS:
        sys.exit(f"usage: python -m tests.fuzz {{{','.join(TARGETS)}}} [libFuzzer flags]")
    atheris.Setup([argv[0], *argv[2:]], TARGETS[argv[1]])
    atheris.Fuzz()


if __name__ == "__main__":
    main(sys.argv)
