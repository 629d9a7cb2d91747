"""Interview structure from any layout: who asks is found from the turns' shape or labels, questions are
numbered, answers cited by their question; meetings and hearings keep their citations by turn."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.parse.formats import load, parse
from retrieval.parse.layouts import is_name
from retrieval.parse.turns import Transcript

NAMED = """Dana Reyes: Thank you for joining us today. What did the flood do to the valley last spring?

Omar Lind: The river rose four metres in a night. Two bridges were lost and the school was closed for a month.

The farms downstream lost most of their seed stock.

Dana Reyes: Who paid for the repairs?

Omar Lind: The regional fund paid for the bridges. The school was repaired by parents over the summer.

Dana Reyes: Right.

Omar Lind: And the farms are still waiting for their compensation.

Dana Reyes: What would you change before the next flood?

Omar Lind: I would move the seed stores to higher ground and build a second crossing upstream.
"""

QA = """An interview with the harbour master, spring edition

Q.  Why was the harbour closed in March?

A.  The breakwater cracked during the storm. Divers found the crack two days later.

Q.  When will it open again?

A.  We expect to open in June, once the concrete has cured.
"""

RUSSIAN = """Вопрос. Почему закрыли порт в марте?

Ответ. Волнорез треснул во время шторма. Водолазы нашли трещину через два дня.

Вопрос. Когда его откроют?

Ответ. Мы рассчитываем открыть порт в июне.
"""

MEETING = """Chair: Let us begin with the budget. Ms. Vale, your report?

Ms. Vale: Spending rose by four percent. Most of it went to roads.

Mr. Ode: Why did roads take so much? Was the bridge included?

Ms. Vale: The bridge was included, yes.

Mr. Kay: I object to the bridge spending. It was never approved by this council.

Chair: Noted. Mr. Ode, anything else?

Mr. Ode: Nothing more from me. The schools report can wait.

Ms. Tan: The schools report is ready and I would like to present it next week.
"""

SUBTITLES = """1
00:00:01,000 --> 00:00:03,000
HOST: Welcome. What brought you to the mountains?

2
00:00:03,500 --> 00:00:09,000
GUIDE: I grew up in the valley and climbed every summer.

3
00:00:09,500 --> 00:00:12,000
GUIDE: Later I trained as a guide in the capital.

4
00:00:12,500 --> 00:00:14,000
HOST: What is the hardest route you lead?

5
00:00:14,500 --> 00:00:19,000
GUIDE: The north ridge in winter. It takes three days and the wind never stops.
"""


ROOT = Path(__file__).resolve().parent.parent
REAL = [ROOT / "data" / "transcripts" / "mammadli-interview.txt",
        *sorted((ROOT / "benchmarks" / "interviews").glob("*/transcripts/*"))]


def labels(t: Transcript) -> list[str]:
    return [t.label(turn, 1) for turn in t.turns]


def test_named_speakers_are_an_interview_with_numbered_questions() -> None:
    t = parse(NAMED, "flood.txt")
    assert t.format == "interview"
    roles = {turn.speaker: turn.role for turn in t.turns}
    assert roles == {"Dana Reyes": "interviewer", "Omar Lind": "interviewee"}
    assert labels(t) == ["Q1", "answer to Q1, ¶1", "Q2", "answer to Q2, ¶1", "turn 5", "answer to Q2, ¶2", "Q3",
                         "answer to Q3, ¶1"]
    second = t.turns[1]
    assert t.label(second, 2) == "answer to Q1, ¶2"


def test_an_interjection_does_not_start_a_question_and_the_answer_goes_on() -> None:
    t = parse(NAMED, "flood.txt")
    right, goes_on = t.turns[4], t.turns[5]
    assert right.role == "interviewer" and right.question is None
    assert goes_on.question == 2 and goes_on.answers_turn == 2 and goes_on.paragraph_offset == 1
    assert t.turns[2].answered_by == (3, 5)


def test_question_and_answer_labels_in_english_and_russian() -> None:
    for text, asker in ((QA, "Q"), (RUSSIAN, "Вопрос")):
        t = parse(text, "qa.txt")
        assert t.format == "interview"
        assert [turn.speaker for turn in t.turns if turn.role == "interviewer"] == [asker, asker]
        assert labels(t)[-1] == "answer to Q2, ¶1"


def test_subtitles_of_an_interview_cite_the_question_and_the_time() -> None:
    t = parse(SUBTITLES, "walk.srt", suffix=".srt")
    assert t.format == "srt"
    assert labels(t) == ["Q1, 00:00:01", "answer to Q1, 00:00:03", "Q2, 00:00:12", "answer to Q2, 00:00:14"]


def test_a_meeting_keeps_its_citations_by_turn() -> None:
    t = parse(MEETING, "council.txt")
    assert t.format == "speaker" and all(turn.role == "speaker" for turn in t.turns)
    assert labels(t)[:2] == ["turn 1", "turn 2"]


def test_a_sentence_running_into_a_colon_is_no_speaker_label() -> None:
    assert is_name("Hon. Sam Roe (Minister of Fisheries, Lib.)") and is_name("THE VICE PRESIDENT")
    assert is_name("Grad A") and is_name("Elham Tabassi")
    assert not is_name("So I have to ask you") and not is_name("But she famously said")
    assert not is_name("When we look at this issue, I think")


@pytest.mark.parametrize("path", REAL, ids=lambda p: p.name)
def test_every_answer_in_the_real_interviews_is_cited_by_its_question(path: Path) -> None:
    t = load(path, path.name)
    assert t.interview
    answers = [t.label(turn, n) for turn in t.turns if turn.role == "interviewee"
               for n in range(1, len(turn.paragraphs) + 1)]
    asked = [turn for turn in t.turns if turn.role == "interviewer" and turn.question is not None]
    assert len(answers) >= 5 and len(asked) >= 5
    assert [a for a in answers if not a.startswith("answer to Q")] == []
