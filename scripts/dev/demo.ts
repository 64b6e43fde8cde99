import { writeFileSync } from 'node:fs';
import { centsToMajor } from '../../domain/money';
import { TEST_CARDS } from '../../sandbox/lib/test-cards';
import { DEMO_DEVICE, ROUTER_API_USER, SANDBOX_PORTS } from './sandbox';
import type { DemoData } from './seed';

/**
 * `.dev/demo.json`: everything a person or a script needs to try the running stack, and the short version printed
 * when it is up.
 */

export interface DemoInfo {
  apiBaseUrl: string;
  /** The worker's metrics (its /health and /ready beside it). */
  workerMetricsUrl: string;
  temporalUiUrl: string | null;
  superAdmin: { email: string; password: string };
  /** Full URL in the file (the embedded cluster's password is a generated demo value); printed masked. */
  databaseUrl: string;
  sandbox?: {
    demo: DemoData;
    companyAdmin: { email: string; password: string };
    routerPassword: string;
    /** The demo device's view of the captive portal, on the simulated hotspot. */
    portalPreviewUrl: string | null;
  };
}

export function maskPassword(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

/** Card tokens are single use: a purchase needs the prefix plus a fresh suffix. */
const token = (scenario: string) => `tok_test_${scenario}_`;
const TOKENS = { approved: token('approved'), declined: token('declined'), pending: token('pending_approve'), threeDS: token('3ds') };
const FRESH = '$(date +%s%N)';

/**
 * What is missing for a purchase: the seed creates the demo products once and keeps later edits, so an admin may
 * have deactivated them all. The stack still starts; this says how to sell again.
 */
export const NO_ACTIVE_PRODUCT =
  'The demo router has no active product, so nothing can be bought: activate one as the company admin ' +
  '(PUT /api/v1/admin/products/{id} with {"activo": true}, or create one with POST /api/v1/admin/products), ' +
  'or delete .dev/ to seed the demo again.';

function examples(info: DemoInfo) {
  const { sandbox, apiBaseUrl } = info;
  if (!sandbox) return null;
  const product = sandbox.demo.products.at(0);
  const auth = `-H 'X-API-Key: ${sandbox.demo.apiKey.value}'`;
  const buyer = `"customer_name":"Ana Demo","customer_email":"ana@example.com","mac_address":"${DEMO_DEVICE.mac}","ip_address":"${DEMO_DEVICE.ip}","auto_connect":true`;
  const purchases = product
    ? {
        conektaPurchase:
          `curl -s -X POST ${apiBaseUrl}/api/v1/payments/pagar-conekta ${auth} -H 'Content-Type: application/json' ` +
          `-d '{"product_id":${product.id},"card_token":"${TOKENS.approved}'${FRESH}'",${buyer}}'`,
        mercadoPagoPurchase:
          `curl -s -X POST ${apiBaseUrl}/api/v1/payments/pagar-mercado-pago ${auth} -H 'Content-Type: application/json' ` +
          `-d '{"product_id":${product.id},"token":"${TOKENS.approved}'${FRESH}'","payment_method_id":"visa",` +
          `"transaction_amount":${centsToMajor(product.priceCents)},${buyer}}'`,
      }
    : { purchase: NO_ACTIVE_PRODUCT };
  return {
    catalog: `curl -s ${apiBaseUrl}/api/v1/catalogo_perfiles_venta ${auth}`,
    ...purchases,
    purchaseStatus: `curl -s ${apiBaseUrl}/api/v1/purchases/<id_compra> ${auth}`,
    ...(sandbox.demo.voucher
      ? {
          voucherRedemption:
            `curl -s -X POST ${apiBaseUrl}/api/v1/vouchers/canjear ${auth} -H 'Content-Type: application/json' ` +
            `-d '{"codigo":"${sandbox.demo.voucher.code}","mac_cliente":"${DEMO_DEVICE.mac}","ip_cliente":"${DEMO_DEVICE.ip}"}'`,
        }
      : {}),
    login: `curl -s -X POST ${apiBaseUrl}/api/v1/auth/login -H 'Content-Type: application/json' -d '{"email":"${info.superAdmin.email}","password":"${info.superAdmin.password}"}'`,
  };
}

export function writeDemoFile(file: string, info: DemoInfo): void {
  const { sandbox } = info;
  const demo = {
    apiBaseUrl: info.apiBaseUrl,
    docsUrl: `${info.apiBaseUrl}/docs`,
    portalPreviewUrl: sandbox?.portalPreviewUrl ?? null,
    temporalUiUrl: info.temporalUiUrl,
    databaseUrl: info.databaseUrl,
    superAdmin: info.superAdmin,
    companyAdmin: sandbox?.companyAdmin ?? null,
    company: sandbox?.demo.company ?? null,
    router: sandbox
      ? {
          id: sandbox.demo.routerId,
          apiKey: sandbox.demo.apiKey.value,
          apiKeyExpiresAt: sandbox.demo.apiKey.expiresAt.toISOString(),
          simHost: '127.0.0.1',
          simPort: SANDBOX_PORTS.router,
          simUser: ROUTER_API_USER,
          simPassword: sandbox.routerPassword,
          simViewUrl: `http://127.0.0.1:${SANDBOX_PORTS.routerView}/`,
        }
      : null,
    demoDevice: sandbox ? DEMO_DEVICE : null,
    voucher: sandbox?.demo.voucher ?? null,
    products: (sandbox?.demo.products ?? []).map((p) => ({
      id: p.id,
      name: p.name,
      price: centsToMajor(p.priceCents),
      currency: p.currency,
      profile: p.profileName,
      validitySeconds: p.validitySeconds,
    })),
    simulators: sandbox
      ? {
          conekta: `http://127.0.0.1:${SANDBOX_PORTS.conekta}`,
          mercadoPago: `http://127.0.0.1:${SANDBOX_PORTS.mercadoPago}`,
          telegram: `http://127.0.0.1:${SANDBOX_PORTS.telegram}`,
          routerView: `http://127.0.0.1:${SANDBOX_PORTS.routerView}`,
        }
      : null,
    sandboxTokens: sandbox ? { conekta: TOKENS, mercadoPago: TOKENS } : null,
    tokenNote: sandbox
      ? 'Tokens are prefixes: a simulator accepts each token once, so append a fresh suffix for every purchase ' +
        '(e.g. tok_test_approved_1700000000). Pending payments settle by themselves after 5 s. More scenarios: sandbox/README.md.'
      : null,
    examples: examples(info),
  };
  writeFileSync(file, `${JSON.stringify(demo, null, 2)}\n`, { mode: 0o600 });
}

/** The essentials for the terminal; `generatedSuperAdmin` false hides a password the developer chose. */
export function summary(info: DemoInfo, options: { generatedSuperAdmin: boolean; seconds: number; demoFile: string }): string {
  const { sandbox } = info;
  const password = options.generatedSuperAdmin ? info.superAdmin.password : '(SUPER_ADMIN_INITIAL_PASSWORD)';
  const lines = [
    '',
    `Pagos Hotspot is up (${options.seconds.toFixed(1)} s).`,
    '',
    `  API            ${info.apiBaseUrl}`,
    `  API docs       ${info.apiBaseUrl}/docs`,
    `  Worker         ${info.workerMetricsUrl} (beside it: /health, /ready)`,
    ...(sandbox?.portalPreviewUrl ? [`  Portal         ${sandbox.portalPreviewUrl} (what the demo device sees on the WiFi)`] : []),
    `  Temporal UI    ${info.temporalUiUrl ?? '(not managed here: TEMPORAL_ADDRESS is configured)'}`,
    `  Database       ${maskPassword(info.databaseUrl)}`,
    `  Super admin    ${info.superAdmin.email} / ${password}`,
  ];
  const sample = examples(info);
  if (sandbox && sample) {
    lines.push(
      `  Company admin  ${sandbox.companyAdmin.email} / ${sandbox.companyAdmin.password}`,
      `  Router         ${sandbox.demo.routerId} → simulated RouterOS 127.0.0.1:${SANDBOX_PORTS.router} (state: http://127.0.0.1:${SANDBOX_PORTS.routerView}/)`,
      `  Router API key ${sandbox.demo.apiKey.value}`,
      `  Products       ${sandbox.demo.products.map((p) => `#${p.id} ${p.name} ${centsToMajor(p.priceCents)} ${p.currency}`).join(' · ') || 'none active'}`,
      `  Demo device    ${DEMO_DEVICE.mac} ${DEMO_DEVICE.ip} (on the simulated hotspot)`,
      ...(sandbox.demo.voucher ? [`  Voucher        ${sandbox.demo.voucher.code} (batch ${sandbox.demo.voucher.batchId}; redeem it: voucherRedemption in the demo file)`] : []),
      `  Card tokens    tok_test_<approved|declined|pending_approve|3ds>_<fresh suffix> (Conekta and Mercado Pago)`,
      `  Test cards     ${TEST_CARDS.approved} approved, ${TEST_CARDS.declined} declined, ${TEST_CARDS['3ds']} 3-D Secure (any future expiry, any CVC)`,
      '',
      'Catalog:',
      `  ${sample.catalog}`,
      ...('conektaPurchase' in sample ? ['Purchase (Conekta, approved card):', `  ${sample.conektaPurchase}`] : ['', `! ${sample.purchase}`]),
    );
  }
  lines.push('', `Everything else: ${options.demoFile}. Ctrl-C stops the whole stack.`, '');
  return lines.join('\n');
}
