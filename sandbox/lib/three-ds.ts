/**
 * The issuer's 3-D Secure pages both simulators show a customer: a form with "Autorizar" / "Rechazar", and the check
 * every step of a challenge makes on what the browser sends (a form POST, never JSON, never a GET).
 */
import { randomBytes } from 'node:crypto';
import { header, record, type SimRequest, type SimResponse } from './http';
import { isSettlement, type Settlement } from './scenarios';
import { SimError } from './gateway-simulator';

/** A one-time value a challenge page puts in its form: the POST that completes it must carry it back. */
export function challengeSecret(): string {
  return randomBytes(16).toString('base64url');
}

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The bank's page: two buttons posting `outcome` with the hidden fields to `action`. */
export function challengePage(action: string, hidden: Record<string, string>, reference: string): SimResponse {
  const fields = Object.entries(hidden)
    .map(([name, value]) => `<input type="hidden" name="${escape(name)}" value="${escape(value)}">`)
    .join('');
  return {
    status: 200,
    html: `<!doctype html><html lang="es"><meta charset="utf-8"><title>3-D Secure (simulador)</title><h1>3-D Secure</h1>
<p>Confirme la compra ${escape(reference)}.</p>
<form method="post" action="${escape(action)}">${fields}<button name="outcome" value="approved">Autorizar</button>
<button name="outcome" value="declined">Rechazar</button></form></html>`,
  };
}

/** A plain page the challenge ends on (no script unless given). */
export function endPage(title: string, script = ''): SimResponse {
  return {
    status: 200,
    html: `<!doctype html><html lang="es"><meta charset="utf-8"><title>${escape(title)}</title><h1>${escape(title)}</h1>${script ? `<script>${script}</script>` : ''}</html>`,
  };
}

/** What a browser form sends: refused (415) unless it is `application/x-www-form-urlencoded`. */
export function formFields(req: SimRequest): Record<string, unknown> {
  if (!header(req.headers, 'content-type')?.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    throw new SimError(415, 'the challenge takes a form POST (application/x-www-form-urlencoded)');
  }
  return record(req.body);
}

/** The button the customer pressed. */
export function pressed(fields: Record<string, unknown>): Settlement {
  if (!isSettlement(fields.outcome)) throw new SimError(400, 'outcome must be approved or declined');
  return fields.outcome;
}

/** A GET where the challenge takes a POST (Mercado Pago's `external_resource_url`): 405, as a POST-only endpoint answers. */
export function postOnly(): SimResponse {
  return { status: 405, headers: { allow: 'POST' }, html: '<!doctype html><title>405</title><h1>Method Not Allowed</h1>' };
}
