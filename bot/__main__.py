"""Command line: `python -m bot <command>` (also installed as `safar`)."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import logging
import os
import sys
import time
import traceback
from pathlib import Path

from dotenv import load_dotenv

from bot import logformat
from bot.config import Config


def main(argv: list[str] | None = None) -> int:
    """Run one command; any error ends as one plain line and an exit code (``--debug`` for the traceback)."""
    load_dotenv()
    parser = _parser()
    args = parser.parse_args(argv)
    from bot import logsafe
    from bot.keys import SecretError

    config = None
    try:
        config = Config.from_env()
        if not logformat.configured():  # `run` lowers the level to INFO
            logformat.setup(config.log_format, logging.WARNING, secrets=[config.token])
        else:  # someone else's handlers (a test's): still never the token
            logsafe.install(config.token)
        if getattr(args, "content_dir", None):
            config = _with(config, content_dir=Path(args.content_dir))
        if not getattr(args, "handler", None):
            args.handler = cmd_start
        code = args.handler(args, config) or 0
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's last words
        return code
    except BrokenPipeError:  # `safar ask … | head`: the reader has all it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        return 130
    except SecretError as error:
        print(f"safar: {error}", file=sys.stderr)
        return 2
    except Exception as error:  # one plain line; the token never leaves in a traceback
        if _invalid_token(error):
            print(
                "safar: Telegram refused the bot token (401/404): check TELEGRAM_BOT_TOKEN, "
                "and TELEGRAM_API_BASE_URL if you set it.",
                file=sys.stderr,
            )
            return 2
        if args.debug:
            token = config.token if config else None
            print(logsafe.mask(traceback.format_exc(), token), file=sys.stderr, end="")
            return 1
        print(logsafe.mask(describe_error(error), config.token if config else None), file=sys.stderr)
        return 1


def describe_error(error: Exception) -> str:
    """The one or few lines an operator or volunteer needs: what went wrong and what to do."""
    from bot.services import ContentError

    if isinstance(error, ContentError):
        lines = [str(problem) for problem in error.problems]
        lines.append(
            f"The bot did not start: the content has {len(error.problems)} errors (listed above). "
            "Fix them; `python -m bot content check` checks again."
        )
        return "\n".join(lines)
    if isinstance(error, OSError) and error.filename:
        return f"error: {error.filename}: {error.strerror or error}"
    return f"error: {str(error) or type(error).__name__} (run with --debug to see where)"


def _invalid_token(error: BaseException) -> bool:
    from telegram.error import InvalidToken

    return isinstance(error, InvalidToken)


def _with(config: Config, **changes) -> Config:
    from dataclasses import replace

    return replace(config, **changes)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="safar", description=__doc__)
    parser.add_argument("--content-dir", help="content folder (default: SAFAR_CONTENT_DIR or content/)")
    parser.add_argument("--debug", action="store_true", help="on an error, show the full traceback")
    commands = parser.add_subparsers(title="commands")

    start = commands.add_parser("start", help="the Telegram bot if TELEGRAM_BOT_TOKEN is set, else the terminal chat")
    start.set_defaults(handler=cmd_start)

    run = commands.add_parser("run", help="run the Telegram bot")
    run.add_argument(
        "--webhook", metavar="URL", help="receive updates by webhook at this public URL (default: SAFAR_WEBHOOK_URL)"
    )
    run.add_argument("--listen", help="webhook: address to listen on (default: SAFAR_LISTEN or 127.0.0.1)")
    run.add_argument("--port", type=int, help="webhook: port to listen on (default: SAFAR_PORT or 8443)")
    run.set_defaults(handler=cmd_run)

    health = commands.add_parser("healthcheck", help="ask the running webhook server's /healthz (exit 1 if unhealthy)")
    health.add_argument("--url", help="default: http://127.0.0.1:SAFAR_PORT/healthz")
    health.set_defaults(handler=cmd_healthcheck)

    chat = commands.add_parser("chat", help="talk to the bot in this terminal")
    chat.add_argument("--lang", help="interface language to start with")
    chat.set_defaults(handler=cmd_chat)

    content = commands.add_parser("content", help="check or dump the FAQ content")
    content_commands = content.add_subparsers(title="content commands", required=True)
    check = content_commands.add_parser("check", help="check every content file; errors as file:line")
    check.set_defaults(handler=cmd_content_check)
    dump = content_commands.add_parser("dump", help="print the loaded content as one JSON document")
    dump.set_defaults(handler=cmd_content_dump)
    review = content_commands.add_parser(
        "review", help="for native reviewers: topics not reviewed yet, words used inconsistently"
    )
    review.add_argument("--lang", help="only this language")
    review.set_defaults(handler=cmd_content_review)

    lines = commands.add_parser("hotlines", help="the hotline matrix: what the card shows for every case")
    lines.add_argument("--home", help="citizenship (KG TJ UZ KZ TM); with --now, one case")
    lines.add_argument("--now", help="where the person is: a country code, or 'other'")
    lines.add_argument("--going", help="where a person at home is going")
    lines.add_argument("--lang", default="ru", help="the card's language (default ru)")
    lines.add_argument("--json", action="store_true", help="one JSON object per line, for tools")
    lines.set_defaults(handler=cmd_hotlines)

    match = commands.add_parser("match", help="JSON lines in ({text, lang}), decisions out")
    match.set_defaults(handler=cmd_match)

    ask = commands.add_parser("ask", help="show what the bot would answer to one message")
    ask.add_argument("text")
    ask.add_argument("--lang", help="the user's chosen language")
    ask.set_defaults(handler=cmd_ask)

    evaluate = commands.add_parser("eval", help="measure matching on a labelled JSON lines file")
    evaluate.add_argument("file", type=Path)
    evaluate.add_argument("--misses", type=int, default=60, help="how many misses to list")
    evaluate.set_defaults(handler=cmd_eval)

    stats = commands.add_parser("stats", help="usage report for operators (no one's identity is stored)")
    stats.add_argument("--days", type=int, default=7, help="the last N days (default 7)")
    stats.add_argument("--since", type=dt.date.fromisoformat, help="from this date (YYYY-MM-DD)")
    stats.add_argument("--html", type=Path, metavar="FILE", help="write a self-contained HTML report instead")
    stats.add_argument("--unanswered", type=Path, metavar="FILE", help="write grouped unanswered questions as CSV")
    stats.set_defaults(handler=cmd_stats)

    broadcast = commands.add_parser("broadcast", help="send a campaign message to the subscribers")
    broadcast.add_argument("file", type=Path, help="YAML with `id:` and `messages:` (Markdown per language)")
    mode = broadcast.add_mutually_exclusive_group(required=True)
    mode.add_argument("--dry-run", action="store_true", help="show who would get which message; send nothing")
    mode.add_argument("--send", action="store_true", help="send it (resumes where a previous run stopped)")
    broadcast.add_argument("--rate", type=float, default=25.0, help="messages per second overall (default 25)")
    broadcast.set_defaults(handler=cmd_broadcast)

    materials = commands.add_parser("materials", help="myth cards (PNG), A4 posters (PDF) and links.csv for a campaign")
    materials.add_argument("--lang", help="languages, comma-separated, or 'all' (e.g. ky or ky,ru)")
    materials.add_argument("--topics", help="topic ids, comma-separated (default: every myth topic)")
    materials.add_argument("--src", help="the campaign tag counted in the report, e.g. osh2026")
    materials.add_argument("--country", help="where the campaign runs (KG, TJ...): its numbers go on the cards")
    materials.add_argument("--out", type=Path, default=Path("dist"), help="output folder (default dist/)")
    materials.set_defaults(handler=cmd_materials)

    secret = commands.add_parser("secret", help="the hash secret kept beside the database")
    secret_commands = secret.add_subparsers(title="secret commands", required=True)
    rotate = secret_commands.add_parser(
        "rotate", help="re-key the data under a new secret (stop the bot first); the old secret is gone after"
    )
    rotate.add_argument(
        "--new-secret-file",
        type=Path,
        metavar="FILE",
        help="PostgreSQL (required there): a new file (0600) for the new secret, never printed",
    )
    rotate.set_defaults(handler=cmd_secret_rotate)

    usage_log = commands.add_parser("log", help="the usage log")
    log_commands = usage_log.add_subparsers(title="log commands", required=True)
    purge = log_commands.add_parser("purge", help="delete events older than the retention period")
    purge.add_argument("--older-than", type=parse_age, metavar="AGE", help="like 90d (default SAFAR_RETENTION_DAYS)")
    purge.set_defaults(handler=cmd_purge)

    return parser


def parse_age(text: str) -> dt.timedelta:
    """'90d', '12w' or '48h' as a duration: the units operators think in, refused plainly when mistyped."""
    units = {"d": "days", "w": "weeks", "h": "hours"}
    if len(text) < 2 or text[-1] not in units or not text[:-1].isdigit():
        raise argparse.ArgumentTypeError(f"{text!r}: use a number and d, w or h, like 90d")
    return dt.timedelta(**{units[text[-1]]: int(text[:-1])})


# --- commands -----------------------------------------------------------------------------


def cmd_start(args, config: Config) -> int:
    """The default command: the bot when a token is set, else the terminal chat, so a fresh checkout answers at once."""
    if config.token:
        return cmd_run(argparse.Namespace(webhook=None, listen=None, port=None), config)
    print("TELEGRAM_BOT_TOKEN is not set: starting the terminal chat (Ctrl-D to quit).\n")
    return cmd_chat(argparse.Namespace(lang=None), config)


def cmd_run(args, config: Config) -> int:
    """Serve Telegram (polling, or a webhook when a URL is given); a wrong secret fails in one line, before Telegram."""
    from bot.keys import load_secret
    from bot.telegram_app import run

    if not config.token:
        print(
            "TELEGRAM_BOT_TOKEN is not set. Put it in .env (see .env.example), "
            "or use `python -m bot chat` to talk to the bot in the terminal.",
            file=sys.stderr,
        )
        return 2
    load_secret(
        config.hash_secret, config.db_path, config.database_url
    )  # a wrong or missing secret: one line, before Telegram
    webhook_url = args.webhook or config.webhook_url
    run(config, webhook_url=webhook_url, listen=args.listen or config.listen, port=args.port or config.port)
    return 0


def cmd_healthcheck(args, config: Config) -> int:
    """For the container's HEALTHCHECK and for operators: the health report, exit 0 only when healthy."""
    import httpx

    url = args.url or f"http://127.0.0.1:{config.port}/healthz"
    try:
        response = httpx.get(url, timeout=5)
    except httpx.HTTPError as error:
        print(f"unhealthy: {url} did not answer ({type(error).__name__})", file=sys.stderr)
        return 1
    print(response.text)
    return 0 if response.status_code == 200 else 1


def cmd_chat(args, config: Config) -> int:
    """Talk to the same dialogue in the terminal: what works here is what Telegram users get."""
    from bot.console import run_console

    return run_console(config, lang=args.lang)


def cmd_content_check(args, config: Config) -> int:
    """Check content/ as volunteers should before committing; exit 1 on errors only, warnings pass."""
    from bot.content_check import check, format_report

    started = time.perf_counter()
    report = check(config.content_dir)
    print(format_report(report))
    print(f"checked in {time.perf_counter() - started:.2f} s")
    return 1 if report.errors else 0


def cmd_content_dump(args, config: Config) -> int:
    """Print the content as the bot loaded it, in JSON, to see what it really read; exit 1 if a file did not load."""
    from bot.content import load_content
    from bot.content_check import dump

    result = load_content(config.content_dir)
    for problem in result.errors:
        print(problem, file=sys.stderr)
    json.dump(dump(result.content), sys.stdout, ensure_ascii=False, indent=1)
    print()
    return 1 if result.errors else 0


def cmd_content_review(args, config: Config) -> int:
    """Per language: topics not reviewed yet and words that differ from content/terms.yaml.

    Exit 1 only for a broken terms.yaml (the findings themselves are advice), 2 for an unknown --lang.
    """
    from bot.content_review import format_review, review

    report = review(config.content_dir)
    if args.lang:
        report.languages = [language for language in report.languages if language.lang == args.lang]
        if not report.languages:
            print(f"no content in language {args.lang!r}", file=sys.stderr)
            return 2
    print(format_review(report))
    return 1 if report.problems else 0


def cmd_hotlines(args, config: Config) -> int:
    """Print the hotline card for one --home/--now case or for every case, to check routing without Telegram."""
    from bot import hotlines
    from bot.content import load_content
    from bot.i18n import I18n, use_country_names

    result = load_content(config.content_dir)
    for problem in result.errors:
        print(problem, file=sys.stderr)
    use_country_names(result.content.country_names)  # the names people in the region use, as in the bot
    content = result.content
    i18n = I18n(config.locales_dir, content.languages, config.default_language)
    if args.lang not in i18n.languages:
        print(f"unknown language {args.lang!r} (use: {', '.join(i18n.languages)})", file=sys.stderr)
        return 2
    if args.home or args.now:
        if not (args.home and args.now):
            print("give both --home and --now (and --going only when --now is the home country)", file=sys.stderr)
            return 2
        cases = [(args.home.upper(), args.now if args.now == hotlines.OTHER else args.now.upper(), args.going)]
    else:
        cases = hotlines.matrix_cases()
    for row in hotlines.matrix(content, args.lang, i18n.gettext(args.lang), cases):
        print(json.dumps(row, ensure_ascii=False) if args.json else hotlines.matrix_line(row))
    return 1 if result.errors else 0


def _matcher(config: Config):
    from bot.content import load_content
    from bot.matching import Matcher

    result = load_content(config.content_dir)
    for problem in result.errors:
        print(problem, file=sys.stderr)
    return Matcher(result.content, config.thresholds)


def cmd_match(args, config: Config) -> int:
    """Answer each JSON line ``{"text", "lang"}`` on stdin with its decision, one JSON line; a bad one gets an error."""
    matcher = _matcher(config)
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            request = json.loads(line)
            text, lang = str(request.get("text", "")), request.get("lang")
        except (json.JSONDecodeError, AttributeError) as error:
            print(json.dumps({"error": f"not a JSON object: {error}"}), flush=True)
            continue
        print(json.dumps(matcher.decide(text, lang).as_json(), ensure_ascii=False), flush=True)
    return 0


def cmd_ask(args, config: Config) -> int:
    """Show a volunteer why a message gets its answer and what the emergency check saw, to know which word to add."""
    from bot.dialogue import describe_decision

    matcher = _matcher(config)
    decision = matcher.decide(args.text, args.lang)
    print(describe_decision(matcher.content, decision, args.lang or decision.lang))
    print("\nemergency check, " + "\n".join(matcher.emergency.explain(args.text)))
    return 0


def cmd_eval(args, config: Config) -> int:
    """Score the matcher on a JSONL evaluation set against its targets and list the misses; always exits 0."""
    from bot.evaluation import evaluate, format_evaluation

    matcher = _matcher(config)
    rows = [json.loads(line) for line in args.file.read_text(encoding="utf-8").splitlines() if line.strip()]
    print(format_evaluation(evaluate(matcher, rows), misses=args.misses))
    return 0


def cmd_stats(args, config: Config) -> int:
    """Report usage as text, an HTML page or a CSV of unanswered questions; exit 1 when there is no log yet."""
    from bot import stats

    if not config.database_url and not config.db_path.exists():
        print(f"No usage log yet at {config.db_path}.", file=sys.stderr)
        return 1
    since = args.since or dt.date.today() - dt.timedelta(days=args.days - 1)
    report = stats.build_report(config.database, since, matcher=_matcher(config))
    if args.html:  # the page is the report: one line here, not the text report too
        args.html.write_text(stats.render_html(report), encoding="utf-8")
        print(f"HTML report written to {args.html}")
    elif not args.unanswered:
        stats.print_report(report)
    if args.unanswered:
        stats.write_csv(report, args.unanswered)
        print(f"{len(report.unanswered)} groups of unanswered questions written to {args.unanswered}")
    return 0


def cmd_broadcast(args, config: Config) -> int:
    """Send a campaign to its subscribers, or show with --dry-run what would go out.

    Exit 2 for a bad campaign file or a missing token, 3 when another run holds the campaign (nothing sent).
    """
    from bot.broadcast import Broadcaster, CampaignError, load_campaign
    from bot.keys import SecretError, check_secret_in, load_secret
    from bot.subscriptions import Subscriptions

    try:
        campaign = load_campaign(args.file)
    except CampaignError as error:
        print(error, file=sys.stderr)
        return 2
    if args.send and not config.token:
        print("TELEGRAM_BOT_TOKEN is not set: nothing can be sent (try --dry-run).", file=sys.stderr)
        return 2

    def progress(done: int, total: int) -> None:
        if done == total or done % 50 == 0:
            print(f"  {done}/{total} delivered", file=sys.stderr, flush=True)

    async def run() -> list[str]:
        from telegram import Bot

        from bot.broadcast_telegram import telegram_sender

        secret = load_secret(config.hash_secret, config.db_path, config.database_url)
        subscriptions = await Subscriptions.open(config.database, secret)
        if subscriptions.database.shared:  # PostgreSQL: after a rotation the old secret opens nobody's chat
            try:
                await check_secret_in(subscriptions.database, secret)
            except SecretError:
                await subscriptions.close()
                raise
        base = (config.api_base_url or "https://api.telegram.org").rstrip("/") + "/bot"
        bot = Bot(config.token or "0:dry-run", base_url=base)
        initialized = False
        try:
            if args.send:
                await bot.initialize()
                initialized = True
            broadcaster = Broadcaster(subscriptions, telegram_sender(bot), rate=args.rate)
            report = await broadcaster.run(campaign, args.dry_run, progress)
        finally:
            if initialized:
                await bot.shutdown()
            await subscriptions.close()
        lines = report.lines()
        if args.dry_run:
            lines += [f"  --- {lang} ---\n{text}" for lang, text in sorted(campaign.messages.items())]
        return lines, report.busy

    lines, busy = asyncio.run(run())
    print("\n".join(lines))
    return 3 if busy else 0


def cmd_secret_rotate(args, config: Config) -> int:
    """Re-key the stored data under a new hashing secret; prints what was done, never the secret."""
    from bot.rotate import rotate

    print("\n".join(rotate(config, args.new_secret_file)))
    return 0


def cmd_materials(args, config: Config) -> int:
    """Make printable cards, posters and links.csv with tracked deep links for a campaign.

    Exit 2 for a bad request or missing fonts, 1 when some material could not be made (each is reported).
    """
    from bot import materials
    from bot.content import load_content
    from bot.i18n import I18n

    result = load_content(config.content_dir)
    if result.errors:
        print(f"{result.errors[0]} (run `python -m bot content check`)", file=sys.stderr)
        return 1
    content = result.content
    try:
        request = materials.parse_request(content, args.lang, args.topics, args.src, args.country)
        fonts = materials.find_fonts()
        username = config.bot_username or _username_from_telegram(config)
    except materials.MaterialsError as error:
        print(error, file=sys.stderr)
        return 2
    i18n = I18n(config.locales_dir, content.languages, config.default_language)
    started = time.perf_counter()
    built = materials.build(content, *request, username, args.out, i18n.gettext, fonts)
    for report in built.reports:
        print(report, file=sys.stderr)
    cards = sum(path.suffix == ".png" for path in built.files)
    print(
        f"{cards} cards, {len(built.files) - cards - 1} posters and links.csv in {args.out}/ "
        f"for @{username} ({time.perf_counter() - started:.1f} s)"
    )
    return 1 if built.reports else 0


def _username_from_telegram(config: Config) -> str:
    """The bot's @name from getMe, when only the token is configured."""
    from bot.materials import MaterialsError

    if not config.token:
        raise MaterialsError(
            "Set SAFAR_BOT_USERNAME (the bot's @name) or TELEGRAM_BOT_TOKEN: the QR codes link to the bot"
        )

    async def get_me() -> str:
        from telegram import Bot

        base = (config.api_base_url or "https://api.telegram.org").rstrip("/") + "/bot"
        async with Bot(config.token, base_url=base) as bot:
            return bot.username

    try:
        return asyncio.run(get_me())
    except Exception as error:
        reason = " ".join(str(error).split())
        raise MaterialsError(f"Could not ask Telegram for the bot's name ({reason}): set SAFAR_BOT_USERNAME") from error


def cmd_purge(args, config: Config) -> int:
    """Delete usage events older than --older-than, or than the configured retention period."""
    from bot.keys import load_secret
    from bot.usage_log import UsageLog

    age = args.older_than or dt.timedelta(days=config.retention_days)

    async def purge() -> int:
        log = await UsageLog.open(config.database, load_secret(config.hash_secret, config.db_path, config.database_url))
        try:
            return await log.purge(age)
        finally:
            await log.close()

    where = "the PostgreSQL database" if config.database_url else config.db_path
    print(f"{asyncio.run(purge())} events older than {age.days} days deleted from {where}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
