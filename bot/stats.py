"""`stats`: what people ask, what the bot failed to answer well, where it sent them.

Everything here is counted per pseudonymous user hash; nothing in the
database can say who asked. Every question ends in exactly one outcome
(answered, answered with low confidence, did you mean, not answered,
brushed off as off-topic, greeting or thanks, emergency card), so the
shares add up to 100 %. What the bot could not answer well is grouped by
similarity so volunteers see which alternative questions to add, and to
which topic.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import fuzz, process

from bot.normalize import skeleton
from bot.usage_log import BRUSH_OFF_INTENTS
from bot.wire import NO_WORDS, smalltalk_intent

CLUSTER_SIMILARITY = 72
MAX_CLUSTERED_TEXTS = 3000
#: A closest topic is shown only when it scores at least the "did you mean" threshold and leads the
#: runner-up by this many points: on the dev set's unanswered messages a lead of 3 is right 69 % of the
#: time (2: 59 %); "medical insurance in Russia" leads marriage-offers by 1.6 and gets no suggestion.
CLOSEST_TOPIC_LEAD = 3.0
#: Feedback rates are listed only for topics with at least this many votes: 1 of 1 is no rate.
FEEDBACK_MIN_VOTES = 5
#: How many groups of "could not answer well" the report lists; the CSV has them all.
LISTED_GROUPS = 40

#: Every question ends in exactly one of these, in this order.
OUTCOMES = (
    "answered",
    "low-confidence answer",
    "did you mean",
    "not answered",
    "off-topic brush-off",
    "greeting / thanks",
    "no words (emoji, digits)",
    "emergency card",
)
#: The outcomes whose (redacted) text is kept and listed as "could not answer well".
MISSES = ("low-confidence answer", "did you mean", "not answered", "off-topic brush-off")


def outcome(decision: str | None, smalltalk: str | None, emergency: bool, low_confidence: bool) -> str:
    """The one outcome a question ended in; an emergency card outranks whatever else was shown."""
    if emergency:
        return "emergency card"
    if smalltalk == NO_WORDS:
        return "no words (emoji, digits)"
    if smalltalk:
        return "off-topic brush-off" if smalltalk in BRUSH_OFF_INTENTS else "greeting / thanks"
    if decision == "answer":
        return "low-confidence answer" if low_confidence else "answered"
    return "did you mean" if decision == "suggest" else "not answered"


def percentages(counts: dict[str, int]) -> dict[str, int]:
    """Whole percentages that add up to exactly 100 (largest remainder), so a table never says 99 or 101."""
    total = sum(counts.values())
    if not total:
        return dict.fromkeys(counts, 0)
    exact = {key: 100 * value / total for key, value in counts.items()}
    shares = {key: int(value) for key, value in exact.items()}
    for key in sorted(exact, key=lambda k: exact[k] - shares[k], reverse=True)[: 100 - sum(shares.values())]:
        shares[key] += 1
    return shares


@dataclass
class Cluster:
    """Unanswered questions that say the same thing: one row for volunteers, so they write one topic for many."""

    representative: str
    count: int = 0
    examples: list[str] = field(default_factory=list)
    closest_topic: str | None = None
    languages: Counter[str] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)

    @property
    def language(self) -> str:
        """The languages it was asked in, most first: "ru" or "ky 3, ru 1"."""
        if len(self.languages) == 1:
            return next(iter(self.languages))
        return ", ".join(f"{lang} {n}" for lang, n in self.languages.most_common())

    @property
    def why(self) -> str:
        """How the bot failed them ("not answered", "did you mean 2"): is a topic missing, or only words?"""
        return ", ".join(name if n == self.count else f"{name} {n}" for name, n in self.outcomes.most_common())


@dataclass(frozen=True)
class Day:
    """One day's activity, so a drop or a spike (a campaign, an outage) shows in the report."""

    day: str
    users: int
    questions: int
    emergencies: int
    partial: bool  # today, still going: fewer events is no drop

    @property
    def label(self) -> str:
        """The date, marked when it is today, so a partial day is not read as a drop."""
        return f"{self.day} (today, partial)" if self.partial else self.day


@dataclass(frozen=True)
class Votes:
    """👍/👎 for one topic, so volunteers rewrite the answers people found unhelpful first."""

    topic: str
    title: str
    helpful: int
    not_helpful: int

    @property
    def votes(self) -> int:
        """All votes: a rate over a handful of votes is not shown as a verdict."""
        return self.helpful + self.not_helpful

    @property
    def rate(self) -> float:
        """The share of "helpful" votes (👍)."""
        return self.helpful / self.votes if self.votes else 0.0


@dataclass(frozen=True)
class Safety:
    """What staffing a hotline needs: per country (where the person is) or per language."""

    key: str
    emergencies: int
    hotline_cards: int
    handoffs: int


@dataclass
class Checks:
    """How /check was used and which red flags come up most: what campaigns should warn about."""

    completed: int = 0
    with_flags: int = 0
    top_flags: list[tuple[str, str, int]] = field(default_factory=list)  # question id, English text, count


@dataclass
class Report:
    """Everything the operators' report shows, as data: the terminal and the HTML page render the same numbers."""

    since: dt.date
    until: dt.date
    days: list[Day]
    languages: list[tuple[str, int]]
    country_pairs: list[tuple[str, str, int]]
    campaigns: list[tuple[str, int]]
    outcomes: dict[str, int]
    top_topics: list[tuple[str, str, int]]  # id, title, count
    feedback: list[Votes]  # worst rate first, FEEDBACK_MIN_VOTES or more
    feedback_few: int  # topics with fewer votes, not rated
    by_country: list[Safety]
    by_language: list[Safety]
    checks: Checks
    unanswered: list[Cluster]
    totals: dict[str, int]
    titles: dict[str, str] = field(default_factory=dict)

    def shares(self) -> dict[str, int]:
        """Each outcome's whole percentage of all questions; they add up to 100."""
        return percentages(self.outcomes)

    def missed(self) -> int:
        """Questions without a confident answer (see MISSES): the number volunteers work to bring down."""
        return sum(self.outcomes[name] for name in MISSES)

    def topic_label(self, topic: str | None) -> str:
        """ "Title [id]": the title to recognise, the id to find the file."""
        if not topic:
            return "—"
        return f"{self.titles[topic]} [{topic}]" if topic in self.titles else topic


def _read(db: Path | str, window: tuple[str, str], span: tuple[float, float]) -> tuple:
    """Every row the report needs (`bot.db.events.report`), from a SQLite file (read-only) or a PostgreSQL URL.

    Blocks its caller: the bot calls it through asyncio.to_thread, the command line directly.
    """
    import asyncio
    import concurrent.futures

    import aiosqlite

    from bot.db import events, open_engine

    async def read() -> events.ReportRows:
        if isinstance(db, str):
            engine = await open_engine(db, size=1)
            try:
                async with engine.reading() as connection:
                    return await events.report(connection, "postgresql", window, span)
            finally:
                await engine.close()
        async with aiosqlite.connect(f"file:{db}?mode=ro", uri=True) as connection:
            return await events.report(connection, "sqlite", window, span)

    # A thread of its own: asyncio.run needs a thread without a running loop (a caller may have one).
    with concurrent.futures.ThreadPoolExecutor(1) as worker:
        rows = worker.submit(asyncio.run, read()).result()
    return rows.grouped, rows.day_users, rows.pairs, rows.users, rows.questions, rows.checks


def build_report(
    db_path: Path | str, since: dt.date, until: dt.date | None = None, matcher=None, lang: str = "en"
) -> Report:
    """Read the daily roll-ups the writer keeps (days are UTC dates), the outcomes and the kept texts.

    ``matcher`` (optional) gives topic titles in ``lang``, /check question texts and closest topics.
    """
    today = dt.datetime.now(dt.UTC).date()
    until = until or today
    window = (since.isoformat(), until.isoformat())
    start = dt.datetime.combine(since, dt.time.min, dt.UTC).timestamp()
    end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, dt.UTC).timestamp()
    grouped, day_users, pairs, users, questions, checks = _read(db_path, window, (start, end))
    content = getattr(matcher, "content", None)
    languages: Counter[str] = Counter()
    topics: Counter[str] = Counter()
    campaigns: Counter[str] = Counter()
    questions_per_day: Counter[str] = Counter()
    emergencies_per_day: Counter[str] = Counter()
    safety: dict[str, dict[tuple[str, str], int]] = {"country": Counter(), "lang": Counter()}
    feedback: dict[str, list[int]] = {}
    events = 0
    for day, kind, lang_, decision, _smalltalk, topic, campaign, country, helpful, count in grouped:
        events += count
        if kind == "question":
            questions_per_day[day] += count
            languages[lang_ or "?"] += count
            if decision == "answer" and topic:
                topics[topic] += count
        elif kind == "emergency":
            emergencies_per_day[day] += count
        elif kind == "suggestion_picked" and topic:
            topics[topic] += count
        elif kind == "start" and campaign:
            campaigns[campaign] += count
        elif kind == "feedback" and topic and helpful >= 0:
            feedback.setdefault(topic, [0, 0])[0 if helpful else 1] += count
        if kind in ("emergency", "hotline_shown", "handoff"):
            safety["country"][(country or "?", kind)] += count
            safety["lang"][(lang_ or "?", kind)] += count
    outcomes = dict.fromkeys(OUTCOMES, 0)
    asked: list[tuple[str, int, str, str]] = []
    for text, lang_, decision, smalltalk, emergency, low, count in questions:
        why = outcome(decision, smalltalk, bool(emergency), bool(low))
        outcomes[why] += count
        if text is not None:
            asked.append((text, count, lang_, why))
    asked.sort(key=lambda row: -row[1])
    days = [
        Day(day, day_users.get(day, 0), questions_per_day[day], emergencies_per_day[day], day == today.isoformat())
        for day in sorted(set(day_users) | set(questions_per_day) | set(emergencies_per_day))
    ]
    titles = _titles(content, set(topics) | set(feedback), lang)
    rated = [Votes(t, titles.get(t, t), up, down) for t, (up, down) in feedback.items()]
    clusters = cluster_unanswered(asked[:MAX_CLUSTERED_TEXTS], matcher)
    titles |= _titles(content, {c.closest_topic for c in clusters if c.closest_topic}, lang)
    return Report(
        since,
        until,
        days,
        languages.most_common(),
        pairs,
        campaigns.most_common(),
        outcomes,
        [(t, titles.get(t, t), n) for t, n in topics.most_common(15)],
        sorted((v for v in rated if v.votes >= FEEDBACK_MIN_VOTES), key=lambda v: (v.rate, -v.votes)),
        sum(1 for v in rated if v.votes < FEEDBACK_MIN_VOTES),
        _safety(safety["country"]),
        _safety(safety["lang"]),
        _checks([json.loads(data) for (data,) in checks if data], content),
        clusters,
        {"events": events, "users": users, "questions": sum(outcomes.values())},
        titles,
    )


def _titles(content, topic_ids: set[str], lang: str) -> dict[str, str]:
    if content is None:
        return {}
    return {tid: topic.title for tid in topic_ids if (topic := content.topic(tid, lang))}


def _safety(counts: dict[tuple[str, str], int]) -> list[Safety]:
    keys = {key for key, _ in counts}
    rows = [
        Safety(
            key,
            counts.get((key, "emergency"), 0),
            counts.get((key, "hotline_shown"), 0),
            counts.get((key, "handoff"), 0),
        )
        for key in keys
    ]
    return sorted(rows, key=lambda r: (-r.emergencies, -r.hotline_cards, -r.handoffs, r.key))


def _checks(events: list[dict], content) -> Checks:
    """Completed /check walk-throughs and the questions most often answered with a red flag."""
    flags: Counter[str] = Counter(flag for data in events for flag in data.get("flagged", ()))
    english = getattr(content, "checks", {}).get("en") if content is not None else None
    texts = {q.id: q.text for q in english.questions} if english else {}
    return Checks(
        len(events),
        sum(1 for data in events if data.get("red_flags")),
        [(qid, texts.get(qid, qid), n) for qid, n in flags.most_common()],
    )


def cluster_unanswered(texts: list[tuple[str, int, str, str]], matcher=None) -> list[Cluster]:
    """Group similar questions the bot could not answer well (most frequent first): one alternative covers many.

    ``texts`` are (text, count, language, outcome).
    """
    clusters: list[Cluster] = []
    keys: list[str] = []
    exact: dict[str, int] = {}
    for text, count, lang, why in texts:
        key = skeleton(text) or text  # an emoji has no letters: only the same emoji joins it
        found = exact.get(key)
        if found is None:
            similar = process.extractOne(key, keys, scorer=fuzz.token_set_ratio, score_cutoff=CLUSTER_SIMILARITY)
            found = similar[2] if similar else None
        if found is not None:
            cluster = clusters[found]
        else:
            cluster = Cluster(text)
            exact[key] = len(clusters)
            clusters.append(cluster)
            keys.append(key)
        cluster.count += count
        cluster.languages[lang] += count
        cluster.outcomes[why] += count
        if len(cluster.examples) < 5 and text not in cluster.examples:
            cluster.examples.append(text)
    clusters.sort(key=lambda c: -c.count)
    if matcher is not None:
        for cluster in clusters[:50]:
            cluster.closest_topic = closest_topic(matcher, cluster.representative)
    return clusters


def closest_topic(matcher, text: str) -> str | None:
    """The topic to add this question to, or None when the matcher has no clear favourite."""
    real = [(tid, score) for tid, score in matcher.rank(text) if smalltalk_intent(tid) is None]
    if not real:
        return None
    top, score = real[0]
    lead = score - (real[1][1] if len(real) > 1 else 0.0)
    return top if score >= matcher.thresholds.suggest and lead >= CLOSEST_TOPIC_LEAD else None


# --- output -------------------------------------------------------------------------------


def _outcome_line(report: Report) -> str:
    shares = report.shares()
    return ", ".join(f"{name} {shares[name]}%" for name in OUTCOMES if report.outcomes[name])


def _sections(report: Report) -> list[tuple[str, tuple[str, ...], list[tuple]]]:
    """The report's tables, shared by the terminal and the page: (title, headers, rows)."""
    shares = report.shares()
    checks = report.checks
    return [
        (
            "Per day (UTC)",
            ("day", "users", "questions", "emergencies"),
            [(d.label, d.users, d.questions, d.emergencies) for d in report.days],
        ),
        (
            "Outcome of every question",
            ("outcome", "count", "share"),
            [(name, report.outcomes[name], f"{shares[name]}%") for name in OUTCOMES],
        ),
        ("Languages of questions", ("language", "count"), report.languages),
        ("Citizenship → where now", ("home", "now", "users"), report.country_pairs),
        ("Campaign tags (deep links)", ("campaign", "count"), report.campaigns),
        ("Top topics", ("topic", "id", "count"), [(title, tid, n) for tid, title, n in report.top_topics]),
        (
            f"Feedback: share of helpful votes, worst first (topics with {FEEDBACK_MIN_VOTES}+ votes;"
            f" {report.feedback_few} with fewer not rated)",
            ("topic", "id", "helpful", "not helpful", "helpful rate"),
            [(v.title, v.topic, v.helpful, v.not_helpful, f"{v.rate:.0%}") for v in report.feedback],
        ),
        (
            "Emergencies and hand-offs by country (where the person is)",
            ("country", "emergencies", "hotline cards", "to a person"),
            [(s.key, s.emergencies, s.hotline_cards, s.handoffs) for s in report.by_country],
        ),
        (
            "Emergencies and hand-offs by language",
            ("language", "emergencies", "hotline cards", "to a person"),
            [(s.key, s.emergencies, s.hotline_cards, s.handoffs) for s in report.by_language],
        ),
        (
            f"/check: {checks.completed} completed, {checks.with_flags} with red flags — most frequent red flags",
            ("question (English)", "id", "flagged", "of checks"),
            [(text, qid, n, f"{n / checks.completed:.0%}") for qid, text, n in checks.top_flags],
        ),
        (
            f"Could not answer well: {report.missed()} questions in {len(report.unanswered)} groups"
            + (f", the {LISTED_GROUPS} largest" if len(report.unanswered) > LISTED_GROUPS else "")
            + " (add them as alternative questions)",
            ("count", "language", "why", "example", "closest topic"),
            [
                (c.count, c.language, c.why, " | ".join(c.examples[:3]), report.topic_label(c.closest_topic))
                for c in report.unanswered[:LISTED_GROUPS]
            ],
        ),
    ]


NUMERIC = {
    "users",
    "count",
    "questions",
    "emergencies",
    "share",
    "helpful",
    "not helpful",
    "helpful rate",
    "hotline cards",
    "to a person",
    "flagged",
    "of checks",
}


def print_report(report: Report, console=None) -> None:
    """The report as rich tables in the terminal, for an operator on the server without a browser."""
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    t = report.totals
    console.print(
        f"[bold]Safar usage {report.since} – {report.until}[/bold]: {t['users']} users, "
        f"{t['questions']} questions: {_outcome_line(report)}"
    )
    for title, headers, rows in _sections(report):
        out = Table(title=title, title_justify="left")
        for header in headers:
            out.add_column(header, justify="right" if header in NUMERIC else "left", overflow="fold")
        for row in rows:
            out.add_row(*(str(cell) for cell in row))
        console.print(out)


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(cell: object) -> object:
    """A text cell a spreadsheet would run as a formula (=, +, -, @, tab) is prefixed with ' and shown as text."""
    return f"'{cell}" if isinstance(cell, str) and cell.startswith(FORMULA_START) else cell


def write_csv(report: Report, path: Path) -> None:
    """Unanswered questions for volunteers; what people wrote can never run as a formula when opened."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["count", "language", "why", "closest_topic", "representative", "examples"])
        for cluster in report.unanswered:
            row = [
                cluster.count,
                cluster.language,
                cluster.why,
                cluster.closest_topic or "",
                cluster.representative,
                " | ".join(cluster.examples),
            ]
            writer.writerow([spreadsheet_safe(cell) for cell in row])


SVG_WIDTH = 640
LABEL_WIDTH = 230


def _bars(rows: list[tuple[str, float]], partial: set[str] = frozenset(), suffix: dict[str, str] | None = None) -> str:
    """A horizontal bar chart as inline SVG that scales to its box; a partial day is drawn hatched."""
    if not rows:
        return "<p class='none'>no data</p>"
    top = max(value for _, value in rows) or 1
    bar = 20
    height = bar * len(rows) + 4
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SVG_WIDTH} {height}" width="100%" role="img">',
        '<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        '<rect width="6" height="6" fill="#cfe3e2"/><line x1="0" y1="0" x2="0" y2="6" stroke="#2b7a78" '
        'stroke-width="2"/></pattern></defs>',
    ]
    for index, (label, value) in enumerate(rows):
        y = index * bar + 2
        length = int((SVG_WIDTH - LABEL_WIDTH - 90) * value / top)
        text = str(label)
        shown = text if len(text) <= 34 else text[:33] + "…"
        fill = "url(#hatch)" if label in partial else "#2b7a78"
        note = (suffix or {}).get(label, "")
        parts.append(
            f"<g><title>{html.escape(text)}: {value:g}{html.escape(note)}</title>"
            f'<text x="0" y="{y + 14}" font-size="12">{html.escape(shown)}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y + 3}" width="{max(length, 1)}" height="{bar - 6}" fill="{fill}"/>'
            f'<text x="{LABEL_WIDTH + 6 + length}" y="{y + 14}" font-size="12">{value:g}{html.escape(note)}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _table(headers: tuple[str, ...], rows) -> str:
    if not rows:
        return "<p class='none'>none</p>"
    head = "".join(f"<th class='{'num' if h in NUMERIC else ''}'>{html.escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>"
        + "".join(
            f"<td class='{'num' if h in NUMERIC else ''}'>{html.escape(str(c))}</td>"
            for h, c in zip(headers, row, strict=True)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render_html(report: Report) -> str:
    """One self-contained page (inline CSS and SVG, no scripts) that uses the full width of the window."""
    t = report.totals
    shares = report.shares()
    tables = {title.split(":")[0].split(" (")[0]: (title, headers, rows) for title, headers, rows in _sections(report)}
    partial = {d.label for d in report.days if d.partial}

    def table(key: str, anchor: str, css: str = "") -> str:
        title, headers, rows = tables[key]
        return f"<section id='{anchor}' class='{css}'><h2>{html.escape(title)}</h2>{_table(headers, rows)}</section>"

    def chart(title: str, anchor: str, rows, **kw) -> str:
        return f"<section id='{anchor}'><h2>{html.escape(title)}</h2>{_bars(rows, **kw)}</section>"

    tiles = [
        (f"{t['users']}", "users"),
        (f"{t['questions']}", "questions"),
        (f"{shares['answered']}%", "answered"),
        (f"{sum(shares[name] for name in MISSES)}%", "not answered well"),
        (f"{sum(d.emergencies for d in report.days)}", "emergencies"),
        (f"{report.checks.completed}", "/check completed"),
    ]
    body = [
        "<div class='tiles'>"
        + "".join(f"<div class='tile'><b>{html.escape(v)}</b><span>{html.escape(k)}</span></div>" for v, k in tiles)
        + "</div>",
        "<div class='grid'>",
        chart(
            "Outcome of every question (adds up to 100 %)",
            "outcomes",
            [(name, report.outcomes[name]) for name in OUTCOMES],
            suffix={name: f"  ({shares[name]}%)" for name in OUTCOMES},
        ),
        table("Per day", "days"),
        table("Could not answer well", "missed", "wide"),
        chart(
            "Questions per day (today is partial: hatched)",
            "questions",
            [(d.label, d.questions) for d in report.days],
            partial=partial,
        ),
        chart("Users per day", "users", [(d.label, d.users) for d in report.days], partial=partial),
        chart("Emergencies per day", "emergencies", [(d.label, d.emergencies) for d in report.days], partial=partial),
        table("Emergencies and hand-offs by country", "safety-country"),
        table("Emergencies and hand-offs by language", "safety-language"),
        chart("Languages of questions", "languages", report.languages),
        chart("Citizenship → where now (users)", "pairs", [(f"{h} → {c}", n) for h, c, n in report.country_pairs]),
        chart("Campaign tags", "campaigns", report.campaigns),
        chart("Top topics", "topics", [(title, n) for _, title, n in report.top_topics]),
        table("/check", "check"),
        table("Feedback", "feedback", "wide"),
        "</div>",
    ]
    summary = f"{t['users']} users · {t['questions']} questions · {_outcome_line(report)}"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Safar usage {report.since} – {report.until}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 1.5em 2vw; color: #17252a; background: #f6f8f8; }}
h1 {{ font-size: 1.5em; margin: 0 0 .3em; }} h2 {{ font-size: 1em; margin: 0 0 .6em; }}
.grid {{ display: grid; grid-template-columns: repeat(auto-fill, minmax(460px, 1fr)); gap: 1em; }}
section {{ background: #fff; border: 1px solid #dde5e5; border-radius: 6px; padding: .8em 1em; min-width: 0; }}
.wide {{ grid-column: 1 / -1; }}
.tiles {{ display: flex; flex-wrap: wrap; gap: 1em; margin: 1em 0; }}
.tile {{ background: #fff; border: 1px solid #dde5e5; border-radius: 6px; padding: .6em 1.2em; min-width: 9em; }}
.tile b {{ display: block; font-size: 1.6em; color: #2b7a78; }} .tile span {{ color: #555; font-size: .9em; }}
table {{ border-collapse: collapse; width: 100%; font-size: 0.88em; }}
td, th {{ border-bottom: 1px solid #e4eaea; padding: 4px 6px; text-align: left; vertical-align: top; }}
th {{ color: #555; font-weight: 600; }} .num {{ text-align: right; white-space: nowrap; }}
.note {{ color: #555; font-size: 0.9em; max-width: 110ch; }} .none {{ color: #888; font-style: italic; }}
</style></head><body>
<h1>Safar usage {report.since} – {report.until}</h1>
<p id="summary">{html.escape(summary)}</p>
<p class="note">Users are counted by a keyed hash: nobody can tell from this report or the database who asked.
Texts of questions the bot could not answer well were redacted (phones, e-mails, handles, links, document numbers,
addresses) before they were stored; the text of an emergency is never stored. "Low confidence" answers scored just
above the answer threshold; a closest topic is shown only when the matcher clearly prefers one.</p>
{"".join(body)}
</body></html>
"""


def short_summary(report: Report) -> str:
    """A few lines for the operators' /stats command in Telegram."""
    t = report.totals
    lines = [
        f"Safar {report.since} – {report.until}",
        f"users {t['users']}, questions {t['questions']}",
        _outcome_line(report) or "no questions",
        "emergencies " + str(sum(d.emergencies for d in report.days)),
        "top: " + ", ".join(f"{title} {n}" for _, title, n in report.top_topics[:5]),
        "not answered well: " + "; ".join(f"{c.count}× {c.representative[:40]}" for c in report.unanswered[:5]),
    ]
    if report.by_country:
        lines.append(
            "emergencies/hotline cards by country: "
            + ", ".join(f"{s.key} {s.emergencies}/{s.hotline_cards}" for s in report.by_country[:5])
        )
    if report.checks.completed:
        lines.append(f"/check completed {report.checks.completed}, with red flags {report.checks.with_flags}")
    return "\n".join(lines)
