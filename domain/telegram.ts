/** A Telegram bot token as BotFather issues it (`123456789:AAH…`). It is a path segment of every Bot API call. */
const BOT_TOKEN = /^\d{1,20}:[A-Za-z0-9_-]{1,100}$/;

/** True for a well-formed bot token: nothing in it can leave its place in the URL (`/`, `..`, `?`, `#`). */
export function isTelegramBotToken(value: string): boolean {
  return BOT_TOKEN.test(value);
}
