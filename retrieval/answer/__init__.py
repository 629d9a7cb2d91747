"""Answer: a question parsed once (question.py) → ranking → passages → sentence choice → verified quotes, or
an abstention; pipeline.py runs the steps in order."""
