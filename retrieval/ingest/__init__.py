"""Ingest: bytes and documents → transcript text. Decoding (reading.py), Word, PDF, OpenDocument and HTML
extraction stored beside the original (documents.py and its readers), metadata sidecars, and the data dir
as files to index (folder.py)."""
