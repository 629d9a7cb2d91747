"""Answers, passages and lists → Telegram HTML messages, split safely.

Telegram caps a message at 4096 characters and callback data at 64 bytes. An answer is built from
blocks (a quote with its citation is one block), and blocks are packed into messages, so a split never
falls inside a tag and never parts a quote from its citation. Every piece of transcript or user text is
escaped; only the tags written here reach Telegram.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import commands
from bot.callbacks import Kind, Press
from bot.i18n import LANGUAGES, N_, NAMES, _, decimal, ngettext
from retrieval import UPLOAD_SUFFIXES, Answer, Cite, Context, Part, Quote, Source, Summary

LIMIT = 4096
LinkFor = Callable[[Quote], str]
NO_MORE = N_("No other passages answer this closely enough to quote.")
# What was searched, for an abstention to name ("interview", "transcript", "transcripts"; `Deps.subject`)
NOT_COVERED = {"interview": N_("The interview does not cover that, so I have nothing to quote."),
               "transcript": N_("The transcript does not cover that, so I have nothing to quote."),
               "transcripts": N_("The transcripts do not cover that, so I have nothing to quote.")}
IT_ANSWERS = {"interview": N_("Questions it answers:"), "transcript": N_("Questions it answers:"),
              "transcripts": N_("Questions they answer:")}
NOT_COVERED_TOPIC = {
    "interview": N_("The interview does not cover {topic}, so there is nothing to quote."),
    "transcript": N_("The transcript does not cover {topic}, so there is nothing to quote."),
    "transcripts": N_("The transcripts do not cover {topic}, so there is nothing to quote.")}
NOTHING_TO_SUMMARISE = {
    "interview": N_("The interview has nothing to summarise, so there is nothing to quote."),
    "transcript": N_("The transcript has nothing to summarise, so there is nothing to quote."),
    "transcripts": N_("The transcripts have nothing to summarise, so there is nothing to quote.")}
# Speakers retrieval names by their role when a transcript does not name them; real names stay as written.
FORMATS = {"interview": N_("interview"), "speaker": N_("speaker turns"), "prose": N_("prose"),
           "srt": N_("subtitles"), "vtt": N_("subtitles")}
ROLES = {"Interviewer": N_("Interviewer"), "Interviewee": N_("Interviewee"), "Narrator": N_("Narrator")}


def _size(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units), measured on the HTML, which is never shorter."""
    return len(text.encode("utf-16-le")) // 2


def format_name(fmt: str) -> str:
    """A transcript's format ("interview", "speaker turns") in the reader's words."""
    return _(FORMATS[fmt]) if fmt in FORMATS else fmt


def speaker_name(name: str) -> str:
    """A speaker as written in the transcript; only the role names retrieval gives unnamed speakers
    ("Interviewer") are the bot's words, and translated."""
    return _(ROLES[name]) if name in ROLES else name


def speaker_line(q: Quote) -> str:
    """Who said it, escaped; a named interviewer is marked as the interviewer (as `Quote.speaker_label`)."""
    name = speaker_name(q.speaker)
    if q.speaker_label != q.speaker:
        return escape(_("{speaker} (interviewer)").format(speaker=name))
    return escape(name)


def cite_text(cite: Cite | None, label: str) -> str:
    """A citation in the reader's words ("answer to Q2, ¶3, p. 4", "ответ на вопрос 2, абз. 3, с. 4");
    `label` when the quote carries no parts."""
    if cite is None:
        return label
    return _where(cite) + _pages(cite.pages)


def _where(cite: Cite) -> str:
    if cite.kind == "time":
        return cite.time or cite.where
    if cite.paragraph is None:
        plain = {"question": N_("Q{number}"), "turn": N_("turn {number}"), "paragraph": N_("¶{number}"),
                 "cue": N_("cue {number}")}
        return _(plain[cite.kind]).format(number=cite.number) if cite.kind in plain else cite.where
    within = {"question": N_("Q{number}, ¶{paragraph}"), "answer": N_("answer to Q{number}, ¶{paragraph}"),
              "turn": N_("turn {number}, ¶{paragraph}")}
    if cite.kind not in within:
        return cite.where
    return _(within[cite.kind]).format(number=cite.number, paragraph=cite.paragraph)


def _pages(pages: tuple[int, int] | None) -> str:
    """The page part of a PDF's citation: ", p. 4" or ", pp. 4–5"."""
    if pages is None:
        return ""
    first, last = pages
    if first == last:
        return _(", p. {page}").format(page=first)
    return _(", pp. {first}–{last}").format(first=first, last=last)


def part_title(part: Part) -> str:
    """A summary part's heading in the reader's words, capitalised ("Q2", "Turn 3 – turn 9")."""
    title = " – ".join(cite_text(c, c.text) for c in part.span) if part.span else part.title
    return title[:1].upper() + title[1:]


def citation(q: Quote, link: str | None, title: str | None = None) -> str:
    said = cite_text(q.cite, q.label)
    label = f'<a href="{escape(link)}">{escape(said)}</a>' if link else escape(said)
    where = f" · <i>{escape(title)}</i>" if title else ""
    return f"— <b>{speaker_line(q)}</b>, {label}{where}"


def quote_blocks(q: Quote, link: str | None, title: str | None = None, limit: int = LIMIT) -> list[str]:
    """One block normally; a quote too long for one message is cut into consecutive blockquotes (at
    spaces where it has them, anywhere where it has none), still verbatim and in order, with the citation
    under the last."""
    cite = citation(q, link, title)
    whole = f"<blockquote>{escape(q.text)}</blockquote>\n{cite}"
    if _size(whole) <= limit:
        return [whole]
    blocks = [f"<blockquote>{escape(p)}</blockquote>" for p in cut(q.text, limit - _size(cite) - 64)]
    blocks[-1] += f"\n{cite}"
    return blocks


def quote_message(q: Quote, link: str | None, title: str | None = None) -> str:
    """A quote as exactly one message (what inline mode posts): `quote_blocks`' block, or for a quote too
    long for one message its first block, marked "…" outside the blockquote, with the citation whose link
    opens the whole passage. What is inside the blockquote is verbatim either way."""
    blocks = quote_blocks(q, link, title)
    return blocks[0] if len(blocks) == 1 else f"{blocks[0]}\n…\n{citation(q, link, title)}"


def cut(text: str, room: int) -> list[str]:
    """Consecutive pieces whose escaped size fits `room`; joined with single spaces they give `text`
    back when it was split at spaces (a word longer than `room` is split inside, with no space lost)."""
    pieces, current = [], ""
    for word in text.split(" "):
        while _size(escape(word)) > room:  # no space to break at: split the word itself
            head = word[: max(1, room // 6)]
            if current:
                pieces.append(current)
                current = ""
            pieces.append(head)
            word = word[len(head):]
        candidate = f"{current} {word}" if current else word
        if current and _size(escape(candidate)) > room:
            pieces.append(current)
            candidate = word
        current = candidate
    pieces.append(current)
    return pieces


def answer_blocks(answer: Answer, link_for: LinkFor, titles: dict[str, str] | None = None,
                  subject: str = "transcripts") -> list[str]:
    if answer.abstained or not answer.quotes:
        return [abstention(answer, subject)]
    blocks: list[str] = []
    for q in answer.quotes:
        blocks.extend(quote_blocks(q, link_for(q), titles.get(q.doc) if titles else None))
    return blocks


def abstention(answer: Answer, subject: str = "transcripts") -> str:
    """`subject` names what was searched ("interview", "transcript", "transcripts"), never "I"."""
    text = escape(_(NOT_COVERED.get(subject, NOT_COVERED["transcripts"])))
    if answer.suggestions:
        text += "\n\n" + escape(_(IT_ANSWERS.get(subject, IT_ANSWERS["transcripts"])))
        text += "\n" + "\n".join(f"• {escape(s)}" for s in answer.suggestions)
    return text


def context_parts(ctx: Context, link: str | None = None) -> list[str]:
    """The passage in one message; if escaping makes it too long, only its quote, split if need be."""
    full = context_message(ctx, link)
    if _size(full) <= LIMIT:
        return [full]
    start, end = ctx.quote_start - ctx.start, ctx.quote_end - ctx.start
    alone = Context(ctx.doc, ctx.title, ctx.quote_start, ctx.quote_end, ctx.text[start:end], ctx.quote_start,
                    ctx.quote_end, ctx.speaker, ctx.label)
    if _size(context_message(alone, link)) <= LIMIT:
        return [context_message(alone, link)]
    quote = Quote(ctx.doc, ctx.quote_start, ctx.quote_end, alone.text, ctx.speaker, ctx.label)
    return pack(quote_blocks(quote, link, ctx.title))


def pack(blocks: Sequence[str], limit: int = LIMIT, separator: str = "\n\n") -> list[str]:
    """Blocks into as few messages as fit, in order; blocks are never cut here."""
    parts: list[str] = []
    current = ""
    for block in blocks:
        candidate = f"{current}{separator}{block}" if current else block
        if current and _size(candidate) > limit:
            parts.append(current)
            candidate = block
        current = candidate
    if current:
        parts.append(current)
    return parts


def context_message(ctx: Context, link: str | None = None) -> str:
    """The passage in an expandable blockquote, the quote itself in bold."""
    before = ctx.text[: ctx.quote_start - ctx.start]
    quoted = ctx.text[ctx.quote_start - ctx.start: ctx.quote_end - ctx.start]
    after = ctx.text[ctx.quote_end - ctx.start:]
    said = cite_text(ctx.cite, ctx.label)
    label = f'<a href="{escape(link)}">{escape(said)}</a>' if link else escape(said)
    head = f"<b>{escape(speaker_name(ctx.speaker))}</b>, {label} · <i>{escape(ctx.title)}</i>"
    body = f"{escape(before)}<b>{escape(quoted)}</b>{escape(after)}"
    return f"{head}\n<blockquote expandable>{body}</blockquote>"


def sources_message(sources: Sequence[Source]) -> list[str]:
    if not sources:
        return [_("No transcripts are indexed yet.")]
    lines = [_("<b>Indexed transcripts</b>")]
    for s in sources:
        names = ", ".join(s.speakers[:4])
        if len(s.speakers) > 4:
            names = _("{names} and {count} more").format(names=names, count=len(s.speakers) - 4)
        turns = ngettext("{count} turn", "{count} turns", s.turns).format(count=s.turns)
        sentences = ngettext("{count} sentence", "{count} sentences", s.sentences).format(count=s.sentences)
        lines.append("• " + _("<b>{title}</b> (<code>{doc}</code>): {turns}, {sentences}; {speakers}").format(
            title=escape(s.title), doc=escape(s.doc), turns=turns, sentences=sentences, speakers=escape(names)))
    return pack(lines, separator="\n")


def either(items: Sequence[str]) -> str:
    """"a, b or c" in the reader's words."""
    if len(items) < 2:
        return "".join(items)
    return _("{items} or {last}").format(items=", ".join(items[:-1]), last=items[-1])


def help_message(examples: Sequence[str], admin: bool, group: bool) -> str:
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


def answer_keyboard(question_id: int, first: int, count: int) -> InlineKeyboardMarkup:
    """Buttons under an answer: a Context button per quote (numbered from `first`, where these quotes
    were recorded), More quotes, and feedback; their data is made by `bot.callbacks`."""
    def button(label: str, kind: Kind, value: int = 0) -> InlineKeyboardButton:
        return InlineKeyboardButton(label, callback_data=Press(kind, question_id, value).encode())

    rows: list[list[InlineKeyboardButton]] = []
    if count:
        labels = [_("Context")] if count == 1 else [_("Context {number}").format(number=i + 1) for i in range(count)]
        ctx = [button(label, Kind.CONTEXT, first + i) for i, label in enumerate(labels)]
        rows += [ctx[i:i + 3] for i in range(0, len(ctx), 3)]
    last = [button(_("More quotes"), Kind.MORE)] if count else []
    last += [button("👍", Kind.FEEDBACK, 1), button("👎", Kind.FEEDBACK, -1)]
    rows.append(last)
    return InlineKeyboardMarkup(rows)


def language_keyboard() -> InlineKeyboardMarkup:
    """/language: one button per language, each named in its own language."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(NAMES[code], callback_data=Press(
        Kind.LANGUAGE, 0, i).encode()) for i, code in enumerate(LANGUAGES)]])


def language_message() -> str:
    return _("I answer you in English. Choose a language:")


def language_chosen() -> str:
    return _("From now on I answer you in English; /language changes it.")


def summary_blocks(summary: Summary, link_for: LinkFor, titles: dict[str, str] | None = None,
                   subject: str = "transcripts") -> list[str]:
    """A heading, then per exchange the interviewer's question (marked as such) and the answer's quotes,
    or per section its quotes; every quote cited and linked as in answers."""
    if summary.abstained or not summary.parts:
        return [summary_abstention(summary, subject)]
    if summary.topic:
        heading = _("<b>Summary</b> of what is said about <i>{topic}</i>, in the speakers' own words:").format(
            topic=escape(summary.topic))
    else:
        heading = _("<b>Summary</b>, in the speakers' own words:")
    blocks = [heading]
    doc = None
    for part in summary.parts:
        first = part.question or (part.quotes[0] if part.quotes else None)
        if titles and first is not None and first.doc != doc:
            doc = first.doc
            blocks.append(f"<b>{escape(titles.get(doc, doc))}</b>")
        if part.question is not None:
            q = part.question
            asks = _('{speaker} asks: <a href="{link}">“{question}”</a>').format(
                speaker=speaker_line(q), link=escape(link_for(q)), question=escape(q.text))
            blocks.append(f"<b>{escape(part_title(part))}</b> · {asks}")
        elif not titles or len(summary.parts) > 1:
            blocks.append(f"<b>{escape(part_title(part))}</b>")
        for q in part.quotes:
            blocks.extend(quote_blocks(q, link_for(q)))
    return blocks


def summary_abstention(summary: Summary, subject: str = "transcripts") -> str:
    if summary.topic:
        template = NOT_COVERED_TOPIC.get(subject, NOT_COVERED_TOPIC["transcripts"])
        return _(template).format(topic=escape(summary.topic))
    return escape(_(NOTHING_TO_SUMMARISE.get(subject, NOTHING_TO_SUMMARISE["transcripts"])))


def invitation(username: str) -> str:
    """The line a channel post ends with: a deep link that opens a private chat with the bot."""
    return _('<a href="https://t.me/{username}?start=summary">Ask the bot about this interview →</a>').format(
        username=escape(username))


def hours(count: float) -> str:
    """"48 hours", "1 hour", "1.5 hours" in the reader's words. A fraction takes the form of 2, which is
    right in all three languages (Russian "1,5 часа")."""
    n = int(count) if float(count).is_integer() else 2
    return ngettext("{count} hour", "{count} hours", n).format(count=decimal(count))


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
