import { randomUUID } from 'node:crypto';
import { DomainError } from '../../domain/errors';
import { TelegramTestEntity } from '../../db/entities';
import { findCompany } from '../../db/repositories/companies';
import type { AppDeps } from '../context';
import { TELEGRAM_SETTINGS_MISSING } from './company-settings';

/** The Telegram test message of a company admin, sent by the worker with the stored settings or with the ones given. */

type TelegramDeps = Pick<AppDeps, 'dataSource' | 'secrets' | 'workflows'>;

/** Settings under test older than this are leftovers of a process that stopped mid-test. */
const TEST_ROW_MAX_AGE = '10 minutes';

/**
 * Runs the test with settings not saved yet: they wait encrypted in a row the worker takes (the token must not enter
 * the workflow's input, which Temporal keeps in its history), and the row goes once the test is over.
 */
async function testWithSettings(deps: TelegramDeps, companyId: string, botToken: string | undefined, chatId: string | undefined) {
  const rows = deps.dataSource.getRepository(TelegramTestEntity);
  await rows.createQueryBuilder().delete().where(`created_at < now() - interval '${TEST_ROW_MAX_AGE}'`).execute();
  const id = randomUUID();
  await rows.insert({ id, companyId, botTokenEncrypted: botToken ? deps.secrets.encrypt(botToken) : null, chatId: chatId ?? null });
  try {
    return await deps.workflows.sendTelegramTest(companyId, id);
  } finally {
    await rows.delete({ id });
  }
}

/** Sends the test message; a message Telegram did not take (a wrong token, a chat that never spoke to the bot) is NOTIFICATION_REJECTED. */
export async function sendTelegramTest(deps: TelegramDeps, companyId: string, token: string | undefined, chatId: string | undefined): Promise<void> {
  const company = await findCompany(deps.dataSource.manager, companyId);
  if (!(token ?? company.telegramBotTokenEncrypted) || !(chatId ?? company.telegramChatId)) throw new DomainError('BAD_REQUEST', TELEGRAM_SETTINGS_MISSING);
  const result = token || chatId ? await testWithSettings(deps, companyId, token, chatId) : await deps.workflows.sendTelegramTest(companyId);
  if (!result.ok) {
    throw new DomainError('NOTIFICATION_REJECTED', 'Error de Telegram. Verifica que el Token sea válido y que hayas iniciado chat con el bot.');
  }
}
