"""A command in a child process, measured: its wall time, its own peak memory, its exit status and stderr.

The peak is the program's own high-water mark (`VmHWM`, read from /proc while it runs), not `ru_maxrss`:
Linux carries the forking parent's high-water mark over into the child's, so a child of a test process
that holds the models would report the test process's memory."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_measured(command: list[str], env: dict[str, str]) -> tuple[float, float, int, str]:
    """(seconds, peak MB, exit status, stderr) of `command` run from the project's root."""
    began = time.perf_counter()
    child = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak_kb = 0
    while child.poll() is None:
        try:
            status = Path(f"/proc/{child.pid}/status").read_text()
        except OSError:
            break
        peak_kb = max([peak_kb, *(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM"))])
        time.sleep(0.02)
    _, err = child.communicate()
    return time.perf_counter() - began, peak_kb / 1024, child.returncode, err.decode(errors="replace")
