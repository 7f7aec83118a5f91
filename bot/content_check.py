"""`content check` and `content dump`: what volunteers and tools see of the content."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass

from bot.content import Content, LoadResult, Problem, Topic, load_content, phone_numbers
from bot.normalize import skeleton
from bot.schema import display_path

VERIFICATION_MAX_AGE = dt.timedelta(days=365)
SHORT_TRANSLATION_RATIO = 0.5


def cross_check(result: LoadResult, today: dt.date | None = None) -> list[Problem]:
    """Problems that only show when files are compared with each other."""
    content = result.content
    today = today or dt.date.today()
    problems: list[Problem] = []
    all_ids = set(content.topic_ids)
    broken = {p.path for p in result.errors}
    broken_ids = {path.rsplit("/", 1)[-1].removesuffix(".md") for path in broken if path.endswith(".md")}

    for topic in content.all_topics():
        for related in topic.related:
            if related not in all_ids and related not in broken_ids:  # a broken file is reported on its own
                problems.append(
                    Problem(
                        topic.path,
                        _line_of(topic.path, "related"),
                        f"related topic {related!r} does not exist",
                    )
                )

    problems += _hotline_numbers_in_answers(content)
    problems += _topics_as_smalltalk(content)

    for lang, by_id in content.topics.items():
        places: dict[str, list[tuple[Topic, str]]] = defaultdict(list)
        for topic in by_id.values():
            for question in topic.questions:
                places[skeleton(question)].append((topic, question))
        for found in places.values():
            for topic, question in found:
                others = sorted({t.id for t, _ in found if t.id != topic.id})
                if others:
                    problems.append(
                        Problem(
                            topic.path,
                            _line_of(topic.path, question),
                            f"question {question!r} is also under topic {others[0]!r}: keep it in one topic",
                        )
                    )
        for topic_id in sorted(all_ids - set(by_id)):
            expected = content.root / lang / f"{topic_id}.md"
            if str(expected) in broken:
                continue  # already reported with its own problem
            languages = ", ".join(sorted(lg for lg in content.topics if topic_id in content.topics[lg]))
            problems.append(
                Problem(str(expected), 0, f"topic {topic_id!r} is missing in {lang} (it exists in {languages})")
            )

    for topic_id in sorted(all_ids):
        versions = [v for by_id in content.topics.values() if (v := by_id.get(topic_id))]
        if len(versions) < 2:
            continue
        for version in versions:
            others = [len(v.answer_text) for v in versions if v is not version]
            typical = statistics.median(others)
            if len(version.answer_text) < SHORT_TRANSLATION_RATIO * typical:
                problems.append(
                    Problem(
                        version.path,
                        _body_line(version.path),
                        f"the answer is {len(version.answer_text)} characters, other languages have about "
                        f"{int(typical)}: is the translation complete?",
                        "warning",
                    )
                )

    if content.checks:
        reference = next(iter(sorted(content.checks.items())))[1]
        expected = [q.id for q in reference.questions]
        flags = {q.id: q.red_flag for q in reference.questions}
        for lang in content.languages:
            check = content.checks.get(lang)
            if check is None:
                path = str(content.root / lang / "check.yaml")
                if path not in broken:
                    problems.append(Problem(path, 0, f"the job-offer check is missing in {lang}"))
                continue
            ids = [q.id for q in check.questions]
            if ids != expected:
                first = next((i for i, (a, b) in enumerate(zip(ids, expected, strict=False)) if a != b), None)
                where = f"id: {ids[first]}" if first is not None else "questions:"
                problems.append(
                    Problem(
                        check.path,
                        _line_of(check.path, where),
                        f"question ids {ids} differ from {reference.lang}: {expected}",
                    )
                )
            for question in check.questions:
                if question.id in flags and question.red_flag != flags[question.id]:
                    problems.append(
                        Problem(
                            check.path,
                            _line_of(check.path, f"id: {question.id}"),
                            f"red_flag of {question.id!r} differs from {reference.lang}",
                        )
                    )

    problems += _hotline_problems(content, today)
    return problems


def _hotline_problems(content: Content, today: dt.date) -> list[Problem]:
    """Unverified or stale numbers, and card texts missing in a language the bot speaks."""
    problems: list[Problem] = []
    for hotline in content.hotlines:
        if hotline.verified is None:
            problems.append(
                Problem(
                    hotline.path,
                    hotline.line,
                    f"{hotline.id} ({hotline.number}) has never been verified by a call",
                    "warning",
                )
            )
        elif today - hotline.verified > VERIFICATION_MAX_AGE:
            problems.append(
                Problem(
                    hotline.path,
                    hotline.line,
                    f"{hotline.id} ({hotline.number}) was last verified on {hotline.verified}, more than 12 months ago",
                    "warning",
                )
            )
        for key in ("name", "hours", "note"):
            texts = getattr(hotline, key)
            missing = [lang for lang in content.languages if texts and lang not in texts]
            if missing:
                problems.append(
                    Problem(
                        hotline.path,
                        _line_after(hotline.path, hotline.line, f"{key}:"),
                        f"{hotline.id}: {key} has no {', '.join(missing)} text; the card would show another language",
                        "warning",
                    )
                )
    return problems


def _hotline_numbers_in_answers(content: Content) -> list[Problem]:
    """Short hotline numbers (112, 189) written into an answer: the long ones the loader already finds."""
    owners: dict[str, str] = {}
    for hotline in content.hotlines:
        for number in (hotline.number, hotline.international or ""):
            owners.setdefault("".join(c for c in number if c.isdigit()), hotline.id)
    problems = []
    for topic in content.all_topics():
        first = _body_line(topic.path)
        try:
            with open(topic.path, encoding="utf-8") as handle:
                body = "".join(handle.readlines()[first - 1 :])
        except (OSError, UnicodeDecodeError):
            continue
        already = set(phone_numbers(body))
        for line, number in phone_numbers(body, owners):
            if (line, number) not in already:
                owner = owners["".join(c for c in number if c.isdigit())]
                problems.append(
                    Problem(
                        topic.path,
                        first + line,
                        f"'{number}' is the number of {owner} in hotlines.yaml: never write numbers in an answer — "
                        "the bot adds the right hotline for the user's country (add 'hotline' to flags)",
                    )
                )
    return problems


def _topics_as_smalltalk(content: Content) -> list[Problem]:
    """A topic's title or question listed as small talk would get the small-talk reply, not the answer."""
    asked: dict[str, tuple[Topic, str]] = {}
    for topic in content.all_topics():
        asked.setdefault(skeleton(topic.title), (topic, "the title"))
        for question in topic.questions:
            asked.setdefault(skeleton(question), (topic, "a question"))
    problems = []
    for by_intent in content.smalltalk.values():
        for talk in by_intent.values():
            for phrase, line in zip(talk.phrases, talk.lines, strict=False):
                if found := asked.get(skeleton(phrase)):
                    topic, what = found
                    problems.append(
                        Problem(
                            talk.path,
                            line,
                            f"'{phrase}' is {what} of the topic {topic.id} ({topic.lang}): as small talk it would "
                            f"get the reply for '{talk.intent}' instead of the answer — remove it from this file",
                        )
                    )
    return problems


def _line_after(path: str, start: int, needle: str) -> int:
    """The first line at or after ``start`` that contains ``needle`` (``start`` if none does)."""
    try:
        with open(path, encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if number >= start and needle in line:
                    return number
    except OSError:
        pass
    return start


def _line_of(path: str, needle: str) -> int:
    """The first line of a file that contains ``needle`` (1 if none does)."""
    try:
        with open(path, encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if needle in line:
                    return number
    except OSError:
        pass
    return 1


def _body_line(path: str) -> int:
    try:
        with open(path, encoding="utf-8") as handle:
            dashes = 0
            for number, line in enumerate(handle, start=1):
                dashes += line.strip() == "---"
                if dashes == 2:
                    return number + 1
    except OSError:
        pass
    return 1


@dataclass
class Report:
    """Everything ``check`` found, sorted by file and line, with the content it loaded."""

    result: LoadResult
    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        """Problems that must be fixed: they make ``content check`` fail."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        """Problems worth a look that do not fail the check."""
        return [p for p in self.problems if p.severity == "warning"]


def check(root, today: dt.date | None = None) -> Report:
    """Load content/ and run every check on it; ``today`` is for tests of date-dependent checks."""
    result = load_content(root)
    found = result.problems + cross_check(result, today) + emergency_guards(result.content)
    problems = sorted(set(found), key=lambda p: (p.path, p.line, p.message))
    return Report(result, problems)


CANCEL_LISTS = ("not_emergency", "hypothetical", "past", "media", "rules", "joke")
ALARM_LISTS = ("cries", "alone", "danger")
SHORT_STEM = 3  # letters of a `word*` stem, as compared (Latin skeleton)


def emergency_guards(content: Content) -> list[Problem]:
    """The emergency lists must keep raising the alarm: a missing file, or one list silencing another, is an error."""
    from bot.safety import PREFIX, EmergencyDetector, compile_phrase

    problems: list[Problem] = []
    for lang in content.languages:
        if lang not in content.emergency and not (content.root / lang / "emergency.yaml").exists():
            problems.append(
                Problem(
                    str(content.root / lang / "emergency.yaml"),
                    1,
                    f"no emergency.yaml for {lang!r}: the bot could miss a person in danger"
                    " (copy another language's file and translate its words)",
                )
            )
    entries = [
        (phrases, role, kind, text) for phrases in content.emergency.values() for role, kind, text in phrases.entries()
    ]

    def where(phrases, role, kind, text) -> str:
        path, line = phrases.line_of(role, kind, text)
        return f"{display_path(path)}:{line}"

    alarms = [e for e in entries if e[1] in ALARM_LISTS]
    shapes: dict[tuple, tuple] = {}
    for entry in alarms:
        pattern = compile_phrase(entry[3], entry[0].lang)
        if pattern:
            shapes.setdefault(pattern.words, entry)
    listed_twice: set[tuple] = set()
    for phrases, role, kind, text in entries:
        if role not in CANCEL_LISTS:
            continue
        pattern = compile_phrase(text, phrases.lang)
        alarm = shapes.get(pattern.words) if pattern else None
        if alarm:
            listed_twice.add((id(alarm[0]), *alarm[1:]))
            path, line = phrases.line_of(role, kind, text)
            problems.append(
                Problem(
                    path,
                    line,
                    f"{text!r} is listed under {role!r}, but it is an alarm word ({alarm[1]} at"
                    f" {where(*alarm)}): it would silence the alarm everywhere. Remove it from {role!r}",
                )
            )
    for phrases, role, kind, text in alarms:
        pattern = compile_phrase(text, phrases.lang)
        stem, mode = pattern.words[0] if pattern else ("", 0)
        if pattern and len(pattern.words) == 1 and mode == PREFIX and len(stem) <= SHORT_STEM:
            path, line = phrases.line_of(role, kind, text)
            problems.append(
                Problem(
                    path,
                    line,
                    f"{text!r}: a stem this short also starts unrelated words, in other languages too;"
                    " write more of the word",
                    "warning",
                )
            )
    detector = EmergencyDetector(content.emergency.values())
    for entry in alarms:
        phrases, role, kind, text = entry
        if (
            (id(phrases), role, kind, text) in listed_twice
            or text.startswith("*")
            or not compile_phrase(text, phrases.lang)
        ):
            continue
        sample = " ".join(word.rstrip("*") for word in text.split())
        analysis = detector.analyse(sample)
        wanted = ("alarm",) if role in ("cries", "alone") else ("alarm", "possible")
        if analysis.level in wanted:
            continue
        culprit = next((h for h in analysis.hits if h.pattern.role in CANCEL_LISTS), None)
        if culprit is None:
            continue
        other = next(
            (
                e
                for e in entries
                if e[0].lang == culprit.pattern.lang and e[1] == culprit.pattern.role and e[3] == culprit.pattern.source
            ),
            None,
        )
        path, line = phrases.line_of(role, kind, text)
        problems.append(
            Problem(
                path,
                line,
                f"{text!r} ({role}) no longer raises the alarm: {culprit.pattern.source!r} under"
                f" {culprit.pattern.role!r} at {where(*other) if other else culprit.pattern.lang} cancels it."
                " Make the cancelling phrase longer, or remove it",
            )
        )
    return problems


def summary_rows(content: Content) -> list[tuple[str, int, int, int, int, str]]:
    """(language, topics, questions, reviewed, emergency phrases, missing topics) per language."""
    all_ids = set(content.topic_ids)
    rows = []
    for lang in content.languages:
        by_id = content.topics[lang]
        missing = sorted(all_ids - set(by_id))
        rows.append(
            (
                lang,
                len(by_id),
                sum(len(t.questions) for t in by_id.values()),
                sum(t.reviewed for t in by_id.values()),
                sum(1 for role, _, _ in content.emergency[lang].entries() if role in ("cries", "danger"))
                if lang in content.emergency
                else 0,
                ", ".join(missing) if missing else "—",
            )
        )
    return rows


def format_report(report: Report) -> str:
    """The problems, then a per-language summary table and totals, as volunteers read them."""
    lines = [str(p) for p in report.problems]
    content = report.result.content
    header = ("language", "topics", "questions", "reviewed", "emergency phrases", "missing")
    rows = [tuple(str(c) for c in row) for row in summary_rows(content)]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    if lines:
        lines.append("")
    for row in [header, *rows]:
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
    lines.append(
        f"{len(content.topic_ids)} topics in {len(content.languages)} languages, "
        f"{len(content.hotlines)} hotlines; {len(report.errors)} errors, {len(report.warnings)} warnings"
    )
    return "\n".join(lines)


def dump(content: Content) -> dict:
    """The whole content as one JSON-ready document: a stable interface for tools."""
    return {
        "topics": [
            {
                "id": t.id,
                "lang": t.lang,
                "title": t.title,
                "category": t.category,
                "questions": list(t.questions),
                "answer_html": t.answer_html,
                "answer_text": t.answer_text,
                "answer_markdown": t.answer_markdown,
                "urgent": t.urgent,
                "hotline": t.hotline,
                "related": list(t.related),
                "reviewed": t.reviewed,
                "path": t.path,
            }
            for t in content.all_topics()
        ],
        "hotlines": [
            {
                "id": h.id,
                "country": h.country,
                "number": h.number,
                "international": h.international,
                "kind": h.kind,
                "name": h.name,
                "hours": h.hours,
                "languages": list(h.languages),
                "toll_free": h.toll_free,
                "from_abroad": h.from_abroad,
                "for_citizens": list(h.for_citizens),
                "note": h.note,
                "source": h.source,
                "verified": h.verified.isoformat() if h.verified else None,
                "channel": h.channel,
                "short": h.short,
                "e164": h.e164,
                "international_e164": h.international_e164,
                "also": list(h.also),
                "confidential": h.confidential,
                "for_people_in": h.for_people_in if isinstance(h.for_people_in, str) else list(h.for_people_in),
                "cite": h.cite,
                "status": h.status,
            }
            for h in content.hotlines
        ],
        "emergency": {
            lang: {"phrases": [t for r, _, t in e.entries() if r == "danger"], "not_emergency": list(e.not_emergency)}
            for lang, e in sorted(content.emergency.items())
        },
    }
