"""The Telegram adapter: thin handlers over the dialogue, and the one composition root."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import html
import logging
import time
from dataclasses import dataclass, field, replace

from telegram import (
    BotCommand,
    Chat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InlineQueryResultCachedPhoto,
    InputTextMessageContent,
    KeyboardButton,
    LinkPreviewOptions,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.constants import ChatType, MessageLimit, ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, TelegramError, TimedOut
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackContext,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    ExtBot,
    InlineQueryHandler,
    MessageHandler,
    filters,
)
from telegram.helpers import create_deep_linked_url
from telegram.request import BaseRequest, HTTPXRequest

from bot import geo, keys, metrics
from bot.broadcast import CATCH_UP, Broadcaster, Campaign, weekly_campaign_id, weekly_myth_due
from bot.broadcast_telegram import telegram_sender
from bot.config import Config
from bot.db import DatabaseError
from bot.dialogue import share_cards
from bot.features.answers import SHARE_CAMPAIGN
from bot.handoff import case_in, operator_card
from bot.materials import MaterialsError, ShareImages
from bot.replies import Erase, EraseChat, Event, Message, OpenCase, Subscribe, Turn, Unsubscribe, UserState
from bot.services import Services
from bot.subscriptions import should_unsubscribe
from bot.telegram_updates import PerPersonUpdates
from bot.wire import EventKind

log = logging.getLogger(__name__)

MAX_TEXT = MessageLimit.MAX_TEXT_LENGTH
SEND_ATTEMPTS = 3
RETRY_DELAY = 0.5
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


@dataclass
class BotData:
    """What the bot keeps for all chats, typed, instead of string keys in ``bot_data``."""

    warming: asyncio.Future | None = None  # the reverse geocoder loading in a worker thread
    services: Services | None = None
    menus: dict[int, tuple[str, ...]] = field(default_factory=dict)  # chat -> menu shown
    share_images: ShareImages | None = None  # inline mode's pictures, made and uploaded once
    uploading: dict[str, asyncio.Task] = field(default_factory=dict)  # image name -> its upload


class Unused:
    """PTB's per-user and per-chat memory, typed as holding nothing: a person's state lives in the database
    (shared by every instance, erased by /delete), never in a process's memory where an erasure cannot reach."""

    __slots__ = ()


class SafarContext(CallbackContext[ExtBot, Unused, Unused, BotData]):
    """Handlers reach the services through typed attributes, not string keys."""

    @property
    def services(self) -> Services:
        """The open services; asserting here catches a handler running before ``post_init``."""
        services = self.bot_data.services
        assert services is not None, "services open in post_init"
        return services


# --- sending ------------------------------------------------------------------------------


def _markup(message: Message, chat_id: int, context: SafarContext, quick_exit: bool = False):
    if quick_exit:  # the menu's words would tell anyone looking what this chat was
        context.bot_data.menus.pop(chat_id, None)
        return ReplyKeyboardRemove()
    if message.buttons:
        return InlineKeyboardMarkup(
            [[InlineKeyboardButton(b.label, callback_data=b.data) for b in row] for row in message.buttons]
        )
    if message.menu and context.bot_data.menus.get(chat_id) != message.menu:
        context.bot_data.menus[chat_id] = message.menu
        labels = [KeyboardButton(label) for label in message.menu]
        rows = [labels[i : i + 2] for i in range(0, len(labels), 2)]
        return ReplyKeyboardMarkup(rows, resize_keyboard=True, is_persistent=True)
    return None


def _chunks(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Split a long HTML reply on paragraph boundaries, never inside a tag."""
    if len(text) <= limit:
        return [text]
    parts, current = [], ""
    for paragraph in text.split("\n\n"):
        candidate = f"{current}\n\n{paragraph}" if current else paragraph
        if len(candidate) <= limit:
            current = candidate
        else:
            if current:
                parts.append(current)
            current = paragraph[:limit]
    if current:
        parts.append(current)
    return parts


async def _with_retries(call, attempts: int = SEND_ATTEMPTS):
    """Retry a send on a network hiccup or timeout; Telegram's own refusals are not retried."""
    for attempt in range(1, attempts + 1):
        try:
            return await call()
        except (TimedOut, NetworkError) as error:
            if isinstance(error, BadRequest) or attempt == attempts:
                raise
            log.warning("network error while sending (%s), retry %d", type(error).__name__, attempt)
            await asyncio.sleep(RETRY_DELAY * attempt)
    return None


async def _track(context: SafarContext, chat: Chat, message_ids: list[int]) -> None:
    """Remember a private chat's messages (either direction, sealed, for 48 hours), for a quick exit."""
    if chat.type == ChatType.PRIVATE and message_ids:
        await context.services.track_message(chat.id, *message_ids)


async def _erase_chat(context: SafarContext, chat_id: int, current: int | None) -> None:
    """Delete what Telegram still lets the bot delete in this chat: its messages and the person's, this one too."""
    recent = await context.services.tracked_messages(chat_id)
    if current is not None and current not in recent:
        recent.append(current)
    for start in range(0, len(recent), 100):
        try:
            await context.bot.delete_messages(chat_id, recent[start : start + 100])
        except TelegramError as error:
            log.warning("quick exit: some messages could not be deleted (%s)", error)


async def send_turn(
    update: Update, context: SafarContext, messages: list[Message], quick_exit: bool = False
) -> list[int]:
    """Send the replies; the ids of what was sent, for the quick exit (none after an exit)."""
    chat = update.effective_chat
    assert chat is not None
    sent_ids: list[int] = []
    for message in messages:
        chunks = _chunks(message.html)
        for index, chunk in enumerate(chunks):
            last = index == len(chunks) - 1
            markup = _markup(message, chat.id, context, quick_exit) if last else None
            sent = await _with_retries(
                lambda chunk=chunk, markup=markup: context.bot.send_message(
                    chat.id,
                    chunk,
                    reply_markup=markup,
                )
            )
            if sent and not quick_exit:
                sent_ids.append(sent.message_id)
        for contact in message.contacts:
            try:
                sent = await _with_retries(
                    lambda contact=contact: context.bot.send_contact(
                        chat.id, phone_number=contact.phone_number, first_name=contact.name
                    )
                )
                if sent:
                    sent_ids.append(sent.message_id)
            except BadRequest as error:  # a contact card is a convenience; the number is in the text
                log.warning("contact card not sent: %s", error)
    return sent_ids


def _user_key(update: Update) -> int | str:
    user = update.effective_user
    return user.id if user else f"chat:{update.effective_chat.id if update.effective_chat else 0}"


async def _state(update: Update, services: Services) -> UserState:
    state = await services.load_state(_user_key(update))
    if state.lang is None and update.effective_user:  # until they choose, speak Telegram's language
        state = replace(state, lang=services.i18n.negotiate(update.effective_user.language_code))
    private = update.effective_chat is None or update.effective_chat.type == ChatType.PRIVATE
    return state if state.private == private else replace(state, private=private)


async def _perform(update: Update, context: SafarContext, turn: Turn) -> list[Message]:
    """Carry out what the turn promised, and return the replies that tell the truth about it."""
    services = context.services
    user, chat = _user_key(update), update.effective_chat
    chat_id = chat.id if chat else None
    replies: list[Message] = []
    for effect in turn.effects:
        ok = False
        match effect:
            case EraseChat():
                if chat_id is not None:
                    message = update.effective_message
                    await _erase_chat(context, chat_id, message.message_id if message else None)
                ok = await services.erase_user(user, chat_id)
            case Erase():
                ok = await services.erase_user(user, chat_id)
            case Subscribe(lang=lang):
                ok = await services.subscribe(user, chat_id, lang)
            case Unsubscribe():
                ok = await services.unsubscribe(user)
            case OpenCase() if chat_id is not None:
                case = await _open_case(context, update, effect, turn.state, chat_id)
                if case:
                    replies += [replace(m, html=m.html.replace("{case}", case)) for m in effect.done]
                    continue
        replies += effect.done if ok else effect.failed
    return replies


async def _converse(update: Update, context: SafarContext, act) -> None:
    """Load the user's state, run one dialogue step, carry out its effects, send, log."""
    services = context.services
    started = time.perf_counter()
    state = await _state(update, services)
    turn: Turn = act(services.dialogue, state)
    replies = await _perform(update, context, turn)
    await services.remember(_user_key(update), turn)  # before the replies: a quick next tap must see this turn's state
    sent = await send_turn(update, context, turn.messages + replies, turn.quick_exit)
    latency = round((time.perf_counter() - started) * 1000, 1)
    metrics.observe_turn(metrics.update_kind(update), turn, latency / 1000)
    for event in turn.events:
        if event.kind == EventKind.QUESTION:
            event.data["latency_ms"] = latency
    # The new state first (no wait): the person's next message may already be on its way.
    await services.record(_user_key(update), turn, settings=False)  # kept by `remember` already
    chat, message = update.effective_chat, update.effective_message
    if chat and not turn.quick_exit:  # the person's message and the replies, in one write
        await _track(context, chat, ([message.message_id] if message else []) + sent)


def _in_scope(update: Update, context: SafarContext) -> bool:
    """In groups, answer only messages that mention the bot or reply to it."""
    chat, message = update.effective_chat, update.effective_message
    if chat is None or chat.type == ChatType.PRIVATE or message is None:
        return True
    username = (context.bot.username or "").lower()
    text = (message.text or "").lower()
    replied = message.reply_to_message
    return bool(username and f"@{username}" in text) or bool(
        replied and replied.from_user and replied.from_user.id == context.bot.id
    )


# --- handlers -----------------------------------------------------------------------------


async def start(update: Update, context: SafarContext) -> None:
    """Greet, pick the language, and open a deep-linked topic."""
    payload = context.args[0] if context.args else None
    code = update.effective_user.language_code if update.effective_user else None
    await _converse(update, context, lambda d, s: d.start(s, payload, code))


async def command(update: Update, context: SafarContext) -> None:
    """Run a user command (/help, /hotline, /sos...), or explain an unknown one."""
    text = update.effective_message.text if update.effective_message else ""
    name, _sep, addressee = (text or "/help").split()[0][1:].partition("@")
    if addressee and addressee.lower() != (context.bot.username or "").lower():
        return  # "/exit@other_bot" in a group is for another bot
    name = name.lower()
    arg = " ".join(context.args or [])
    await _converse(update, context, lambda d, s: d.command(s, name, arg))


async def text_message(update: Update, context: SafarContext) -> None:
    """Answer free text: emergency first, then the matcher's decision."""
    if not _in_scope(update, context):
        return
    message = update.effective_message
    text = message.text or message.caption or ""  # a photo's caption is read like a message
    if context.bot.username:
        text = text.replace(f"@{context.bot.username}", " ")
    await _converse(update, context, lambda d, s: d.text(s, text))


async def button(update: Update, context: SafarContext) -> None:
    """Handle a pressed inline button."""
    query = update.callback_query
    await query.answer()
    await _converse(update, context, lambda d, s: d.button(s, query.data or ""))


async def inline_share(update: Update, context: SafarContext) -> None:
    """Offer topic cards to send to a friend from any chat, each with a link back to the bot."""
    query = update.inline_query
    services = context.services
    state = await _state(update, services)
    lang = state.lang or services.i18n.default
    _ = services.i18n.gettext(lang)
    username = context.bot.username
    results = []
    for card in share_cards(services.dialogue, query.query[:200], lang):
        link = create_deep_linked_url(username, card.payload)
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton(_("Ask Safar"), url=link)]])
        results.append(
            InlineQueryResultArticle(
                id=card.topic_id,
                title=card.title,
                description=card.description,
                input_message_content=InputTextMessageContent(_chunks(card.html)[0]),
                reply_markup=keyboard,
            )
        )
        photo = _share_photo(context, card.topic_id, lang)
        if photo:
            caption = f"<b>{html.escape(card.title)}</b>"
            results.append(
                InlineQueryResultCachedPhoto(
                    id=f"{card.topic_id}:image",
                    photo_file_id=photo,
                    title=card.title,
                    caption=caption,
                    reply_markup=keyboard,
                )
            )
    await query.answer(results, cache_time=300, is_personal=True)
    await services.record(_user_key(update), Turn([], state, [Event(EventKind.SHARE, {"query": bool(query.query)})]))


def _share_photo(context: SafarContext, topic_id: str, lang: str) -> str | None:
    """The file_id of the topic's share image; the first time, it is made and uploaded in the background.

    Telegram offers a picture in inline mode only once it holds it: each image is sent once to the
    operators' chat (silently, and deleted at once) to get its file_id. Without that chat: text only.
    """
    services = context.services
    chat = services.config.operator_chat_id
    topic = services.dialogue.content.topic(topic_id, lang)
    if topic is None:
        return None
    if context.bot_data.share_images is None:
        folder = services.config.db_path.parent / "share-images"
        context.bot_data.share_images = ShareImages(folder, context.bot.username, SHARE_CAMPAIGN)
    images = context.bot_data.share_images
    file_id = images.file_id(topic)
    name = images.name(topic)
    if file_id is None and chat is not None and name not in context.bot_data.uploading:
        _ = services.i18n.gettext(topic.lang)
        upload = _upload_share_image(context, images, topic, _, chat)
        context.bot_data.uploading[name] = asyncio.create_task(upload, name=f"share-image-{name}")
    return file_id


async def _upload_share_image(context: SafarContext, images: ShareImages, topic, _, chat: int) -> None:
    try:
        path = await asyncio.to_thread(images.image, topic, _)
        if path is None:
            return
        sent = await context.bot.send_photo(chat, path.read_bytes(), disable_notification=True)
        images.remember(topic, sent.photo[-1].file_id)
        await context.bot.delete_message(chat, sent.message_id)
    except (TelegramError, MaterialsError, OSError) as error:
        log.warning("could not prepare the share image of %s: %s", topic.id, error)
    finally:
        context.bot_data.uploading.pop(images.name(topic), None)


async def not_text(update: Update, context: SafarContext) -> None:
    """A voice note, sticker, video note or picture without words: say what works, with 🆘 and ☎️."""
    if not _in_scope(update, context):
        return
    await _converse(update, context, lambda d, s: d.not_text(s))


async def location(update: Update, context: SafarContext) -> None:
    """A shared location sets where the person is and shows that country's emergency card."""
    if not _in_scope(update, context):
        return
    where = update.effective_message.location
    country = await asyncio.to_thread(geo.country_at, where.latitude, where.longitude)
    await _converse(update, context, lambda d, s: d.location(s, country))  # the coordinates go no further


async def reload_content(update: Update, context: SafarContext) -> None:
    """Operators: re-read the content; a broken file is reported and the live content stays."""
    problems = await context.services.reload()
    if problems:
        lines = "\n".join(html.escape(str(p)) for p in problems[:20])
        text = f"❌ Content NOT reloaded ({len(problems)} errors); the previous content stays live:\n{lines}"
    else:
        content = context.services.content
        text = f"✅ Content reloaded: {len(content.topic_ids)} topics in {len(content.languages)} languages."
    await update.effective_message.reply_text(text[:MAX_TEXT])


async def stats_command(update: Update, context: SafarContext) -> None:
    """Operators: a short usage summary of the last 7 days; nobody's identity is in it."""
    from bot.stats import build_report, short_summary

    services = context.services
    await services.usage_log.flush()
    since = dt.date.today() - dt.timedelta(days=6)
    try:
        report = await asyncio.to_thread(build_report, services.config.database, since, None, services.dialogue.matcher)
        text = f"<pre>{html.escape(short_summary(report))}</pre>"
    except DatabaseError as error:
        text = f"Usage log unavailable: {html.escape(str(error))}"
    await update.effective_message.reply_text(text[:MAX_TEXT])


async def _open_case(
    context: SafarContext, update: Update, effect: OpenCase, state: UserState, chat_id: int
) -> str | None:
    """Keep the case, then post the question to the operators' chat; the case id, or None if either failed."""
    services = context.services
    operators = services.config.operator_chat_id
    if operators is None:
        return None
    lang = state.lang or services.i18n.default
    case = await services.open_case(_user_key(update), chat_id, lang)
    if case is None:
        return None
    card = operator_card(case, effect.text, lang, state.home, state.current, effect.urgent)
    try:
        await _with_retries(lambda: context.bot.send_message(operators, card))
    except TelegramError as error:
        log.warning("case not posted to the operators' chat: %s", error)
        await services.close_case(case)
        return None
    return case


async def operator_reply(update: Update, context: SafarContext) -> None:
    """An operator's reply to a case message goes back to the person, and nothing else of the operator."""
    message = update.effective_message
    services = context.services
    replied = message.reply_to_message
    case = case_in((replied.text or replied.caption) if replied else None)
    found = await services.find_case(case) if case else None
    if found is None:
        await message.reply_text("Not delivered: reply to a case message (#XXXXXXXX) that is still open.")
        return
    chat_id, lang = found
    _ = services.i18n.gettext(lang)
    heading = _("A volunteer answers:")
    words = message.text or message.caption or ""
    text = f"💬 <b>{html.escape(heading)}</b>\n\n{html.escape(words)}"
    if message.photo:  # a picture (a map, a document to show) goes with the words as its caption
        sent = await _with_retries(lambda: context.bot.send_photo(chat_id, message.photo[-1].file_id, caption=text))
    else:
        sent = await _with_retries(lambda: context.bot.send_message(chat_id, text))
    if sent:  # the volunteer's answer is the most telling message of all: a quick exit deletes it too
        await services.track_message(chat_id, sent.message_id)
    await message.reply_text(f"✓ Delivered to case #{case}.")


async def chat_member(update: Update, context: SafarContext) -> None:
    """A person who blocks the bot is unsubscribed at once (removing it from a group is not that)."""
    change = update.my_chat_member
    if change and should_unsubscribe(change.chat.type, change.new_chat_member.status):
        await context.services.unsubscribe(_user_key(update))


async def weekly_myth(context: SafarContext) -> None:
    """Send this week's myth to every subscriber in their language, resumable and at most once.

    With ``data=CATCH_UP`` (a start-up when `weekly_myth_due`), a started campaign only resumes.
    """
    services = context.services
    now = dt.datetime.now(dt.UTC)
    week = now.isocalendar()[1]
    dialogue = services.dialogue
    messages = {lang: text for lang in services.i18n.languages if (text := dialogue.weekly_myth(lang, week))}
    campaign = Campaign(weekly_campaign_id(now), messages)
    catch_up = getattr(context.job, "data", None) == CATCH_UP
    report = await Broadcaster(services.subscriptions, telegram_sender(context.bot)).run(campaign, catch_up=catch_up)
    log.info("; ".join(report.lines()))


async def on_error(update: object, context: SafarContext) -> None:
    """Log the error (never the token) and tell the user something useful."""
    log.error("error while handling an update: %s", context.error, exc_info=context.error)
    metrics.observe_error(context.error)
    if isinstance(update, Update) and update.effective_chat and not isinstance(context.error, Forbidden):
        with contextlib.suppress(TelegramError):
            await context.bot.send_message(
                update.effective_chat.id,
                "⚠️ Sorry, something went wrong. Please try again, or use /hotline. / "
                "Извините, произошла ошибка. Попробуйте ещё раз или /hotline.",
            )


# --- composition root ---------------------------------------------------------------------


WEEKLY_AT = dt.time(10, 0, tzinfo=dt.UTC)
MONDAY = 1  # PTB counts days like cron: 0 is Sunday


def build_application(
    config: Config, request: BaseRequest | None = None, services: Services | None = None
) -> Application:
    """Register every handler in one ordered block; services open in post_init."""

    async def post_init(app: Application) -> None:
        app.bot_data.services = services or await Services.open(config)
        # Someone in danger may share a location first thing: load the gazetteer now, off the event loop.
        app.bot_data.warming = asyncio.get_running_loop().run_in_executor(None, geo.warm)
        try:
            i18n = app.bot_data.services.i18n
            for lang in (None, *i18n.languages):
                _ = i18n.gettext(lang or i18n.default)
                dialogue = app.bot_data.services.dialogue
                commands = [BotCommand(c.name, _(c.description)) for c in dialogue.commands() if c.description]
                await app.bot.set_my_commands(commands, language_code=lang)
        except TelegramError as error:
            log.warning("could not set the command menu: %s", error)

        if app.job_queue is not None:  # the myth of the week, Mondays at 10:00 UTC
            app.job_queue.run_daily(weekly_myth, WEEKLY_AT, days=(MONDAY,), name="weekly-myth")
            if weekly_myth_due(dt.datetime.now(dt.UTC)):  # a restart must not skip (or repeat) this week's
                app.job_queue.run_once(weekly_myth, when=60, data=CATCH_UP, name="weekly-myth-catch-up")

    async def post_shutdown(app: Application) -> None:
        if app.bot_data.services:
            await app.bot_data.services.close()

    builder = (
        ApplicationBuilder()
        .token(config.token or "0:local")
        .context_types(ContextTypes(context=SafarContext, bot_data=BotData, chat_data=Unused, user_data=Unused))
        .defaults(Defaults(parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW))
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .concurrent_updates(PerPersonUpdates())  # one person's updates in order, people side by side
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    else:
        builder = builder.request(HTTPXRequest(connection_pool_size=16, read_timeout=15)).rate_limiter(
            AIORateLimiter(max_retries=3)
        )
    if config.api_base_url:
        base = config.api_base_url.rstrip("/")
        builder = builder.base_url(f"{base}/bot").base_file_url(f"{base}/file/bot")
    app = builder.build()

    # New messages only: an edited message is not a new question, and channels are not people.
    private_or_group = filters.UpdateType.MESSAGE & (filters.ChatType.PRIVATE | filters.ChatType.GROUPS)
    # Order matters: the first matching handler in the group wins.
    if config.operator_chat_id is not None:  # an operator's reply in the operators' chat goes to the person
        replies = filters.Chat(config.operator_chat_id) & filters.REPLY & filters.UpdateType.MESSAGE
        app.add_handler(MessageHandler(replies & (filters.TEXT | filters.PHOTO), operator_reply))
    app.add_handler(CommandHandler("start", start))  # with a deep-link payload and Telegram's language
    operators = filters.User(user_id=config.operator_ids)  # for anyone else these are unknown commands
    app.add_handler(CommandHandler("reload", reload_content, filters=operators))
    app.add_handler(CommandHandler("stats", stats_command, filters=operators))
    app.add_handler(CallbackQueryHandler(button))
    app.add_handler(InlineQueryHandler(inline_share))  # "@bot passport" in any chat
    app.add_handler(ChatMemberHandler(chat_member, ChatMemberHandler.MY_CHAT_MEMBER))  # blocked: unsubscribe
    app.add_handler(MessageHandler(filters.COMMAND & private_or_group, command))
    app.add_handler(MessageHandler((filters.TEXT | filters.CAPTION) & private_or_group, text_message))
    app.add_handler(MessageHandler(filters.LOCATION & private_or_group, location))  # -> country, card
    app.add_handler(MessageHandler(~filters.TEXT & ~filters.StatusUpdate.ALL & private_or_group, not_text))
    app.add_error_handler(on_error)
    return app


def run(config: Config, webhook_url: str | None = None, listen: str = "127.0.0.1", port: int = 8443) -> None:
    """Poll Telegram, or with a webhook URL serve /telegram (403 without Telegram's secret token header),
    /healthz and /metrics (bot/webhook.py)."""
    from bot import logformat, webhook

    logformat.setup(config.log_format, logging.INFO, secrets=[config.token])  # masks the token in every line
    app = build_application(config)
    if webhook_url:
        config = keys.with_webhook_secret(config)
        asyncio.run(webhook.serve(app, config, webhook_url, listen, port))
    else:
        app.run_polling(allowed_updates=Update.ALL_TYPES)
