import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { unzipSync } from 'fflate';
import type { Gateway } from '../../domain/purchase';
import { startHotspotHttp, type HotspotHttp } from '../../sandbox/routeros/hotspot-http';
import { createAdmin } from '../helpers/fixtures';
import type { TestStack } from '../helpers/stack';

/** Logs a new company admin of the stack's company in; returns its Authorization header. */
export async function companyAdminHeaders(stack: TestStack): Promise<{ authorization: string }> {
  const admin = await createAdmin(stack.db.dataSource, { role: 'cliente_admin', companyId: stack.company.id });
  const response = await stack.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: admin.email, password: admin.password } });
  if (response.statusCode !== 200) throw new Error(`login failed: ${response.body}`);
  return { authorization: `Bearer ${response.json().access_token}` };
}

/** The router's portal as an operator gets it (portal.zip through the admin API), unzipped into a new folder. */
export async function downloadPortal(stack: TestStack, gateway: Gateway): Promise<string> {
  const response = await stack.app.inject({
    method: 'GET',
    url: `/api/v1/admin/mi-empresa/routers/${stack.routerRow.id}/portal.zip?pasarela=${gateway}`,
    headers: await companyAdminHeaders(stack),
  });
  if (response.statusCode !== 200) throw new Error(`portal.zip: ${response.statusCode} ${response.body}`);
  const dir = mkdtempSync(path.join(tmpdir(), `portal-${gateway}-`));
  for (const [name, content] of Object.entries(unzipSync(response.rawPayload))) {
    const file = path.join(dir, name.replace(/^pagos-hotspot\//, ''));
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
  return dir;
}

/** The stack's simulated router serving `dir` as its hotspot pages. */
export function startHotspot(stack: TestStack, dir: string): Promise<HotspotHttp> {
  return startHotspotHttp(stack.router.state, { htmlDirectory: dir });
}

let deviceSeq = 0;
/** A new device on the hotspot's WiFi (unique MAC and IP per call). */
export function newDevice(stack: TestStack): { mac: string; ip: string } {
  deviceSeq += 1;
  const n = (deviceSeq + (process.pid % 100) * 100) % 250;
  const device = { mac: `02:00:00:00:${(deviceSeq >> 8).toString(16).padStart(2, '0').toUpperCase()}:${(deviceSeq & 255).toString(16).padStart(2, '0').toUpperCase()}`, ip: `10.5.${50 + Math.floor(deviceSeq / 250)}.${n + 2}` };
  stack.router.attachDevice(device.mac, device.ip);
  return device;
}
