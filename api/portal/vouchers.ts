import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { PurchaseEntity, VoucherEntity } from '../../db/entities';
import { recordPurchaseCreated } from '../../db/repositories/purchases';
import { DomainError } from '../../domain/errors';
import { purchaseTiming, purchaseWorkflowId } from '../../domain/temporal';
import { HOLDING_STATUSES, voucherSecret, type VoucherFormat } from '../../domain/vouchers';
import { freshCredentialColumns } from '../../shared/hotspot-credentials';
import type { RouterPrincipal } from '../auth/router-keys';
import type { DeviceProblem } from '../schemas/portal/device';
import type { AppDeps } from '../context';
import { PurchaseService, type PurchaseProgress } from './purchases';

/**
 * Redeeming a voucher on the captive portal: the code is found by its keyed hash, checked (company, router, revoked,
 * redeem-by date, already redeemed) and claimed in one transaction that locks it, so one code gives one access however
 * many requests race for it. The claim is a purchase row with gateway `voucher`; its purchase workflow, told the
 * payment is settled, reserves, enables, logs the device in and expires the access like any approved purchase.
 */

/** A redemption request after validation. */
export interface RedeemRequest {
  code: string;
  password?: string;
  mac?: string;
  ip?: string;
  /** Why the device's addresses are missing, when they are. */
  deviceProblem: DeviceProblem;
  autoConnect: boolean;
}

/** A voucher as the redemption reads it, locked, with its batch. */
interface ClaimedVoucher {
  id: string;
  serial: number;
  company_id: string;
  voucher_revoked_at: Date | null;
  batch_id: number;
  batch_revoked_at: Date | null;
  all_routers: boolean;
  router_id: string | null;
  product_id: number | null;
  product_name: string;
  profile_name: string;
  validity_seconds: number;
  uptime_limit_seconds: number | null;
  price_cents: number;
  currency: string;
  format: VoucherFormat;
  redeem_by: Date | null;
  purchase_id: string | null;
}

type RedemptionDeps = Pick<AppDeps, 'dataSource' | 'secrets' | 'workflows' | 'config'>;

export class VoucherRedemption {
  private readonly purchases: PurchaseService;

  constructor(private readonly deps: RedemptionDeps) {
    this.purchases = new PurchaseService(deps);
  }

  /** Claims the voucher and follows its redemption's workflow for the bounded wait of a purchase. */
  async redeem(principal: RouterPrincipal, request: RedeemRequest): Promise<PurchaseProgress> {
    const { dataSource, secrets, config } = this.deps;
    const hash = secrets.voucherCodeHash(voucherSecret(request.code, request.password));
    const claim = await dataSource.transaction((tx) => this.claim(tx, principal, hash, request));
    return this.purchases.startAndFollow(claim.workflowId, {
      purchaseId: claim.purchaseId,
      companyId: principal.company.id,
      routerId: principal.router.id,
      gateway: 'voucher',
      timing: purchaseTiming(config),
      settled: { via: 'voucher' },
    }, request.deviceProblem);
  }

  private async claim(tx: EntityManager, principal: RouterPrincipal, hash: string, request: RedeemRequest): Promise<{ workflowId: string; purchaseId: string }> {
    // This company's voucher first; another company's only to say so. The row lock makes racing claims take turns;
    // the batch's shared lock makes a batch revocation wait for this claim, so it finds the redemption.
    const rows: ClaimedVoucher[] = await tx.query(
      `SELECT v.id::text AS id, v.serial, v.company_id, v.revoked_at AS voucher_revoked_at, v.purchase_id,
              b.id AS batch_id, b.revoked_at AS batch_revoked_at, b.all_routers, b.router_id, b.product_id, b.product_name,
              b.profile_name, b.validity_seconds, b.uptime_limit_seconds, b.price_cents, b.currency, b.format, b.redeem_by
         FROM vouchers v JOIN voucher_batches b ON b.id = v.batch_id
        WHERE v.code_hash = $1
        ORDER BY (v.company_id = $2) DESC LIMIT 1
        FOR UPDATE OF v FOR SHARE OF b`,
      [hash, principal.company.id],
    );
    const voucher = rows[0];
    if (!voucher) throw new DomainError('NOT_FOUND', 'Ficha no válida. Revise el código e intente de nuevo.');
    if (voucher.company_id !== principal.company.id) throw new DomainError('FORBIDDEN', 'Esta ficha no es de esta red WiFi.');
    if (!voucher.all_routers && voucher.router_id !== principal.router.id) {
      throw new DomainError('FORBIDDEN', 'Esta ficha no es válida en este punto de acceso.');
    }
    if (voucher.voucher_revoked_at || voucher.batch_revoked_at) throw new DomainError('CONFLICT', 'Esta ficha fue anulada.');
    // Read after the lock, in a statement of its own: a redemption that won the race committed its purchase meanwhile.
    const latest = voucher.purchase_id ? await tx.getRepository(PurchaseEntity).findOneBy({ id: voucher.purchase_id }) : null;
    if (latest && (HOLDING_STATUSES.includes(latest.status) || latest.activatedAt)) {
      // The same device sending again while its redemption holds the voucher joins it (a retried request).
      if (request.mac && request.mac === latest.clientMac && HOLDING_STATUSES.includes(latest.status)) {
        return { workflowId: latest.workflowId, purchaseId: latest.id };
      }
      throw new DomainError('CONFLICT', 'Esta ficha ya fue canjeada.');
    }
    if (voucher.redeem_by && voucher.redeem_by.getTime() <= Date.now()) {
      throw new DomainError('CONFLICT', `Esta ficha venció el ${voucher.redeem_by.toISOString().slice(0, 10)} sin canjearse.`);
    }

    const purchaseId = randomUUID();
    const workflowId = purchaseWorkflowId(principal.company.id, principal.router.id, `v-${purchaseId}`);
    await tx.insert(PurchaseEntity, {
      id: purchaseId,
      workflowId,
      companyId: principal.company.id,
      routerId: principal.router.id,
      routerName: principal.router.name,
      productId: voucher.product_id,
      productName: voucher.product_name,
      profileName: voucher.profile_name,
      validitySeconds: voucher.validity_seconds,
      uptimeLimitSeconds: voucher.uptime_limit_seconds,
      gateway: 'voucher',
      amountCents: voucher.price_cents,
      currency: voucher.currency as PurchaseEntity['currency'],
      customerName: `Ficha ${voucher.batch_id}-${voucher.serial}`,
      customerEmail: '',
      userType: voucher.format,
      // Drawn with the row, as a sale's are: the reservation uses them and writes nothing of its own.
      ...freshCredentialColumns(this.deps.secrets, voucher.format),
      clientMac: request.mac ?? null,
      clientIp: request.ip ?? null,
      autoConnect: request.autoConnect,
      status: 'created',
      apiKeyId: principal.keyId,
    });
    await recordPurchaseCreated(tx, purchaseId, { attempt: 'voucher', voucher_id: Number(voucher.id), batch_id: voucher.batch_id });
    await tx.update(VoucherEntity, { id: voucher.id }, { purchaseId, redeemedAt: new Date() });
    return { workflowId, purchaseId };
  }
}
