"""How indexing and answering behave as the corpus grows: 1×, 10× and 30× qmsum/committee-train.

    python benchmarks/scale.py SHARED [--sizes 1,10,30] [--tutorial-sizes 1,10] [--tutorial-python PATH]

Each size is that many copies of committee-train's transcripts under distinct names (c00-…, c01-…), and
the committee-train questions are asked of copy c00, scoped to their meeting, so hit@5 is comparable
across sizes. Each point runs in its own process: embedded (a PersistentClient folder) and server mode
(a fresh `chroma run` on 127.0.0.1, whose own RSS is reported too). The langchain tutorial pipeline
(benchmarks/tutorial_pipeline.py) is the baseline in the same run, at the sizes given: it embeds with
torch, so 30× would take hours. Writes benchmarks/SCALE.md and benchmarks/scale.png.
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def corpus(shared: Path, copies: int, root: Path) -> tuple[Path, Path]:
    base = shared / "eval" / "qmsum" / "committee-train"
    data = root / f"x{copies}"
    data.mkdir(parents=True)
    for j in range(copies):
        for f in sorted((base / "transcripts").glob("*.txt")):
            (data / f"c{j:02d}-{f.name}").write_bytes(f.read_bytes())
    questions = root / f"q{copies}.jsonl"
    with questions.open("w", encoding="utf-8") as out:
        for line in (base / "questions.jsonl").read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                row["doc"] = f"c00-{row['doc']}"
                row["gold"] = [g | {"doc": f"c00-{g['doc']}"} for g in row.get("gold", [])]
                out.write(json.dumps(row) + "\n")
    return data, questions


def chroma_server(path: Path) -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    chroma = shutil.which("chroma", path=str(Path(sys.executable).parent)) or "chroma"
    proc = subprocess.Popen([chroma, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1):  # noqa: S310 - loopback
                return proc, url
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("chroma run did not start")


def peak_mb(pid: int) -> float:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return float("nan")
    return int(next(x.split()[1] for x in status.splitlines() if x.startswith("VmHWM:"))) / 1024


def run(args: list[str]) -> dict[str, Any]:
    out = subprocess.run(args, capture_output=True, text=True, check=True, cwd=HERE.parent)
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("shared", type=Path)
    ap.add_argument("--sizes", default="1,10,30")
    ap.add_argument("--tutorial-sizes", default="1,10")
    ap.add_argument("--tutorial-python")
    ap.add_argument("--modes", default="embedded,server")
    ap.add_argument("--report", nargs="+", type=Path, metavar="LOG",
                    help="only rebuild SCALE.md and scale.png from the JSON lines earlier runs printed (the last "
                         "line for each pipeline and size wins)")
    args = ap.parse_args()
    if args.report:
        found: dict[tuple[str, str], dict[str, Any]] = {}
        for log in args.report:
            for line in log.read_text(encoding="utf-8").splitlines():
                if line.startswith("{"):
                    row = json.loads(line)
                    found[(row["pipeline"], row["size"])] = row
        write(sorted(found.values(), key=lambda r: (int(r["size"].rstrip("×")), r["pipeline"])))
        return
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for copies in (int(x) for x in args.sizes.split(",")):
            data, questions = corpus(args.shared, copies, root)
            mb = sum(f.stat().st_size for f in data.iterdir()) / 1e6
            if "embedded" in args.modes:
                row = run([sys.executable, str(HERE / "scale_run.py"), str(data), str(questions),
                           str(root / f"e{copies}")])
                rows.append({"pipeline": "verbatim embedded", "size": f"{copies}×", "text_mb": round(mb, 1)} | row)
                print(json.dumps(rows[-1]), flush=True)
            server, url = chroma_server(root / f"s{copies}") if "server" in args.modes else (None, "")
            if server is not None:
                try:
                    row = run([sys.executable, str(HERE / "scale_run.py"), str(data), str(questions),
                               str(root / f"i{copies}"), url])
                    row["server_peak_mb"] = round(peak_mb(server.pid))
                finally:
                    server.terminate()
                    server.wait()
                rows.append({"pipeline": "verbatim server", "size": f"{copies}×", "text_mb": round(mb, 1)} | row)
                print(json.dumps(rows[-1]), flush=True)
            if args.tutorial_python and str(copies) in args.tutorial_sizes.split(","):
                row = run([args.tutorial_python, str(HERE / "tutorial_pipeline.py"), str(data), str(questions),
                           str(root / f"t{copies}")])
                rows.append({"pipeline": "tutorial (MiniLM, torch)", "size": f"{copies}×", "text_mb": round(mb, 1),
                             "index_s": round(row["index_s"], 1), "query_p50_ms": round(row["query_p50_ms"], 1),
                             "query_p95_ms": round(row["query_p95_ms"], 1), "index_peak_mb": round(row["peak_rss_mb"])})
                print(json.dumps(rows[-1]), flush=True)
            shutil.rmtree(data)
    write(rows)


def write(rows: list[dict[str, Any]]) -> None:
    keys = ["pipeline", "size", "text_mb", "chunks", "index_s", "index_peak_mb", "query_p50_ms", "query_p95_ms",
            "serving_mb", "server_peak_mb", "hit@5"]
    lines = ["| " + " | ".join(keys) + " |", "|" + "---|" * len(keys)]
    lines += ["| " + " | ".join(str(r.get(k, "–")) for k in keys) + " |" for r in rows]
    table = "\n".join(lines)
    print(table)
    (HERE / "SCALE.md").write_text("# Scale: qmsum/committee-train copied 1×, 10×, 30×\n\n"
                                   "`make bench SHARED=../shared` (benchmarks/scale.py); one run on the 2-core "
                                   "machine.\n\n" + table + "\n", encoding="utf-8")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(13, 4))
    for name in dict.fromkeys(r["pipeline"] for r in rows):
        mine = [r for r in rows if r["pipeline"] == name]
        mbs = [r["text_mb"] for r in mine]
        axes[0].plot(mbs, [r["index_s"] for r in mine], marker="o", label=name)
        axes[1].plot(mbs, [r["query_p95_ms"] for r in mine], marker="o", label=name)
        axes[2].plot(mbs, [r.get("serving_mb", r.get("index_peak_mb")) for r in mine], marker="o", label=name)
    sizes = sorted({r["text_mb"] for r in rows})
    titles = ("index build (s)", "query p95 (ms)", "memory while serving (MB; tutorial: peak)")
    for ax, title in zip(axes, titles, strict=True):
        ax.set_title(title)
        ax.set_xlabel("transcript text (MB)")
        ax.set_xscale("log")
        ax.set_xticks(sizes, [f"{m:g}" for m in sizes])
        ax.minorticks_off()
        ax.grid(alpha=0.3)
    axes[0].legend()
    fig.tight_layout()
    fig.savefig(HERE / "scale.png", dpi=100)


if __name__ == "__main__":
    main()
