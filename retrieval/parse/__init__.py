"""Parse: transcript text → speaker turns, paragraphs and sentences as exact character spans. Formats are
detected and parsed in formats.py; the parsed value and its citations are in turns.py."""
