import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { ConektaWebhookKeyResult, NotificationTestResult, RouterProbeResult } from '../domain/operations';
import type { AutoConnectReport, ReconnectDeviceInput } from '../domain/temporal';
import { OPERATION } from './options';

/**
 * Short operations an admin or a portal waits for. They are workflows only so that the API never talks to a router
 * or a gateway itself: the worker's activities do, with their timeouts and error classification.
 */
const operations = proxyActivities<Activities>(OPERATION);

/** Identity, version and hotspot profiles of a router, or why it could not be reached. */
export async function routerProbeWorkflow(routerId: string): Promise<RouterProbeResult> {
  return operations.probeRouter(routerId);
}

/** Logs a returning device in as the hotspot user of a verified, active purchase. */
export async function reconnectDeviceWorkflow(routerId: string, device: ReconnectDeviceInput): Promise<AutoConnectReport> {
  return operations.reconnectDevice(routerId, device);
}

/** Sends a Telegram test message with the company's settings, or the ones under test (a row named by `testId`). */
export async function telegramTestWorkflow(companyId: string, testId: string | null): Promise<NotificationTestResult> {
  return operations.sendTelegramTest(companyId, testId);
}

/** Creates a Conekta webhook key for the company and stores its public key. */
export async function conektaWebhookKeyWorkflow(companyId: string): Promise<ConektaWebhookKeyResult> {
  return operations.registerConektaWebhookKey(companyId);
}
