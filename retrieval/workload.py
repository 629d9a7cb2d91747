"""How much work a request will be, known before doing it, so the edges can queue it fairly.

A question in English costs milliseconds; one in another language goes to the multilingual model
(`E5Embeddings`, up to ~2 s of CPU each, however long the text: its input is capped), and a summary
reads a whole transcript. The bot runs the costly ones in a lane of their own (`bot.work`).
"""

from __future__ import annotations

from retrieval.params import MAX_QUESTION_CHARS
from retrieval.question import Question
from retrieval.service import Service


def costly_question(service: Service, text: str) -> bool:
    """Will `text` be answered by the multilingual model?"""
    return not Question.parse(text[:MAX_QUESTION_CHARS], service.corpus.vocabulary).english
