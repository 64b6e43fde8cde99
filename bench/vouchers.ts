import { rssMiB } from './lib/procs';
import { options, runBenchmark, saveResult } from './lib/results';
import { startBenchStack } from './lib/stack';
import { median, round } from './lib/stats';

/**
 * Benchmark 6: a batch of 5,000 vouchers through the admin API — creating it (codes drawn, encrypted, hashed, written
 * with the audit row in one transaction), then its printable sheet as PDF (334 pages, a vector QR code per card) and
 * its CSV — timed per request, with the API process's resident memory sampled every 50 ms (peak over the baseline).
 */

const opts = options({ runs: 3, quantity: 5000 });

interface Measure {
  ms: number;
  bytes: number;
  peakRssMiB: number;
}

async function main(): Promise<void> {
  const stack = await startBenchStack();
  const runs: { create: Measure; pdf: Measure; csv: Measure; baselineRssMiB: number }[] = [];
  try {
    const login = await fetch(`${stack.apiUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(stack.companyAdmin),
    });
    const { access_token: token } = (await login.json()) as { access_token: string };
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    /** One request, timed, with the API's peak resident memory while it ran. */
    const measure = async (path: string, init: RequestInit = {}): Promise<{ measure: Measure; body: Buffer }> => {
      let peak = rssMiB(stack.groups.api);
      const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(stack.groups.api))), 50);
      const started = performance.now();
      const response = await fetch(`${stack.apiUrl}${path}`, { ...init, headers });
      const body = Buffer.from(await response.arrayBuffer());
      const ms = Math.round(performance.now() - started);
      clearInterval(sampler);
      if (!response.ok) throw new Error(`${path}: ${response.status} ${body.toString('utf8').slice(0, 300)}`);
      return { measure: { ms, bytes: body.length, peakRssMiB: Math.max(peak, rssMiB(stack.groups.api)) }, body };
    };

    for (let i = 0; i < opts.runs; i++) {
      const baselineRssMiB = rssMiB(stack.groups.api);
      const productId = stack.demo.products[0].id;
      const created = await measure('/api/v1/admin/vouchers/batches', {
        method: 'POST',
        body: JSON.stringify({ producto_id: productId, cantidad: opts.quantity }),
      });
      const batchId = (JSON.parse(created.body.toString('utf8')) as { id: number }).id;
      const pdf = await measure(`/api/v1/admin/vouchers/batches/${batchId}/sheet.pdf`);
      const csv = await measure(`/api/v1/admin/vouchers/batches/${batchId}/export.csv`);
      console.log(
        `  run ${i + 1}: create ${created.measure.ms} ms, PDF ${pdf.measure.ms} ms (${(pdf.measure.bytes / 2 ** 20).toFixed(1)} MiB), ` +
          `CSV ${csv.measure.ms} ms; API RSS ${baselineRssMiB} → peak ${Math.max(created.measure.peakRssMiB, pdf.measure.peakRssMiB, csv.measure.peakRssMiB)} MiB`,
      );
      runs.push({ create: created.measure, pdf: pdf.measure, csv: csv.measure, baselineRssMiB });
    }
  } finally {
    await stack.stop();
  }
  const summary = {
    createMs: median(runs.map((r) => r.create.ms)),
    pdfMs: median(runs.map((r) => r.pdf.ms)),
    pdfMiB: round(median(runs.map((r) => r.pdf.bytes)) / 2 ** 20),
    csvMs: median(runs.map((r) => r.csv.ms)),
    peakRssMiB: Math.max(...runs.flatMap((r) => [r.create.peakRssMiB, r.pdf.peakRssMiB, r.csv.peakRssMiB])),
    baselineRssMiB: runs[0]?.baselineRssMiB,
  };
  console.log(
    `\nmedian of ${runs.length} runs, ${opts.quantity} vouchers: create ${summary.createMs} ms, PDF ${summary.pdfMs} ms (${summary.pdfMiB} MiB), ` +
      `CSV ${summary.csvMs} ms; API resident memory ${summary.baselineRssMiB} MiB at start, ${summary.peakRssMiB} MiB at peak`,
  );
  saveResult('vouchers', { options: opts, summary, runs });
}

runBenchmark(main);
