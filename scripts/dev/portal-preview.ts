import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { chooseGateway, portalConfig, portalFiles } from '../../api/admin/portal-package';
import { startHotspotHttp, type HotspotHttp } from '../../sandbox/routeros/hotspot-http';
import type { Config } from '../../shared/config';
import { DEMO_DEVICE, type Sandbox } from './sandbox';
import type { DemoData } from './seed';

export const PORTAL_PREVIEW_PORT = 18790;

/**
 * The captive portal of the demo router, as portal.zip would deliver it, written to `.dev/portal/` and served by the
 * simulated router's hotspot pages: the preview URL is what the demo device sees when it joins the WiFi.
 */
export async function startPortalPreview(
  config: Config,
  sandbox: Sandbox,
  demo: DemoData,
  dir: string,
  port: number,
): Promise<{ hotspot: HotspotHttp; url: string }> {
  rmSync(dir, { recursive: true, force: true });
  const files = portalFiles(portalConfig(config, { id: demo.routerId }, demo.apiKey.value, chooseGateway(['conekta', 'mercado_pago'], undefined)));
  for (const [name, content] of files) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), content);
  }
  const hotspot = await startHotspotHttp(sandbox.router.state, { port, htmlDirectory: dir });
  return { hotspot, url: hotspot.deviceUrl(DEMO_DEVICE.mac) };
}
