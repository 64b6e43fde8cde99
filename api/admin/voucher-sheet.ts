import path from 'node:path';
import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';
import type { CompanyEntity, VoucherBatchEntity } from '../../db/entities';
import { formatCents } from '../../domain/money';
import { groupVoucherCode } from '../../domain/vouchers';
import type { AppDeps } from '../context';
import { findLogo, LOGO_URL_PREFIX } from './logo';
import type { VoucherCode } from './vouchers';

/**
 * The printable sheet of a batch: a grid of cards (company name or logo, plan, price, code, serial, redeem-by date)
 * with a QR code that opens the hotspot's login page with the code filled in. PDF through PDFKit (its standard fonts
 * are bundled: nothing is fetched), the QR codes drawn as vector squares; and the same sheet as HTML for the browser.
 */

export interface SheetInput {
  batch: VoucherBatchEntity;
  company: CompanyEntity;
  vouchers: VoucherCode[];
}

/** Where a card's QR code leads: the hotspot's login page with `ficha` (and `clave`) filled in, read by the portal. */
export function redeemUrl(loginUrl: string, voucher: Pick<VoucherCode, 'code' | 'password'>): string {
  const url = new URL(loginUrl);
  url.searchParams.set('ficha', voucher.code);
  if (voucher.password) url.searchParams.set('clave', voucher.password);
  return url.toString();
}

const validity = (seconds: number): string => {
  if (seconds % 86_400 === 0) return `${seconds / 86_400} día${seconds === 86_400 ? '' : 's'}`;
  if (seconds % 3_600 === 0) return `${seconds / 3_600} hora${seconds === 3_600 ? '' : 's'}`;
  return `${Math.round(seconds / 60)} minutos`;
};

/** The lines of text of one card, shared by both renderings. */
function cardText(batch: VoucherBatchEntity) {
  return {
    plan: batch.productName,
    price: `$${formatCents(batch.priceCents)} ${batch.currency}`,
    validity: `Vigencia: ${validity(batch.validitySeconds)} desde el canje`,
    redeemBy: batch.redeemBy ? `Canjear antes del ${batch.redeemBy.toISOString().slice(0, 10)}` : undefined,
  };
}

// A4 in points, three cards across and five down.
const PAGE = { width: 595.28, height: 841.89, margin: 28 };
const GRID = { columns: 3, rows: 5 };
const CARD = {
  width: (PAGE.width - 2 * PAGE.margin) / GRID.columns,
  height: (PAGE.height - 2 * PAGE.margin) / GRID.rows,
  padding: 8,
  qr: 64,
};

/** A company logo PDFKit can embed (PNG or JPEG written by the logo upload), or undefined. */
async function logoImage(deps: Pick<AppDeps, 'dataSource'>, company: CompanyEntity): Promise<Buffer | undefined> {
  if (!company.logoUrl?.startsWith(LOGO_URL_PREFIX) || !/\.(png|jpg)$/.test(company.logoUrl)) return undefined;
  const logo = await findLogo(deps, path.basename(company.logoUrl)).catch(() => undefined);
  return logo?.content;
}

/** The batch's sheet as a PDF document. */
export async function voucherSheetPdf(deps: Pick<AppDeps, 'dataSource'>, input: SheetInput): Promise<Buffer> {
  const { batch, company, vouchers } = input;
  const logo = await logoImage(deps, company);
  const text = cardText(batch);
  const doc = new PDFDocument({ size: 'A4', margin: PAGE.margin, autoFirstPage: false, info: { Title: `Fichas — lote ${batch.id}`, Author: company.name } });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const perPage = GRID.columns * GRID.rows;
  for (const [index, voucher] of vouchers.entries()) {
    if (index % perPage === 0) {
      // A sheet of thousands of cards takes seconds of CPU: a page at a time, so the API keeps answering meanwhile.
      if (index > 0) await new Promise((resolve) => setImmediate(resolve));
      doc.addPage();
    }
    const slot = index % perPage;
    const x = PAGE.margin + (slot % GRID.columns) * CARD.width;
    const y = PAGE.margin + Math.floor(slot / GRID.columns) * CARD.height;
    const inner = CARD.width - 2 * CARD.padding - CARD.qr - 6;
    doc.save().lineWidth(0.5).dash(3, { space: 3 }).strokeColor('#999999').rect(x, y, CARD.width, CARD.height).stroke().restore();
    let line = y + CARD.padding;
    const left = x + CARD.padding;
    if (logo) {
      doc.image(logo, left, line, { fit: [inner, 22] });
      line += 24;
    } else {
      doc.font('Helvetica-Bold').fontSize(9).fillColor('#000000').text(company.name, left, line, { width: inner, lineBreak: false, ellipsis: true });
      line += 13;
    }
    doc.font('Helvetica').fontSize(8).fillColor('#333333').text(text.plan, left, line, { width: inner, lineBreak: false, ellipsis: true });
    line += 11;
    doc.font('Helvetica-Bold').fontSize(11).fillColor('#000000').text(text.price, left, line, { width: inner, lineBreak: false });
    line += 16;
    const label = voucher.password ? 'Usuario' : 'Ficha';
    doc.font('Helvetica').fontSize(7).fillColor('#555555').text(label, left, line);
    line += 9;
    doc.font('Courier-Bold').fontSize(voucher.code.length > 14 ? 9 : 10.5).fillColor('#000000').text(groupVoucherCode(voucher.code), left, line, { lineBreak: false });
    line += 13;
    if (voucher.password) {
      doc.font('Helvetica').fontSize(7).fillColor('#555555').text('Contraseña', left, line);
      line += 9;
      doc.font('Courier-Bold').fontSize(10.5).fillColor('#000000').text(groupVoucherCode(voucher.password), left, line, { lineBreak: false });
      line += 13;
    }
    const footer = [text.validity, text.redeemBy, `Lote ${batch.id} · Nº ${voucher.serial}`].filter((t): t is string => t !== undefined);
    doc.font('Helvetica').fontSize(6.5).fillColor('#555555');
    footer.forEach((t, i) => doc.text(t, left, y + CARD.height - CARD.padding - 8 * (footer.length - i), { width: CARD.width - 2 * CARD.padding, lineBreak: false }));
    drawQr(doc, redeemUrl(batch.loginUrl, voucher), x + CARD.width - CARD.padding - CARD.qr, y + CARD.padding + 14, CARD.qr);
  }
  if (vouchers.length === 0) doc.addPage();
  doc.end();
  return done;
}

/**
 * A QR code as filled squares: each row's dark run is one rectangle in module units, scaled by one transform — written
 * as raw operators, since thousands of cards make a million rectangles. The mask is fixed (any of the eight is valid):
 * choosing the best one costs more than the rest of the code.
 */
function drawQr(doc: PDFKit.PDFDocument, content: string, x: number, y: number, size: number): void {
  const { modules } = QRCode.create(content, { errorCorrectionLevel: 'M', maskPattern: 0 });
  const count = modules.size;
  const rectangles: string[] = [];
  for (let row = 0; row < count; row++) {
    let start = -1;
    for (let col = 0; col <= count; col++) {
      const dark = col < count && modules.get(row, col) === 1;
      if (dark && start < 0) start = col;
      if (!dark && start >= 0) {
        rectangles.push(`${start} ${row} ${col - start} 1 re`);
        start = -1;
      }
    }
  }
  const cell = (size / count).toFixed(4);
  doc.addContent(`q 0 g ${cell} 0 0 ${cell} ${x.toFixed(2)} ${y.toFixed(2)} cm\n${rectangles.join('\n')}\nf Q`);
}

const escapeHtml = (value: string): string =>
  value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The batch's sheet as an HTML page (print it from the browser), the QR codes inline SVG. */
export async function voucherSheetHtml(input: SheetInput): Promise<string> {
  const { batch, company, vouchers } = input;
  const text = cardText(batch);
  const header = company.logoUrl
    ? `<img class="logo" src="${escapeHtml(company.logoUrl)}" alt="${escapeHtml(company.name)}">`
    : `<div class="empresa">${escapeHtml(company.name)}</div>`;
  const cards = await Promise.all(
    vouchers.map(async (voucher) => {
      const qr = await QRCode.toString(redeemUrl(batch.loginUrl, voucher), { type: 'svg', errorCorrectionLevel: 'M', maskPattern: 0, margin: 0 });
      const password = voucher.password
        ? `<div class="etiqueta">Contraseña</div><div class="codigo">${escapeHtml(groupVoucherCode(voucher.password))}</div>`
        : '';
      return `<div class="ficha">${header}
<div class="plan">${escapeHtml(text.plan)}</div><div class="precio">${escapeHtml(text.price)}</div>
<div class="etiqueta">${voucher.password ? 'Usuario' : 'Ficha'}</div><div class="codigo">${escapeHtml(groupVoucherCode(voucher.code))}</div>${password}
<div class="qr">${qr}</div>
<div class="pie">${escapeHtml(text.validity)}${text.redeemBy ? `<br>${escapeHtml(text.redeemBy)}` : ''}<br>Lote ${batch.id} · Nº ${voucher.serial}</div></div>`;
    }),
  );
  return `<!doctype html><html lang="es"><head><meta charset="utf-8"><title>Fichas — lote ${batch.id}</title><style>
@page { size: A4; margin: 10mm }
body { font-family: Helvetica, Arial, sans-serif; margin: 0 }
.hoja { display: grid; grid-template-columns: repeat(3, 1fr); gap: 0 }
.ficha { position: relative; border: 1px dashed #999; padding: 8px; height: 52mm; box-sizing: border-box; break-inside: avoid }
.empresa { font-weight: bold; font-size: 12px } .logo { max-height: 28px; max-width: 60% }
.plan { font-size: 11px; color: #333 } .precio { font-weight: bold; font-size: 15px; margin-bottom: 4px }
.etiqueta { font-size: 9px; color: #555 } .codigo { font-family: 'Courier New', monospace; font-weight: bold; font-size: 14px }
.qr { position: absolute; right: 8px; top: 22px; width: 23mm; height: 23mm } .qr svg { width: 100%; height: 100% }
.pie { position: absolute; left: 8px; bottom: 6px; font-size: 9px; color: #555 }
</style></head><body><div class="hoja">
${cards.join('\n')}
</div></body></html>`;
}
