"""Summarize: quote-based summaries of a transcript, a library or a topic (scope.py decides what is drawn
on, engine.py which sentences)."""
