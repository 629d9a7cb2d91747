"""What the readers' commands say: /help, /sources, /language, /privacy, /forget, and the note to slow
down; in the reader's language."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from bot import commands
from bot.i18n import _, ngettext
from bot.messages.packing import pack
from bot.messages.words import either, hours
from retrieval import UPLOAD_SUFFIXES, Source

SPEAKERS_SHOWN = 4  # speakers named per transcript in /sources


def sources_message(sources: Sequence[Source]) -> list[str]:
    if not sources:
        return [_("No transcripts are indexed yet.")]
    lines = [_("<b>Indexed transcripts</b>")]
    for s in sources:
        names = ", ".join(s.speakers[:SPEAKERS_SHOWN])
        if len(s.speakers) > SPEAKERS_SHOWN:
            names = _("{names} and {count} more").format(names=names, count=len(s.speakers) - SPEAKERS_SHOWN)
        turns = ngettext("{count} turn", "{count} turns", s.turns).format(count=s.turns)
        sentences = ngettext("{count} sentence", "{count} sentences", s.sentences).format(count=s.sentences)
        lines.append("• " + _("<b>{title}</b> (<code>{doc}</code>): {turns}, {sentences}; {speakers}").format(
            title=escape(s.title), doc=escape(s.doc), turns=turns, sentences=sentences, speakers=escape(names)))
    return pack(lines, separator="\n")


def help_message(examples: Sequence[str], admin: bool, group: bool) -> str:
    """/help: how to ask, examples, and the commands of the table (`bot.commands`) that /help lists."""
    how = (_("Ask with <code>/ask your question</code>, mention me, or reply to one of my messages.")
           if group else _("Send me any question about the transcripts."))
    lines = [_("I answer only with <b>verbatim quotes</b> from the indexed transcripts, each with who said it "
               "and where; when they do not cover a question, I say so."), "", how]
    if examples:
        lines += ["", _("For example:"), *(f"• {escape(e)}" for e in examples)]
    lines += ["", "; ".join(_(c.help) for c in commands.in_help(admin=False)) + "."]
    if admin:
        lines += ["", _("<b>Admin</b>: send a {suffixes} file here to add it; {commands}.").format(
            suffixes=either(UPLOAD_SUFFIXES), commands="; ".join(_(c.help) for c in commands.in_help(admin=True)))]
    return "\n".join(lines)


def language_message() -> str:
    return _("I answer you in English. Choose a language:")


def language_chosen() -> str:
    return _("From now on I answer you in English; /language changes it.")


def too_fast(seconds: float) -> str:
    return _("You are asking faster than I can keep up; please ask again in {seconds} s.").format(
        seconds=max(1, round(seconds)))


def privacy_message(retention_hours: float) -> str:
    """/privacy, in the reader's words."""
    kept = hours(retention_hours)
    return "\n".join([
        _("<b>What I keep about you</b>"),
        "• " + _("Your question and the quotes I showed you, for {kept}, so the buttons under my answer keep "
                 "working. Then the text is deleted.").format(kept=kept),
        "• " + _("Who asked and in which chat, for the same time, only as a scrambled code (never your name, "
                 "username, Telegram id or the group's title), so that only you can use your buttons."),
        "• " + _("Your 👍/👎 votes, tied to that code for the same time; afterwards only the count remains."),
        "• " + _("The language you chose with /language, tied to that code, until you choose again or use "
                 "/forget; without a choice I follow your Telegram app's language and keep nothing."),
        "• " + _("Nothing of what you type after my name in another chat (inline mode): it is answered and "
                 "forgotten."),
        "• " + _("After that I keep only counts: how many questions, how many I could not answer, how long answers "
                 "took. They do not say who asked or what."),
        "",
        _("An edited question replaces the earlier version, which is deleted at once. Nothing is shared with "
          "anyone; the bot's admins see only the counts, never who asked or what."),
        "",
        _("/forget deletes everything I keep about you, right away."),
    ])


def not_forgotten_message() -> str:
    """/forget's answer when the bot's storage could not take the deletion (full, or read only)."""
    return _("I could not delete what I keep about you just now: my storage cannot be written at the moment. "
             "Please send /forget again later.")


def forgotten_message(questions: int, votes: int, language: bool = False) -> str:
    """/forget's answer: what was deleted (questions, votes, the language choice)."""
    if not questions and not votes:
        if language:
            return _("Done: I forgot your language choice and follow your Telegram app's language again.")
        return _("I keep nothing about you now. (/privacy says what I would keep, and for how long.)")
    done = _("Done: I deleted {questions} and {votes} of yours. Buttons under my earlier answers to you no "
             "longer work.").format(
        questions=ngettext("{count} question", "{count} questions", questions).format(count=questions),
        votes=ngettext("{count} vote", "{count} votes", votes).format(count=votes))
    if language:
        done += " " + _("I forgot your language choice too and follow your Telegram app's language again.")
    return done
