/**
 * A Telegram Bot API simulator for `sendMessage`: records messages, rejects HTML that Telegram would refuse to
 * parse (so unescaped customer data fails here as it would there), and can fail on demand.
 */
import { json, NO_ANSWER, record, route, startHttpSimulator, type SimRequest, type SimResponse } from '../lib/http';

export interface TelegramMessage {
  botToken: string;
  chatId: string;
  text: string;
  parseMode: string | undefined;
}

/** How the next sendMessage calls fail: a server error, a rate limit, or no answer at all. */
export type TelegramFailure = 'server_error' | 'rate_limited' | 'timeout' | null;

export interface TelegramSimulator {
  url: string;
  port: number;
  messages(): TelegramMessage[];
  setFailure(mode: TelegramFailure): void;
  setLatency(ms: number): void;
  reset(): void;
  close(): Promise<void>;
}

export interface TelegramSimulatorOptions {
  port?: number;
  latencyMs?: number;
}

const BOT_TOKEN = /^\d+:[A-Za-z0-9_-]+$/;
/** The tags Telegram's HTML parse mode accepts. */
const TAG = /^<\/?(b|strong|i|em|u|ins|s|strike|del|code|pre|a|tg-spoiler|span|blockquote)(\s[^<>]*)?>/;
const ENTITY = /^&(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);/;

/** The first reason Telegram would give for refusing this HTML, or undefined when it parses. */
export function htmlProblem(text: string): string | undefined {
  for (let i = 0; i < text.length; i++) {
    const rest = text.slice(i);
    if (text[i] === '<' && !TAG.test(rest)) return `Unsupported start tag at byte offset ${i}`;
    if (text[i] === '&' && !ENTITY.test(rest)) return `Unsupported entity at byte offset ${i}`;
  }
  return undefined;
}

const telegramError = (status: number, description: string, extra: object = {}): SimResponse =>
  json(status, { ok: false, error_code: status, description, ...extra });

export async function startTelegramSimulator(options: TelegramSimulatorOptions = {}): Promise<TelegramSimulator> {
  const messages: TelegramMessage[] = [];
  let failure: TelegramFailure = null;
  let nextMessageId = 1;

  function sendMessage(req: SimRequest): SimResponse | typeof NO_ANSWER {
    if (failure === 'timeout') return NO_ANSWER;
    if (failure === 'server_error') return telegramError(502, 'Bad Gateway');
    if (failure === 'rate_limited') {
      return telegramError(429, 'Too Many Requests: retry after 1', { parameters: { retry_after: 1 } });
    }
    const botToken = req.params[0];
    if (!BOT_TOKEN.test(botToken)) return telegramError(401, 'Unauthorized');
    const body = record(req.body);
    const chatId = body.chat_id;
    const text = body.text;
    if ((typeof chatId !== 'string' && typeof chatId !== 'number') || String(chatId) === '') {
      return telegramError(400, 'Bad Request: chat not found');
    }
    if (typeof text !== 'string' || text.trim() === '') return telegramError(400, 'Bad Request: message text is empty');
    const parseMode = typeof body.parse_mode === 'string' ? body.parse_mode : undefined;
    const problem = parseMode === 'HTML' ? htmlProblem(text) : undefined;
    if (problem) return telegramError(400, `Bad Request: can't parse entities: ${problem}`);
    messages.push({ botToken, chatId: String(chatId), text, parseMode });
    const messageId = nextMessageId++;
    const date = Math.floor(Date.now() / 1000);
    return json(200, { ok: true, result: { message_id: messageId, chat: { id: chatId }, date, text } });
  }

  const http = await startHttpSimulator({
    port: options.port,
    latencyMs: options.latencyMs,
    routes: [route('POST', /^\/bot([^/]+)\/sendMessage$/, sendMessage)],
    controlRoutes: [route('GET', /^\/__sim\/messages$/, () => json(200, { messages }))],
  });

  return {
    url: http.url,
    port: http.port,
    messages: () => [...messages],
    setFailure(mode) {
      failure = mode;
    },
    setLatency: (ms) => http.setLatency(ms),
    reset() {
      messages.length = 0;
      failure = null;
    },
    close: () => http.close(),
  };
}
