"""`stats`: what people ask, what the bot failed to answer, where it sent them.

Everything here is counted per pseudonymous user hash; nothing in the
database can say who asked. Unanswered questions are grouped by similarity
so volunteers see which alternative questions to add, and to which topic.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import fuzz, process

from bot.normalize import skeleton

CLUSTER_SIMILARITY = 72
MAX_CLUSTERED_TEXTS = 3000


@dataclass
class Cluster:
    representative: str
    count: int = 0
    examples: list[str] = field(default_factory=list)
    closest_topic: str | None = None


@dataclass
class Report:
    since: dt.date
    until: dt.date
    days: list[tuple[str, int, int, int]]  # day, users, questions, emergencies
    languages: list[tuple[str, int]]
    country_pairs: list[tuple[str, str, int]]
    campaigns: list[tuple[str, int]]
    decisions: dict[str, int]
    top_topics: list[tuple[str, int]]
    feedback: list[tuple[str, int, int]]  # topic, helpful, not helpful
    hotlines: list[tuple[str, int]]  # country, hand-offs
    unanswered: list[Cluster]
    totals: dict[str, int]

    def rate(self, decision: str) -> float:
        total = sum(self.decisions.values())
        return self.decisions.get(decision, 0) / total if total else 0.0


def build_report(db_path: Path, since: dt.date, until: dt.date | None = None, matcher=None) -> Report:
    """Read the daily roll-ups the writer keeps (days are UTC dates), and the unanswered texts."""
    until = until or dt.datetime.now(dt.UTC).date()
    window = (since.isoformat(), until.isoformat())
    start = dt.datetime.combine(since, dt.time.min, dt.UTC).timestamp()
    end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, dt.UTC).timestamp()
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as db:
        grouped = db.execute(
            "SELECT day, kind, lang, decision, smalltalk, topic, campaign, country, helpful, count"
            " FROM daily WHERE day BETWEEN ? AND ?",
            window,
        ).fetchall()
        day_users = dict(
            db.execute("SELECT day, count(*) FROM user_days WHERE day BETWEEN ? AND ? GROUP BY day", window).fetchall()
        )
        pairs = db.execute(
            """SELECT home, current, count(DISTINCT user_hash) FROM user_days
               WHERE day BETWEEN ? AND ? AND home IS NOT NULL AND current IS NOT NULL
               GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 20""",
            window,
        ).fetchall()
        (users,) = db.execute(
            "SELECT count(DISTINCT user_hash) FROM user_days WHERE day BETWEEN ? AND ?", window
        ).fetchone()
        texts = db.execute(
            f"""SELECT text, count(*) FROM events WHERE ts >= ? AND ts < ? AND text IS NOT NULL
                GROUP BY text ORDER BY 2 DESC LIMIT {MAX_CLUSTERED_TEXTS}""",
            (start, end),
        ).fetchall()
    languages: Counter[str] = Counter()
    decisions: Counter[str] = Counter()
    topics: Counter[str] = Counter()
    campaigns: Counter[str] = Counter()
    hotlines: Counter[str] = Counter()
    questions_per_day: Counter[str] = Counter()
    emergencies_per_day: Counter[str] = Counter()
    feedback: dict[str, list[int]] = {}
    events = 0
    for day, kind, lang, decision, smalltalk, topic, campaign, country, helpful, count in grouped:
        events += count
        if kind == "question":
            questions_per_day[day] += count
            languages[lang or "?"] += count
            decisions["small talk" if smalltalk else decision] += count
            if decision == "answer" and topic:
                topics[topic] += count
        elif kind == "emergency":
            emergencies_per_day[day] += count
        elif kind == "suggestion_picked" and topic:
            topics[topic] += count
        elif kind == "start" and campaign:
            campaigns[campaign] += count
        elif kind == "hotline_shown":
            hotlines[country or "?"] += count
        elif kind == "feedback" and topic and helpful >= 0:
            feedback.setdefault(topic, [0, 0])[0 if helpful else 1] += count
    days = [
        (day, day_users.get(day, 0), questions_per_day[day], emergencies_per_day[day])
        for day in sorted(set(day_users) | set(questions_per_day))
    ]
    return Report(
        since,
        until,
        days,
        languages.most_common(),
        pairs,
        campaigns.most_common(),
        dict(decisions),
        topics.most_common(15),
        sorted(((t, up, down) for t, (up, down) in feedback.items()), key=lambda r: (-r[2], -r[1])),
        hotlines.most_common(),
        cluster_unanswered(texts, matcher),
        {"events": events, "users": users, "questions": sum(languages.values())},
    )


def cluster_unanswered(texts: list[tuple[str, int]], matcher=None) -> list[Cluster]:
    """Group similar unanswered questions (most frequent first) so one alternative question covers many."""
    clusters: list[Cluster] = []
    keys: list[str] = []
    for text, count in texts:
        key = skeleton(text)
        found = process.extractOne(key, keys, scorer=fuzz.token_set_ratio, score_cutoff=CLUSTER_SIMILARITY)
        if found:
            cluster = clusters[found[2]]
        else:
            cluster = Cluster(text)
            clusters.append(cluster)
            keys.append(key)
        cluster.count += count
        if len(cluster.examples) < 5:
            cluster.examples.append(text)
    clusters.sort(key=lambda c: -c.count)
    if matcher is not None:
        for cluster in clusters[:50]:
            ranking = matcher.rank(cluster.representative)
            real = [tid for tid, _ in ranking if not tid.startswith("~")]
            cluster.closest_topic = real[0] if real else None
    return clusters


# --- output -------------------------------------------------------------------------------


def print_report(report: Report, console=None) -> None:
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    t = report.totals
    console.print(
        f"[bold]Safar usage {report.since} – {report.until}[/bold]: {t['users']} users, "
        f"{t['questions']} questions; answered {report.rate('answer'):.0%}, "
        f"suggested {report.rate('suggest'):.0%}, not answered {report.rate('none'):.0%}, "
        f"small talk {report.rate('small talk'):.0%}"
    )

    def table(title: str, headers: tuple[str, ...], rows) -> None:
        out = Table(title=title, title_justify="left")
        for header in headers:
            out.add_column(header, justify="right" if header in ("users", "count", "👍", "👎") else "left")
        for row in rows:
            out.add_row(*(str(cell) for cell in row))
        console.print(out)

    table("Per day", ("day", "users", "questions", "emergencies"), report.days)
    table("Languages of questions", ("language", "count"), report.languages)
    table("Citizenship → where now", ("home", "now", "users"), report.country_pairs)
    table("Campaign tags (deep links)", ("campaign", "count"), report.campaigns)
    table("Top topics", ("topic", "count"), report.top_topics)
    table("Feedback per topic", ("topic", "👍", "👎"), report.feedback)
    table("Hotline hand-offs per country", ("country", "count"), report.hotlines)
    table(
        "Unanswered questions, grouped (add them as alternative questions)",
        ("count", "closest topic", "examples"),
        [(c.count, c.closest_topic or "—", " | ".join(c.examples[:3])) for c in report.unanswered[:25]],
    )


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(cell: object) -> object:
    """A text cell a spreadsheet would run as a formula (=, +, -, @, tab) is prefixed with ' and shown as text."""
    return f"'{cell}" if isinstance(cell, str) and cell.startswith(FORMULA_START) else cell


def write_csv(report: Report, path: Path) -> None:
    """Unanswered questions for volunteers; what people wrote can never run as a formula when opened."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["count", "closest_topic", "representative", "examples"])
        for cluster in report.unanswered:
            row = [cluster.count, cluster.closest_topic or "", cluster.representative, " | ".join(cluster.examples)]
            writer.writerow([spreadsheet_safe(cell) for cell in row])


def _bars(rows: list[tuple[str, float]], width: int = 560, bar: int = 18) -> str:
    """A horizontal bar chart as inline SVG: no scripts, no external assets."""
    if not rows:
        return "<p><i>no data</i></p>"
    top = max(value for _, value in rows) or 1
    height = bar * len(rows) + 4
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img">']
    for index, (label, value) in enumerate(rows):
        y = index * bar + 2
        length = int((width - 260) * value / top)
        parts.append(
            f'<text x="0" y="{y + 13}" font-size="12">{html.escape(str(label))[:34]}</text>'
            f'<rect x="200" y="{y + 2}" width="{max(length, 1)}" height="{bar - 6}" fill="#2b7a78"/>'
            f'<text x="{206 + length}" y="{y + 13}" font-size="12">{value:g}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _table(headers: tuple[str, ...], rows) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render_html(report: Report) -> str:
    t = report.totals
    sections = [
        ("Questions per day", _bars([(day, questions) for day, _, questions, _ in report.days])),
        ("Users per day", _bars([(day, users) for day, users, _, _ in report.days])),
        (
            "Decisions",
            _bars([(n, report.decisions.get(n, 0)) for n in ("answer", "suggest", "none", "small talk")]),
        ),
        ("Languages of questions", _bars(report.languages)),
        ("Citizenship → where now (users)", _bars([(f"{h} → {c}", n) for h, c, n in report.country_pairs])),
        ("Campaign tags", _bars(report.campaigns)),
        ("Top topics", _bars(report.top_topics)),
        ("Feedback per topic", _table(("topic", "helpful", "not helpful"), report.feedback)),
        ("Emergencies per day", _bars([(day, emergencies) for day, _, _, emergencies in report.days])),
        ("Hotline hand-offs per country", _bars(report.hotlines)),
        (
            "Unanswered questions, grouped",
            _table(
                ("count", "closest topic", "examples"),
                [(c.count, c.closest_topic or "—", " | ".join(c.examples[:3])) for c in report.unanswered[:40]],
            ),
        ),
    ]
    body = "".join(f"<section><h2>{html.escape(title)}</h2>{content}</section>" for title, content in sections)
    summary = (
        f"{t['users']} users · {t['questions']} questions · answered {report.rate('answer'):.0%} · "
        f"suggested {report.rate('suggest'):.0%} · not answered {report.rate('none'):.0%} · "
        f"small talk {report.rate('small talk'):.0%}"
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Safar usage {report.since} – {report.until}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em auto; max-width: 900px; color: #17252a; }}
h1 {{ font-size: 1.5em; }} h2 {{ font-size: 1.1em; margin-top: 2em; }}
table {{ border-collapse: collapse; width: 100%; font-size: 0.9em; }}
td, th {{ border-bottom: 1px solid #ddd; padding: 4px 6px; text-align: left; vertical-align: top; }}
.note {{ color: #555; font-size: 0.9em; }}
</style></head><body>
<h1>Safar usage {report.since} – {report.until}</h1>
<p id="summary">{html.escape(summary)}</p>
<p class="note">Users are counted by a keyed hash: nobody can tell from this report or the database who asked.
Unanswered questions were redacted (phones, e-mails, links, document numbers) before they were stored.</p>
{body}
</body></html>
"""


def short_summary(report: Report) -> str:
    """A few lines for the operators' /stats command in Telegram."""
    t = report.totals
    lines = [
        f"Safar {report.since} – {report.until}",
        f"users {t['users']}, questions {t['questions']}",
        f"answered {report.rate('answer'):.0%}, suggested {report.rate('suggest'):.0%}, none {report.rate('none'):.0%}",
        "emergencies " + str(sum(e for *_, e in report.days)),
        "top: " + ", ".join(f"{topic} {n}" for topic, n in report.top_topics[:5]),
        "unanswered: " + "; ".join(f"{c.count}× {c.representative[:40]}" for c in report.unanswered[:5]),
    ]
    if report.hotlines:  # already counted per country, most first
        lines.append("hotlines: " + ", ".join(f"{country} {n}" for country, n in report.hotlines[:5]))
    return "\n".join(lines)
