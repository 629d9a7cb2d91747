"""The product's own words, written once: placeholder speaker names, citations, the interviewer's mark,
and abstentions.

Each message is English and marked with `N_`, so `make catalogs` extracts it from here; the CLI shows it
as it is, and the bot shows the same message translated into its reader's language. A message with
values is a template (`"answer to Q{number}, ¶{paragraph}"`), filled after translation.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

Translate = Callable[[str], str]


def N_(message: str) -> str:
    """Marks a message for the catalogs; it is translated where it is shown."""
    return message


def same(message: str) -> str:
    """The translation of the CLI: none."""
    return message


# Speakers a transcript does not name are called by their part; real names stay as written.
INTERVIEWER = N_("Interviewer")
INTERVIEWEE = N_("Interviewee")
NARRATOR = N_("Narrator")
UNKNOWN_SPEAKER = N_("Unknown speaker")
PLACEHOLDERS = frozenset({INTERVIEWER, INTERVIEWEE, NARRATOR, UNKNOWN_SPEAKER})

# Citations by kind, without and with the paragraph within the turn.
CITES: dict[str, tuple[str, str]] = {
    "question": (N_("Q{number}"), N_("Q{number}, ¶{paragraph}")),
    "answer": (N_("answer to Q{number}"), N_("answer to Q{number}, ¶{paragraph}")),
    "turn": (N_("turn {number}"), N_("turn {number}, ¶{paragraph}")),
    "paragraph": (N_("¶{number}"), N_("¶{number}")),
    "cue": (N_("cue {number}"), N_("cue {number}")),
}
TIMED = {"question": N_("Q{number}, {time}"), "answer": N_("answer to Q{number}, {time}")}
ONE_PAGE = N_(", p. {page}")
PAGE_MARK = N_("p. {page}")  # where a page of a PDF begins, on a reading page
PAGES = N_(", pp. {first}–{last}")
MARKED_INTERVIEWER = N_("{speaker} (interviewer)")

# What an abstention says was searched: the whole library, one interview or transcript, or a named one.
NOT_ANSWERED = {"transcripts": N_("The transcripts do not answer this."),
                "interview": N_("The interview does not answer this."),
                "transcript": N_("The transcript does not answer this."),
                "doc": N_("{doc} does not answer this.")}
NOT_COVERED = {"transcripts": N_("The transcripts do not cover {topic}."),
               "interview": N_("The interview does not cover {topic}."),
               "transcript": N_("The transcript does not cover {topic}."),
               "doc": N_("{doc} does not cover {topic}.")}
THEY_COVER = {"transcripts": N_("They do cover, for example:"), "doc": N_("They do cover, for example:"),
              "interview": N_("It does cover, for example:"), "transcript": N_("It does cover, for example:")}


def speaker_name(name: str, translate: Translate = same) -> str:
    """A speaker as written in the transcript; only the placeholders above are words of ours."""
    return translate(name) if name in PLACEHOLDERS else name


def marked(speaker: str, interviewer: bool, translate: Translate = same) -> str:
    """Who said it: an interviewer known by name is marked as the interviewer, because a reader cannot
    tell a named asker from the interviewee otherwise."""
    name = speaker_name(speaker, translate)
    if interviewer and "interviewer" not in speaker.lower():
        return translate(MARKED_INTERVIEWER).format(speaker=name)
    return name


def not_answered(subject: str, doc: str | None, offered: Sequence[str], translate: Translate = same,
                 bullet: str = "- ") -> tuple[str, list[str]]:
    """The abstention's sentence and, when there are questions the scope does answer, the lines that offer
    them. `subject`: "transcripts", "interview", "transcript", or "doc" (then `doc` is named)."""
    head = translate(NOT_ANSWERED[subject]).format(doc=doc)
    if not offered:
        return head, []
    return head + " " + translate(THEY_COVER[subject]), [f"{bullet}{s}" for s in offered]


def not_covered(subject: str, doc: str | None, topic: str, translate: Translate = same) -> str:
    """A summary's topic the scope does not cover; `topic` as the edge quotes it."""
    return translate(NOT_COVERED[subject]).format(doc=doc, topic=topic)
