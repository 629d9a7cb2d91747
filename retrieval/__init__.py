"""Everything that answers questions from transcripts; knows nothing about Telegram or the CLI."""
