#!/usr/bin/env node
'use strict';
/*
 * Local Telegram Bot API emulator for Safar's end-to-end tests.
 *
 *   node launcher.js [--port N] [--host 127.0.0.1]     (or E2E_API_PORT / E2E_API_HOST)
 *
 * telegram-test-api (npm) keeps the chats: user updates, bot messages, ids and
 * its client routes. This Express app sits in front of it, on loopback only, and
 * makes its bot side behave like the real Bot API for python-telegram-bot:
 *
 *   - getMe with is_bot and a username; dates in seconds, never milliseconds;
 *   - getUpdates with long polling (held up to `timeout` s) and honoured `offset`;
 *   - Message objects with the real shape (from, chat, date, text, entities);
 *   - parse_mode=HTML parsed like Telegram: unsupported or unclosed tags and
 *     texts over 4096 characters fail with 400, as they would in production;
 *   - inline keyboards checked (callback_data 1-64 bytes, button text non-empty);
 *   - callback queries with chat_instance and the real message that was tapped;
 *   - sendContact, sendChatAction, answerCallbackQuery, set/get/deleteMyCommands,
 *     editMessageText/ReplyMarkup and deleteMessage(s) (visible to the client),
 *     setWebhook with secret_token, getWebhookInfo;
 *   - any other method: 404 in the Bot API shape, and a line on stderr.
 *
 * Client side (for the test driver), JSON bodies:
 *   POST /sendMessage  {botToken, text, userId?, chatId?, languageCode?, entities?}
 *   POST /sendCommand  same; bot_command entities are found as Telegram does
 *   POST /sendCallback {botToken, messageId, data, userId?, chatId?}
 *   POST /getUpdates   {token, chatId, timeout?}  bot messages not yet read (held up to timeout s)
 *   POST /getCallbackAnswers {token}  every answerCallbackQuery call
 *   POST /getMyCommands {token}       the command menu the bot set
 *   POST /getBotStatus {token}        {get_updates_calls, polling, webhook, pending_update_count}
 *   POST /setFloodLimit {token, method, times, retry_after}
 *                                     the next `times` calls of `method` get Telegram's 429 answer
 *   POST /getUpdatesHistory {token}   (telegram-test-api's own)
 *   GET  /health
 *
 * Prints "E2E_API_READY http://127.0.0.1:<port>" on stdout once listening.
 */

const express = require('express');
const TelegramServer = require('telegram-test-api');

const MAX_TEXT = 4096;
const BOT_USERNAME = process.env.E2E_BOT_USERNAME || 'safar_test_bot';
const QUIET = process.env.E2E_API_TRACE === '0'; // else every bot call is traced on stderr

// --- arguments ---------------------------------------------------------------------------

function argValue(name, fallback) {
  const index = process.argv.indexOf(`--${name}`);
  if (index !== -1 && process.argv[index + 1] !== undefined) return process.argv[index + 1];
  const positional = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  if (name === 'port' && positional.length && /^\d+$/.test(positional[0])) return positional[0];
  return fallback;
}

const PORT = Number(argValue('port', process.env.E2E_API_PORT || '0'));
const HOST = argValue('host', process.env.E2E_API_HOST || '127.0.0.1');

function log(...parts) {
  process.stderr.write(`[e2e-api] ${parts.join(' ')}\n`);
}

// --- the emulator's store ----------------------------------------------------------------

// Never started: its express app is mounted below, so nothing listens on a second port.
const tg = new TelegramServer({ port: 1, host: HOST, storeTimeout: 3600 });

const state = {
  pending: new Map(), // token -> [formatted update, ...] handed out but not confirmed by offset
  pollers: new Map(), // token -> Set of wake-up functions of held getUpdates requests
  chats: new Map(), // chat id -> Chat object, learned from the users' messages
  callbacks: new Map(), // callback query id -> {token, answered, answer}
  callbackAnswers: [], // {token, callback_query_id, text, show_alert, url}
  commands: new Map(), // token -> {scope/lang key -> [BotCommand]}
  webhooks: new Map(), // token -> {url, secret_token, ...}
  clientWaiters: new Set(), // wake-up functions of held client /getUpdates requests
  polls: new Map(), // token -> {calls, held}: how the bot polls
};

function nowSeconds() {
  return Math.floor(Date.now() / 1000);
}

function botUser(token) {
  const id = Number(String(token).split(':')[0]) || 666;
  return { id, is_bot: true, first_name: 'Safar (e2e)', username: BOT_USERNAME };
}

// --- Bot API answers ---------------------------------------------------------------------

class ApiError extends Error {
  constructor(code, description, parameters) {
    super(description);
    this.code = code;
    this.description = description;
    this.parameters = parameters;
  }
}

const badRequest = (description) => new ApiError(400, `Bad Request: ${description}`);

function sendOk(res, result) {
  res.status(200).json({ ok: true, result });
}

function sendApiError(res, error) {
  const body = { ok: false, error_code: error.code, description: error.description };
  if (error.parameters) body.parameters = error.parameters;
  res.status(error.code).json(body);
}

// PTB posts form fields whose values are JSON for anything that is not a string.
const JSON_FIELDS = new Set([
  'reply_markup', 'entities', 'caption_entities', 'commands', 'scope', 'allowed_updates',
  'link_preview_options', 'reply_parameters', 'message_ids',
]);

function params(req) {
  const out = { ...(req.query || {}), ...(req.body || {}) };
  for (const [key, value] of Object.entries(out)) {
    if (typeof value === 'string' && JSON_FIELDS.has(key)) {
      try {
        out[key] = JSON.parse(value);
      } catch (error) {
        throw badRequest(`can't parse ${key} JSON object`);
      }
    }
  }
  return out;
}

function int(value, name, { required = false, fallback } = {}) {
  if (value === undefined || value === null || value === '') {
    if (required) throw badRequest(`${name} is empty`);
    return fallback;
  }
  const number = Number(value);
  if (!Number.isFinite(number)) throw badRequest(`field "${name}" must be a Number`);
  return Math.trunc(number);
}

function bool(value) {
  return value === true || value === 'true' || value === '1' || value === 1;
}

// --- HTML like Telegram parses it --------------------------------------------------------

const TAGS = {
  b: 'bold', strong: 'bold', i: 'italic', em: 'italic', u: 'underline', ins: 'underline',
  s: 'strikethrough', strike: 'strikethrough', del: 'strikethrough', 'tg-spoiler': 'spoiler',
  span: 'spoiler', a: 'text_link', code: 'code', pre: 'pre', blockquote: 'blockquote',
  'tg-emoji': 'custom_emoji',
};
const NAMED_ENTITIES = { lt: '<', gt: '>', amp: '&', quot: '"' };

function byteOffset(text, index) {
  return Buffer.byteLength(text.slice(0, index), 'utf8');
}

function parseAttributes(source, tag, text, at) {
  const attrs = {};
  const pattern = /\s*([a-zA-Z_:-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?/y;
  let index = 0;
  while (index < source.length) {
    pattern.lastIndex = index;
    const match = pattern.exec(source);
    if (!match || match[0].length === 0) {
      if (/^\s*$/.test(source.slice(index))) break;
      throw badRequest(`can't parse entities: Unexpected attribute in start tag "${tag}" at byte offset ${byteOffset(text, at)}`);
    }
    const value = match[2] ?? match[3] ?? match[4] ?? '';
    attrs[match[1].toLowerCase()] = decodeEntities(value);
    index = pattern.lastIndex;
  }
  return attrs;
}

function decodeEntities(text) {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (whole, name) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED_ENTITIES[name] ?? whole;
  });
}

/** Telegram's HTML parse mode: {text, entities}, or a 400 with Telegram's wording. */
function parseHtml(html) {
  let text = '';
  const entities = [];
  const stack = [];
  let index = 0;
  while (index < html.length) {
    const char = html[index];
    if (char === '&') {
      const match = /^&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/.exec(html.slice(index, index + 12));
      if (match) {
        text += decodeEntities(match[0]);
        index += match[0].length;
        continue;
      }
      text += char; // Telegram keeps a lone "&"
      index += 1;
      continue;
    }
    if (char !== '<') {
      text += char;
      index += 1;
      continue;
    }
    const end = html.indexOf('>', index);
    if (end === -1) {
      throw badRequest(`can't parse entities: Unclosed start tag at byte offset ${byteOffset(html, index)}`);
    }
    const inner = html.slice(index + 1, end);
    if (inner.startsWith('/')) {
      const name = inner.slice(1).trim().toLowerCase();
      const open = stack.pop();
      if (!open || open.tag !== name) {
        throw badRequest(`can't parse entities: Unmatched end tag at byte offset ${byteOffset(html, index)}, expected "</${open ? open.tag : ''}>", found "</${name}>"`);
      }
      const length = text.length - open.offset;
      if (open.entity && length > 0) entities.push({ ...open.entity, offset: open.offset, length });
    } else {
      const nameMatch = /^([a-zA-Z][a-zA-Z0-9-]*)/.exec(inner);
      if (!nameMatch) {
        throw badRequest(`can't parse entities: Unsupported start tag "${inner.split(/\s/)[0]}" at byte offset ${byteOffset(html, index)}`);
      }
      const tag = nameMatch[1].toLowerCase();
      if (!(tag in TAGS)) {
        throw badRequest(`can't parse entities: Unsupported start tag "${tag}" at byte offset ${byteOffset(html, index)}`);
      }
      const attrs = parseAttributes(inner.slice(nameMatch[1].length), tag, html, index);
      let entity = { type: TAGS[tag] };
      if (tag === 'span' && attrs.class !== 'tg-spoiler') {
        throw badRequest(`can't parse entities: Tag "span" must have class "tg-spoiler" at byte offset ${byteOffset(html, index)}`);
      }
      if (tag === 'a') {
        if (!attrs.href) entity = null; // Telegram drops a link without href
        else entity.url = attrs.href;
      }
      if (tag === 'blockquote' && 'expandable' in attrs) entity.type = 'expandable_blockquote';
      if (tag === 'tg-emoji') entity.custom_emoji_id = attrs['emoji-id'];
      if (tag === 'code' && stack.length && stack[stack.length - 1].tag === 'pre') {
        // <pre><code class="language-x"> is one pre entity with a language, as in Telegram
        const pre = stack[stack.length - 1];
        if (pre.entity && attrs.class) pre.entity.language = String(attrs.class).replace(/^language-/, '');
        entity = null;
      }
      stack.push({ tag, offset: text.length, entity });
    }
    index = end + 1;
  }
  if (stack.length) {
    throw badRequest(`can't parse entities: Can't find end tag corresponding to start tag "${stack[stack.length - 1].tag}"`);
  }
  entities.sort((a, b) => a.offset - b.offset || b.length - a.length);
  return { text, entities };
}

function formattedText(raw, parseMode, explicitEntities, { limit, field }) {
  if (raw === undefined || raw === null) raw = '';
  raw = String(raw);
  let text = raw;
  let entities = Array.isArray(explicitEntities) ? explicitEntities : [];
  const mode = String(parseMode || '').toLowerCase();
  if (mode === 'html') ({ text, entities } = parseHtml(raw));
  else if (mode) log(`parse_mode ${parseMode} is not parsed by the emulator; text kept as sent`);
  if (field === 'text' && !text.trim()) throw badRequest('message text is empty');
  if ([...text].length > limit) throw badRequest(field === 'text' ? 'message is too long' : 'message caption is too long');
  return { text, entities };
}

// --- keyboards ---------------------------------------------------------------------------

function checkReplyMarkup(markup) {
  if (markup === undefined || markup === null || markup === '') return undefined;
  if (typeof markup !== 'object') throw badRequest("can't parse reply keyboard markup JSON object");
  if ('inline_keyboard' in markup) {
    if (!Array.isArray(markup.inline_keyboard)) throw badRequest('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array');
    for (const row of markup.inline_keyboard) {
      if (!Array.isArray(row)) throw badRequest('inline keyboard rows must be Arrays');
      for (const button of row) {
        if (!button || typeof button.text !== 'string' || !button.text.trim()) throw badRequest('BUTTON_TEXT_EMPTY');
        const kinds = ['callback_data', 'url', 'switch_inline_query', 'switch_inline_query_current_chat',
          'switch_inline_query_chosen_chat', 'callback_game', 'pay', 'login_url', 'web_app', 'copy_text']
          .filter((kind) => kind in button);
        if (kinds.length !== 1) throw badRequest("can't find field \"callback_data\" or another button action");
        if ('callback_data' in button) {
          const size = Buffer.byteLength(String(button.callback_data), 'utf8');
          if (size < 1 || size > 64) throw badRequest('BUTTON_DATA_INVALID');
        }
        if ('url' in button && !/^(https?|tg):\/\//i.test(String(button.url))) throw badRequest('BUTTON_URL_INVALID');
      }
    }
    return markup;
  }
  if ('keyboard' in markup) {
    if (!Array.isArray(markup.keyboard)) throw badRequest('field "keyboard" of the ReplyKeyboardMarkup must be an Array');
    for (const row of markup.keyboard) {
      for (const button of row) {
        const label = typeof button === 'string' ? button : button && button.text;
        if (typeof label !== 'string' || !label.trim()) throw badRequest('BUTTON_TEXT_EMPTY');
      }
    }
    return markup;
  }
  if ('remove_keyboard' in markup || 'force_reply' in markup) return markup;
  throw badRequest('unsupported reply_markup');
}

// --- messages ----------------------------------------------------------------------------

function knownChat(chatId) {
  const id = int(chatId, 'chat_id', { required: true });
  const chat = state.chats.get(id);
  if (!chat) throw badRequest('chat not found');
  return chat;
}

function stripInternal(message) {
  const copy = { ...message };
  delete copy.botToken;
  return copy;
}

/** A stored bot message as the Bot API returns it to the bot. */
function apiMessage(entry) {
  const stored = entry.message;
  const message = {
    message_id: entry.messageId,
    from: botUser(entry.botToken),
    chat: state.chats.get(Number(stored.chat_id)) || { id: Number(stored.chat_id), type: 'private' },
    date: Math.floor(entry.time / 1000),
  };
  if (stored.edit_date) message.edit_date = stored.edit_date;
  if (stored.text !== undefined) message.text = stored.text;
  if (stored.entities && stored.entities.length) message.entities = stored.entities;
  if (stored.contact) message.contact = stored.contact;
  if (stored.reply_markup && 'inline_keyboard' in stored.reply_markup) message.reply_markup = stored.reply_markup;
  if (stored.link_preview_options) message.link_preview_options = stored.link_preview_options;
  return message;
}

function findBotMessage(token, chatId, messageId) {
  return tg.storage.botMessages.find((entry) => entry.botToken === token
    && Number(entry.message.chat_id) === Number(chatId) && entry.messageId === Number(messageId));
}

/** Store a bot message through telegram-test-api so that its client can read it. */
function storeBotMessage(token, fields) {
  const messageId = tg.messageId;
  tg.addBotMessage(fields, token);
  const entry = tg.storage.botMessages.find((e) => e.messageId === messageId && e.botToken === token);
  wakeClients();
  return entry;
}

function wakeClients() {
  for (const wake of [...state.clientWaiters]) wake();
}

function markChanged(entry) {
  entry.isRead = false; // telegram-test-api's client then sees the message again
  wakeClients();
}

// --- user updates ------------------------------------------------------------------------

function pullUpdates(token) {
  const queue = state.pending.get(token) || [];
  for (const update of tg.getUpdates(token)) queue.push(fixUpdate(update));
  queue.sort((a, b) => a.update_id - b.update_id);
  state.pending.set(token, queue);
  return queue;
}

function fixUpdate(update) {
  if (update.callback_query) {
    const query = update.callback_query;
    const chatId = query.message && query.message.chat ? query.message.chat.id : query.from.id;
    const fixed = {
      id: String(query.id),
      from: query.from,
      chat_instance: String(-(1000000 + Math.abs(Number(chatId)))),
      data: query.data,
    };
    if (query.message) fixed.message = query.message;
    return { update_id: update.update_id, callback_query: fixed };
  }
  const message = stripInternal(update.message);
  if (message.date > 1e11) message.date = Math.floor(message.date / 1000);
  return { update_id: update.update_id, message };
}

function wakePollers(token) {
  const pollers = state.pollers.get(token);
  if (pollers) for (const wake of [...pollers]) wake();
}

async function deliverWebhook(token, update) {
  const hook = state.webhooks.get(token);
  const headers = { 'content-type': 'application/json' };
  if (hook.secret_token) headers['x-telegram-bot-api-secret-token'] = hook.secret_token;
  for (let attempt = 1; attempt <= 3; attempt += 1) {
    try {
      const response = await fetch(hook.url, { method: 'POST', headers, body: JSON.stringify(update) });
      if (response.ok) return;
      hook.last_error_message = `Wrong response from the webhook: ${response.status} ${response.statusText}`;
    } catch (error) {
      hook.last_error_message = `Connection failed: ${error.message}`;
    }
    hook.last_error_date = nowSeconds();
    await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
  }
  log(`webhook delivery of update ${update.update_id} failed: ${hook.last_error_message}`);
}

// Route every user update: to the webhook if one is set (with its secret header,
// which telegram-test-api cannot send), else to the getUpdates queue.
const originalAddUserUpdate = tg.addUserUpdate.bind(tg);
tg.addUserUpdate = async function addUserUpdate(update) {
  if (state.webhooks.has(update.botToken)) {
    const formatted = fixUpdate(TelegramServer.formatUpdate(update));
    this.updateId += 1;
    deliverWebhook(update.botToken, formatted).catch((error) => log(`webhook: ${error}`));
    return;
  }
  await originalAddUserUpdate(update);
  wakePollers(update.botToken);
};

const COMMAND = /(^|[\s([{"'«„])(\/[a-zA-Z0-9_]{1,64}(?:@[a-zA-Z0-9_]{3,32})?)(?![a-zA-Z0-9_@/])/g;

function commandEntities(text) {
  const entities = [];
  for (const match of text.matchAll(COMMAND)) {
    entities.push({ type: 'bot_command', offset: match.index + match[1].length, length: match[2].length });
  }
  return entities;
}

function userFields(body) {
  const userId = Number(body.userId ?? (body.from && body.from.id) ?? 1);
  const from = {
    id: userId,
    is_bot: false,
    first_name: body.firstName || (body.from && body.from.first_name) || 'Test',
    ...(body.lastName ? { last_name: body.lastName } : {}),
    ...(body.userName ? { username: body.userName } : {}),
    ...(body.languageCode ? { language_code: body.languageCode } : {}),
  };
  const chatId = Number(body.chatId ?? (body.chat && body.chat.id) ?? userId);
  const chat = state.chats.get(chatId) || { id: chatId, type: 'private', first_name: from.first_name };
  if (from.username && chat.type === 'private') chat.username = from.username;
  state.chats.set(chatId, chat);
  return { from, chat };
}

function addUserText(body) {
  if (!body.botToken) throw badRequest('botToken is required');
  const text = String(body.text ?? '');
  if (!text.trim()) throw badRequest('message text is empty');
  if ([...text].length > MAX_TEXT) throw badRequest('message is too long');
  const { from, chat } = userFields(body);
  const entities = Array.isArray(body.entities) && body.entities.length ? body.entities : commandEntities(text);
  const message = { botToken: body.botToken, from, chat, date: nowSeconds(), text };
  if (entities.length) message.entities = entities;
  const ids = { update_id: tg.updateId, message_id: tg.messageId };
  tg.addUserMessage(message);
  return ids;
}

/** A user message without text: a photo (with an optional caption), a voice note, a sticker or a location. */
const MEDIA_KINDS = ['photo', 'voice', 'sticker', 'video_note', 'location'];
function addUserMedia(body) {
  if (!body.botToken) throw badRequest('botToken is required');
  const kind = String(body.kind || '');
  if (!MEDIA_KINDS.includes(kind)) throw badRequest(`kind must be one of ${MEDIA_KINDS.join(', ')}`);
  const { from, chat } = userFields(body);
  const message = { botToken: body.botToken, from, chat, date: nowSeconds() };
  const file = { file_id: `f${tg.messageId}`, file_unique_id: `u${tg.messageId}` };
  if (kind === 'photo') message.photo = [{ ...file, width: 640, height: 480 }];
  if (kind === 'voice') message.voice = { ...file, duration: 3, mime_type: 'audio/ogg' };
  if (kind === 'video_note') message.video_note = { ...file, length: 240, duration: 3 };
  if (kind === 'sticker') message.sticker = { ...file, width: 512, height: 512, is_animated: false, is_video: false, type: 'regular' };
  if (kind === 'location') message.location = { latitude: Number(body.latitude), longitude: Number(body.longitude) };
  if (body.caption) message.caption = String(body.caption);
  const ids = { update_id: tg.updateId, message_id: tg.messageId };
  tg.addUserMessage(message);
  return ids;
}

// --- the app -----------------------------------------------------------------------------

const app = express();
app.disable('x-powered-by');
app.use(express.json({ limit: '2mb' }));
app.use(express.urlencoded({ extended: true, limit: '2mb' }));

app.get('/health', (_req, res) => res.json({ ok: true }));

// Client side.
function clientRoute(path, handler) {
  app.post(path, async (req, res) => {
    try {
      sendOk(res, await handler(req.body || {}, res));
    } catch (error) {
      if (error instanceof ApiError) sendApiError(res, error);
      else {
        log(`client ${path}: ${error.stack || error}`);
        sendApiError(res, new ApiError(500, `Internal Server Error: ${error.message}`));
      }
    }
  });
}

clientRoute('/sendMessage', (body) => addUserText(body));
clientRoute('/sendCommand', (body) => addUserText(body));
clientRoute('/sendMedia', (body) => addUserMedia(body));

clientRoute('/sendCallback', (body) => {
  if (!body.botToken) throw badRequest('botToken is required');
  const { from, chat } = userFields(body);
  const entry = findBotMessage(body.botToken, chat.id, body.messageId);
  if (!entry || entry.message.deleted) throw badRequest(`message ${body.messageId} not found in chat ${chat.id}`);
  const markup = entry.message.reply_markup;
  const buttons = markup && markup.inline_keyboard ? markup.inline_keyboard.flat() : [];
  if (!buttons.some((button) => button.callback_data === body.data)) {
    throw badRequest(`message ${body.messageId} has no button with callback_data ${JSON.stringify(body.data)}`);
  }
  const ids = { update_id: tg.updateId, callback_query_id: String(tg.callbackId) };
  state.callbacks.set(ids.callback_query_id, { token: body.botToken, answered: false });
  tg.addUserCallback({ botToken: body.botToken, from, message: apiMessage(entry), data: String(body.data) });
  return ids;
});

function holdUntil(ready, timeoutSeconds, register, res) {
  // Resolve as soon as ready() gives a non-empty list, or with [] after the timeout.
  return new Promise((resolve) => {
    const first = ready();
    if (first.length || timeoutSeconds <= 0) {
      resolve(first);
      return;
    }
    let timer = null;
    let unregister = () => {};
    const finish = (value) => {
      clearTimeout(timer);
      unregister();
      resolve(value);
    };
    const wake = () => {
      const found = ready();
      if (found.length) finish(found);
    };
    unregister = register(wake);
    timer = setTimeout(() => finish(ready()), timeoutSeconds * 1000);
    res.on('close', () => {
      if (!res.writableEnded) finish([]); // the caller went away
    });
  });
}

clientRoute('/getUpdates', async (body, res) => {
  const token = body.token || body.botToken;
  const chatId = String(body.chatId ?? 1);
  const take = () => {
    const entries = tg.storage.botMessages.filter((entry) => entry.botToken === token
      && String(entry.message.chat_id) === chatId && !entry.isRead);
    entries.forEach((entry) => { entry.isRead = true; });
    return entries;
  };
  const timeout = Math.min(Number(body.timeout) || 0, 50);
  return holdUntil(take, timeout, (wake) => {
    state.clientWaiters.add(wake);
    return () => state.clientWaiters.delete(wake);
  }, res);
});

clientRoute('/getCallbackAnswers', (body) => state.callbackAnswers.filter((a) => a.token === (body.token || body.botToken))
  .map(({ token, ...answer }) => answer));

clientRoute('/getBotStatus', (body) => {
  const token = body.token || body.botToken;
  const polls = state.polls.get(token) || { calls: 0, held: 0 };
  return {
    get_updates_calls: polls.calls,
    polling: polls.held > 0,
    webhook: state.webhooks.has(token),
    pending_update_count: (state.pending.get(token) || []).length,
  };
});

// Telegram's flood control, on demand: 429 with parameters.retry_after, as the real API answers.
const floods = new Map(); // `${token}|${method}` -> {times, retryAfter}

clientRoute('/setFloodLimit', (body) => {
  const method = String(body.method || 'sendMessage').toLowerCase();
  floods.set(`${body.token}|${method}`, { times: int(body.times ?? 1, 'times'), retryAfter: int(body.retry_after ?? 1, 'retry_after') });
  return true;
});

clientRoute('/getMyCommands', (body) => {
  const all = state.commands.get(body.token || body.botToken) || {};
  return all[commandKey(body.scope, body.language_code)] || [];
});

// Bot side.
const methods = new Map();
function method(name, handler) {
  methods.set(name.toLowerCase(), handler);
}

method('getMe', (p, token) => ({
  ...botUser(token),
  can_join_groups: true,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
}));

method('logOut', () => true);
method('close', () => true);

method('getUpdates', async (p, token, res) => {
  if (state.webhooks.has(token)) {
    throw new ApiError(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");
  }
  const offset = int(p.offset, 'offset', { fallback: 0 });
  const limit = Math.max(1, Math.min(int(p.limit, 'limit', { fallback: 100 }), 100));
  const timeout = Math.max(0, Math.min(int(p.timeout, 'timeout', { fallback: 0 }), 50));
  const allowed = Array.isArray(p.allowed_updates) && p.allowed_updates.length ? new Set(p.allowed_updates) : null;
  const polls = state.polls.get(token) || { calls: 0, held: 0 };
  state.polls.set(token, polls);
  polls.calls += 1;
  polls.held += 1;
  res.on('close', () => { polls.held -= 1; });
  const ready = () => {
    let queue = pullUpdates(token);
    if (offset > 0) queue = queue.filter((update) => update.update_id >= offset);
    else if (offset < 0) queue = queue.slice(offset);
    state.pending.set(token, queue); // confirmed updates are forgotten, as in the Bot API
    const visible = allowed ? queue.filter((u) => Object.keys(u).some((k) => allowed.has(k))) : queue;
    return visible.slice(0, limit);
  };
  return holdUntil(ready, timeout, (wake) => {
    if (!state.pollers.has(token)) state.pollers.set(token, new Set());
    state.pollers.get(token).add(wake);
    return () => state.pollers.get(token).delete(wake);
  }, res);
});

method('setWebhook', (p, token) => {
  if (!p.url) {
    state.webhooks.delete(token);
    return true;
  }
  if (!/^https?:\/\//.test(String(p.url))) throw badRequest('bad webhook: An HTTPS URL must be provided for webhook');
  if (p.secret_token !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(String(p.secret_token))) {
    throw badRequest('bad webhook: secret token contains unallowed characters');
  }
  state.webhooks.set(token, { url: String(p.url), secret_token: p.secret_token, allowed_updates: p.allowed_updates });
  if (bool(p.drop_pending_updates)) state.pending.set(token, []);
  return true;
});

method('deleteWebhook', (p, token) => {
  state.webhooks.delete(token);
  if (bool(p.drop_pending_updates)) {
    tg.getUpdates(token);
    state.pending.set(token, []);
  }
  return true;
});

method('getWebhookInfo', (p, token) => {
  const hook = state.webhooks.get(token);
  const info = { url: hook ? hook.url : '', has_custom_certificate: false, pending_update_count: (state.pending.get(token) || []).length };
  if (hook && hook.last_error_date) {
    info.last_error_date = hook.last_error_date;
    info.last_error_message = hook.last_error_message;
  }
  return info;
});

method('sendMessage', (p, token) => {
  const chat = knownChat(p.chat_id);
  const { text, entities } = formattedText(p.text, p.parse_mode, p.entities, { limit: MAX_TEXT, field: 'text' });
  const fields = { chat_id: chat.id, text, entities, raw_text: String(p.text), parse_mode: p.parse_mode };
  const markup = checkReplyMarkup(p.reply_markup);
  if (markup) fields.reply_markup = markup;
  if (p.link_preview_options) fields.link_preview_options = p.link_preview_options;
  if (bool(p.disable_web_page_preview)) fields.link_preview_options = { is_disabled: true };
  return apiMessage(storeBotMessage(token, fields));
});

method('sendContact', (p, token) => {
  const chat = knownChat(p.chat_id);
  const phone = String(p.phone_number ?? '').trim();
  const firstName = String(p.first_name ?? '').trim();
  if (!phone) throw badRequest('phone number is empty');
  if (!firstName) throw badRequest('first name is empty');
  if ([...firstName].length > 64) throw badRequest('first name is too long');
  const contact = { phone_number: phone, first_name: firstName };
  if (p.last_name) contact.last_name = String(p.last_name);
  if (p.vcard) contact.vcard = String(p.vcard);
  const fields = { chat_id: chat.id, contact };
  const markup = checkReplyMarkup(p.reply_markup);
  if (markup) fields.reply_markup = markup;
  return apiMessage(storeBotMessage(token, fields));
});

method('sendChatAction', (p) => {
  knownChat(p.chat_id);
  if (!p.action) throw badRequest('wrong parameter action in request');
  return true;
});

method('answerCallbackQuery', (p, token) => {
  const id = String(p.callback_query_id ?? '');
  const query = state.callbacks.get(id);
  if (!query || query.token !== token) throw badRequest('query is too old and response timeout expired or query ID is invalid');
  if (query.answered) throw badRequest('query is too old and response timeout expired or query ID is invalid');
  if (p.text && [...String(p.text)].length > 200) throw badRequest('MESSAGE_TOO_LONG');
  query.answered = true;
  state.callbackAnswers.push({
    token, callback_query_id: id, text: p.text, show_alert: bool(p.show_alert), url: p.url,
  });
  return true;
});

function editTarget(p, token) {
  if (p.inline_message_id) return null;
  knownChat(p.chat_id);
  const entry = findBotMessage(token, p.chat_id, int(p.message_id, 'message_id', { required: true }));
  if (!entry || entry.message.deleted) throw badRequest('message to edit not found');
  return entry;
}

method('editMessageText', (p, token) => {
  const entry = editTarget(p, token);
  if (!entry) return true;
  if (entry.message.text === undefined) throw badRequest('there is no text in the message to edit');
  const { text, entities } = formattedText(p.text, p.parse_mode, p.entities, { limit: MAX_TEXT, field: 'text' });
  const markup = checkReplyMarkup(p.reply_markup);
  const before = JSON.stringify([entry.message.text, entry.message.entities, entry.message.reply_markup]);
  if (before === JSON.stringify([text, entities, markup])) {
    throw badRequest('message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message');
  }
  Object.assign(entry.message, { text, entities, raw_text: String(p.text), parse_mode: p.parse_mode, edit_date: nowSeconds() });
  if (markup) entry.message.reply_markup = markup;
  else delete entry.message.reply_markup;
  markChanged(entry);
  return apiMessage(entry);
});

method('editMessageReplyMarkup', (p, token) => {
  const entry = editTarget(p, token);
  if (!entry) return true;
  const markup = checkReplyMarkup(p.reply_markup);
  if (JSON.stringify(markup) === JSON.stringify(entry.message.reply_markup)) {
    throw badRequest('message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message');
  }
  if (markup) entry.message.reply_markup = markup;
  else delete entry.message.reply_markup;
  entry.message.edit_date = nowSeconds();
  markChanged(entry);
  return apiMessage(entry);
});

method('deleteMessage', (p, token) => {
  knownChat(p.chat_id);
  const entry = findBotMessage(token, p.chat_id, int(p.message_id, 'message_id', { required: true }));
  if (entry && !entry.message.deleted) {
    entry.message.deleted = true;
    markChanged(entry);
    return true;
  }
  const user = tg.storage.userMessages.find((u) => u.botToken === token && u.messageId === Number(p.message_id)
    && u.message && u.message.chat && Number(u.message.chat.id) === Number(p.chat_id));
  if (user) {
    tg.removeUserMessage(user.updateId);
    return true;
  }
  throw badRequest('message to delete not found');
});

method('deleteMessages', (p, token) => {
  knownChat(p.chat_id);
  const ids = Array.isArray(p.message_ids) ? p.message_ids : JSON.parse(p.message_ids || '[]');
  if (!ids.length || ids.length > 100) throw badRequest('message_ids must hold 1-100 ids');
  for (const id of ids) {
    const entry = findBotMessage(token, p.chat_id, int(id, 'message_ids'));
    if (entry && !entry.message.deleted) {
      entry.message.deleted = true;
      markChanged(entry);
      continue;
    }
    const user = tg.storage.userMessages.find((u) => u.botToken === token && u.messageId === Number(id)
      && u.message && u.message.chat && Number(u.message.chat.id) === Number(p.chat_id));
    if (user) tg.removeUserMessage(user.updateId);
  }
  return true;  // like Telegram: messages that cannot be deleted are skipped
});

function commandKey(scope, languageCode) {
  const type = scope && typeof scope === 'object' ? scope.type : 'default';
  return `${type || 'default'}|${languageCode || ''}`;
}

method('setMyCommands', (p, token) => {
  const commands = p.commands;
  if (!Array.isArray(commands)) throw badRequest('field "commands" must be an Array');
  if (commands.length > 100) throw badRequest('too many commands');
  for (const command of commands) {
    if (!command || !/^[a-z0-9_]{1,32}$/.test(String(command.command))) throw badRequest('BOT_COMMAND_INVALID');
    const description = String(command.description ?? '');
    if (!description.trim() || [...description].length > 256) throw badRequest('BOT_COMMAND_DESCRIPTION_INVALID');
  }
  if (!state.commands.has(token)) state.commands.set(token, {});
  state.commands.get(token)[commandKey(p.scope, p.language_code)] = commands.map((c) => ({
    command: String(c.command), description: String(c.description),
  }));
  return true;
});

method('deleteMyCommands', (p, token) => {
  const all = state.commands.get(token);
  if (all) delete all[commandKey(p.scope, p.language_code)];
  return true;
});

method('getMyCommands', (p, token) => (state.commands.get(token) || {})[commandKey(p.scope, p.language_code)] || []);

app.all('/bot:token/:method', async (req, res) => {
  const name = String(req.params.method);
  const handler = methods.get(name.toLowerCase());
  if (!handler) {
    log(`unsupported Bot API method ${name}: answering 404 (add it to launcher.js if the bot needs it)`);
    sendApiError(res, new ApiError(404, 'Not Found: method not found'));
    return;
  }
  const flood = floods.get(`${req.params.token}|${name.toLowerCase()}`);
  if (flood && flood.times > 0) {
    flood.times -= 1;
    process.stderr.write(`[e2e-api:trace] ${name}: 429 flood limit, retry after ${flood.retryAfter}\n`);
    sendApiError(res, new ApiError(429, `Too Many Requests: retry after ${flood.retryAfter}`,
      { retry_after: flood.retryAfter }));
    return;
  }
  try {
    const result = await handler(params(req), req.params.token, res);
    if (!QUIET && name !== 'getUpdates') {
      const chat = req.body && req.body.chat_id !== undefined ? ` chat ${req.body.chat_id}` : '';
      process.stderr.write(`[e2e-api:trace] ${name}${chat} ok\n`);
    }
    sendOk(res, result);
  } catch (error) {
    if (error instanceof ApiError) {
      log(`${name}: ${error.code} ${error.description}`);
      sendApiError(res, error);
    } else {
      log(`${name}: ${error.stack || error}`);
      sendApiError(res, new ApiError(500, `Internal Server Error: ${error.message}`));
    }
  }
});

app.all('/file/bot:token/*', (_req, res) => sendApiError(res, new ApiError(404, 'Not Found')));

// Everything else (e.g. /getUpdatesHistory): telegram-test-api itself.
app.use(tg.webServer);

const server = app.listen(PORT, HOST, () => {
  const { port } = server.address();
  process.stdout.write(`E2E_API_READY http://${HOST}:${port}\n`);
});
server.keepAliveTimeout = 65000;
server.on('error', (error) => {
  log(`cannot listen on ${HOST}:${PORT}: ${error.message}`);
  process.exit(1);
});

function shutdown() {
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 500).unref();
  server.closeAllConnections?.();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
