"""Index: the `Snapshot` (snapshot.py, built whole by build.py), the Chroma collections behind it (client.py,
store.py, healing.py), the offline embedding models, lexical search, chunks, and the `Index` that keeps them
in step with the data dir (indexer.py, datadir.py)."""
