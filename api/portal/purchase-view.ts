import type { z } from 'zod';
import { PEOPLE_FACING_CODES, type ErrorCode } from '../../domain/errors';
import { autoConnectMessage, MESSAGES } from '../../domain/messages';
import { centsToMajor } from '../../domain/money';
import { nextAction, type NextAction } from '../../domain/purchase';
import { STACKED_REASON, type AutoConnectReport } from '../../domain/temporal';
import type { PurchaseEntity } from '../../db/entities';
import type { Config } from '../../shared/config';
import type { SecretBox } from '../../shared/secrets';
import { PurchaseEndedError } from '../errors';
import type { PurchaseAccepted, PurchaseApproved, PurchaseStatusResponse, ThreeDsChallenge } from '../schemas/portal/purchases';
import type { DeviceProblem } from '../schemas/portal/device';
import { autoConnectReason } from './auto-connect';
import type { AnsweredPurchase, PurchaseProgress } from './purchases';

export interface PurchaseViewDeps {
  secrets: SecretBox;
  config: Pick<Config, 'PUBLIC_BASE_URL'>;
}

/** The answer to a purchase request that did not end without access: approved (200), or still undecided (202). */
export type PurchaseAnswer =
  | { status: 200; body: z.output<typeof PurchaseApproved> }
  | { status: 202; body: z.output<typeof PurchaseAccepted> };

/** What only the workflow's answer knows, besides the row. */
export interface PurchaseOutcomeView {
  /** Whether the device was logged in: from the workflow's answer, or the history for a repeated submit. */
  autoConnect?: AutoConnectReport;
  /** Why the request carried no usable device address, if it did not. */
  deviceProblem?: DeviceProblem;
}

const NEXT_ACTION: Record<NextAction, 'esperar' | 'redirigir' | 'ninguna'> = { wait: 'esperar', redirect: 'redirigir', none: 'ninguna' };

/** Where the portal follows a purchase. */
function statusUrl(deps: PurchaseViewDeps, purchaseId: string): string {
  return `${deps.config.PUBLIC_BASE_URL}/api/v1/purchases/${purchaseId}`;
}

/** The customer's hotspot credentials, as shown once the purchase is active. */
function credentialsOf(deps: PurchaseViewDeps, purchase: Pick<PurchaseEntity, 'hotspotUsername' | 'hotspotPasswordEncrypted'>) {
  return { usuario: purchase.hotspotUsername ?? '', contrasena: deps.secrets.decryptOptional(purchase.hotspotPasswordEncrypted) ?? '' };
}

/** Its time was added to the device's running purchase: no credentials of its own to show. */
function isStacked(purchase: Pick<PurchaseEntity, 'statusReason'>): boolean {
  return purchase.statusReason === STACKED_REASON;
}

/**
 * A purchase's status (GET), as the captive portal sees it. It shows the same facts as the answer to the purchase
 * request (POST, `purchaseAnswer`) — the credentials once active, the product, what the page does next — from the row.
 */
export function purchaseStatus(deps: PurchaseViewDeps, purchase: PurchaseEntity): z.output<typeof PurchaseStatusResponse> {
  const active = purchase.status === 'active';
  const stacked = isStacked(purchase);
  return {
    id_compra: purchase.id,
    estado: purchase.status,
    estado_pago: purchase.gatewayStatus,
    pasarela: purchase.gateway,
    mensaje: purchase.customerMessage,
    siguiente_accion: NEXT_ACTION[nextAction(purchase.status, purchase.nextActionUrl)],
    redirect_url: purchase.status === 'pending' ? purchase.nextActionUrl : null,
    desafio_3ds: purchase.status === 'pending' ? challengeOf(purchase) : null,
    tipo_usuario: purchase.userType,
    usuario_hotspot: active && !stacked ? credentialsOf(deps, purchase) : null,
    tiempo_sumado: stacked,
    producto: productOf(purchase),
    creada_en: purchase.createdAt.toISOString(),
    activada_en: purchase.activatedAt?.toISOString() ?? null,
    expira_en: purchase.expiresAt?.toISOString() ?? null,
  };
}

/**
 * The answer to a purchase request, from where it got to. A purchase whose row could not be read back has started and
 * may charge: it is answered as in progress (its id and last known status, nothing of the gateway's), never as
 * "nothing was charged".
 */
export function purchaseAnswer(deps: PurchaseViewDeps, progress: PurchaseProgress): PurchaseAnswer {
  if (progress.recorded) return answerOf(deps, progress.purchase, progress);
  return acceptedAnswer(deps, { ...progress.purchase, gatewayStatus: null, customerMessage: null, nextActionUrl: null, gatewayDetail: {} });
}

/**
 * The purchase request's answer: 200 with the credentials once active, 202 while undecided; a purchase that ended
 * without access throws its PurchaseEndedError, with the customer's message.
 */
function answerOf(deps: PurchaseViewDeps, purchase: AnsweredPurchase, outcome: PurchaseOutcomeView): PurchaseAnswer {
  if (purchase.status === 'active') {
    const stacked = isStacked(purchase);
    return { status: 200, body: approvedBody(deps, purchase, stacked ? { usuario: '', contrasena: '' } : credentialsOf(deps, purchase), stacked, outcome) };
  }
  const ended = endedWithout(purchase);
  if (ended) throw new PurchaseEndedError(ended.code, purchase.customerMessage ?? ended.message);
  return acceptedAnswer(deps, purchase);
}

/** The 3-D Secure challenge a pending purchase waits on: its page, and Mercado Pago's `creq` to POST there. */
function challengeOf(purchase: Pick<PurchaseEntity, 'nextActionUrl' | 'gatewayDetail'>): z.output<typeof ThreeDsChallenge> {
  if (!purchase.nextActionUrl) return null;
  const creq = purchase.gatewayDetail?.creq;
  return { url: purchase.nextActionUrl, creq: typeof creq === 'string' && creq ? creq : null };
}

/** The 202 of a purchase not decided yet: poll `url_estado`. */
function acceptedAnswer(
  deps: PurchaseViewDeps,
  purchase: Pick<PurchaseEntity, 'id' | 'status' | 'gatewayStatus' | 'customerMessage' | 'nextActionUrl' | 'gatewayDetail'>,
): PurchaseAnswer {
  const pending = purchase.status === 'pending';
  return {
    status: 202,
    body: {
      success: false,
      id_compra: purchase.id,
      estado: purchase.status,
      estado_pago: purchase.gatewayStatus,
      mensaje: pending ? (purchase.customerMessage ?? MESSAGES.paymentPending) : MESSAGES.purchaseInProgress,
      ...(pending ? { advertencia: MESSAGES.paymentPending } : {}),
      requiere_accion: purchase.nextActionUrl !== null,
      redirect_url: purchase.nextActionUrl,
      desafio_3ds: challengeOf(purchase),
      url_estado: statusUrl(deps, purchase.id),
    },
  };
}

/** The card's method as the original service showed it (no card digits: they are never recorded). */
function paymentMethodOf(detail: { paymentMethodId?: string; paymentTypeId?: string; issuerId?: string; installments?: number }): Record<string, unknown> {
  if (!detail.paymentMethodId) return {};
  return {
    id: detail.paymentMethodId,
    type: detail.paymentTypeId ?? null,
    ...(detail.issuerId ? { issuer: detail.issuerId } : {}),
    ...(detail.installments !== undefined ? { installments: detail.installments } : {}),
  };
}

function productOf(purchase: Pick<PurchaseEntity, 'productName' | 'amountCents' | 'currency'>) {
  return { nombre: purchase.productName, precio: centsToMajor(purchase.amountCents), moneda: purchase.currency };
}

/** The code (and default message) of a purchase that ended without access; undefined while it may still deliver. */
function endedWithout(purchase: Pick<PurchaseEntity, 'status' | 'statusReason'>): { code: ErrorCode; message: string } | undefined {
  const reason = purchase.statusReason ?? '';
  switch (purchase.status) {
    case 'declined':
    case 'cancelled':
      return { code: 'PAYMENT_DECLINED', message: MESSAGES.paymentCancelled };
    case 'refunded':
    case 'revoked':
    case 'expired':
      // Refunded because access could not be delivered: try again later. Otherwise the attempt is over.
      return { code: reason === 'PROVISIONING_FAILED' ? 'SERVICE_UNAVAILABLE' : 'CONFLICT', message: MESSAGES.accessExpired };
    case 'failed':
      // The gateway refusing the card data or our credentials is said as such; any other failure came before a
      // charge, and a later try may succeed.
      return { code: PEOPLE_FACING_CODES.has(reason as ErrorCode) ? (reason as ErrorCode) : 'SERVICE_UNAVAILABLE', message: MESSAGES.internal };
    default:
      return undefined;
  }
}

function approvedBody(
  deps: PurchaseViewDeps,
  purchase: AnsweredPurchase,
  credentials: { usuario: string; contrasena: string },
  stacked: boolean,
  { autoConnect = { requested: false, connected: false }, deviceProblem }: PurchaseOutcomeView,
): z.output<typeof PurchaseApproved> {
  // As the Mercado Pago adapter records a payment (its `extra`).
  const detail = purchase.gatewayDetail as { statusDetail?: string; installments?: number; paymentMethodId?: string; paymentTypeId?: string; issuerId?: string };
  return {
    success: true,
    id_compra: purchase.id,
    id_transaccion: purchase.gatewayReference ?? '',
    estado_pago: purchase.gatewayStatus ?? '',
    tipo_usuario: purchase.userType,
    usuario_hotspot: credentials,
    tiempo_sumado: stacked,
    producto: { ...productOf(purchase), perfil_mikrotik: purchase.profileName },
    cliente: { nombre: purchase.customerName, email: purchase.customerEmail },
    timestamp: new Date().toISOString(),
    expira_en: purchase.expiresAt!.toISOString(),
    vigencia_segundos: purchase.validitySeconds,
    url_estado: statusUrl(deps, purchase.id),
    auto_conexion: {
      estado: autoConnect.connected ? 'conectado' : 'no_conectado',
      mac: autoConnect.requested ? (autoConnect.mac ?? purchase.clientMac ?? '') : '',
      ip: autoConnect.requested ? (autoConnect.ip ?? purchase.clientIp ?? '') : '',
      mensaje: stacked ? MESSAGES.timeStacked : autoConnectMessage(autoConnect),
      motivo: autoConnectReason(autoConnect, deviceProblem),
      verificado: autoConnect.connected,
      session_id: null,
    },
    ...(purchase.gateway === 'mercado_pago'
      ? {
          mercado_pago: {
            payment_id: purchase.gatewayReference ?? '',
            status: purchase.gatewayStatus ?? '',
            status_detail: detail.statusDetail ?? null,
            installments: detail.installments ?? null,
            payment_method: paymentMethodOf(detail),
            raw_response: {},
          },
        }
      : {}),
  };
}
