import { readFileSync } from 'node:fs';
import path from 'node:path';
import { options } from './lib/results';

/**
 * Summarises a V8 `.cpuprofile` (e.g. written by `npm run bench:purchase -- --profile <folder>`) by area: the time
 * spent in each area's own code (self) and under it (total, a sample counted once however deep the area recurs),
 * then the functions with the most self time. Idle time is left out of the percentages; `--last-seconds` keeps only
 * the end of the profile (the measured phase, without the process's start-up).
 *
 *   node dist/bench/profile-summary.js --file <profile.cpuprofile> [--last-seconds 15] [--top 25]
 */

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const opts = options({ file: '', lastSeconds: 0, top: 25 });

/** Packages (or folders of ours) grouped the way the purchase path is discussed: what owns the time. */
const AREAS: [RegExp, string][] = [
  [/node_modules\/(@temporalio|rxjs|ms|proto3-json-serializer|protobufjs|@protobufjs|long|nexus-rpc)\//, 'Temporal SDK'],
  [/node_modules\/typeorm\//, 'TypeORM'],
  [/node_modules\/(pg|pg-protocol|pg-pool|pg-types|postgres-[a-z]+|pgpass)\//, 'pg driver'],
  [/node_modules\/(pino|pino-[a-z-]+|fast-redact|sonic-boom|thread-stream|@pinojs\/[a-z-]+|quick-format-unescaped|safe-stable-stringify|on-exit-leak-free)\//, 'logging (pino)'],
  [/node_modules\/(prom-client|tdigest|bintrees)\//, 'metrics (prom-client)'],
  [/node_modules\/(fastify|@fastify\/[a-z-]+|find-my-way|avvio|light-my-request|fastify-plugin|abstract-logging|toad-cache|process-warning|secure-json-parse|content-type|proxy-addr|forwarded|ipaddr\.js|ret|safe-regex2)\//, 'fastify'],
  [/node_modules\/(ajv|ajv-formats|fast-json-stringify|fast-uri|json-schema-traverse|fast-deep-equal|rfdc)\//, 'ajv / fast-json-stringify'],
  [/node_modules\/zod\//, 'zod'],
  [/node_modules\/(jose|jsonwebtoken|jws|jwa)\//, 'JWT'],
  [/node_modules\/(conekta|mercadopago|axios|form-data|follow-redirects|node-fetch|whatwg-url|combined-stream|asynckit|mime-types|proxy-from-env)\//, 'gateway SDKs (axios, node-fetch)'],
  [/node_modules\/undici\//, 'undici (fetch)'],
  [/node_modules\/(reflect-metadata|tslib)\//, 'TypeORM'],
  [/node_modules\//, 'other packages'],
  [/\/dist\/activities\//, 'ours: activities'],
  [/\/dist\/api\//, 'ours: api'],
  [/\/dist\/worker\//, 'ours: worker'],
  [/\/dist\/(db|domain|shared)\//, 'ours: db, domain, shared'],
  [/\/dist\//, 'ours: other'],
  [/^node:(_http|http|https|net|tls|_tls|dns|stream|internal\/streams|internal\/http|internal\/net|internal\/tls)/, 'node: http, net, tls, streams'],
  [/^node:/, 'node: other'],
];

function areaOf(frame: CallFrame): string {
  if (frame.url === '') {
    if (frame.functionName.startsWith('(')) return frame.functionName; // (garbage collector), (program), (idle)
    return 'native (bindings such as writev, postMessage; JSON, RegExp)';
  }
  const url = frame.url.replace(/^file:\/\//, '');
  return AREAS.find(([pattern]) => pattern.test(url))?.[1] ?? 'other';
}

function label(frame: CallFrame): string {
  const url = frame.url.replace(/^file:\/\//, '');
  const where = url.includes('node_modules/') ? url.slice(url.lastIndexOf('node_modules/') + 13) : url.replace(/^.*\/dist\//, '');
  return `${frame.functionName || '(anonymous)'} ${where ? `${where}:${frame.lineNumber + 1}` : ''}`.trim();
}

function main(): void {
  if (!opts.file) throw new Error('--file <profile.cpuprofile> is required');
  const profile = JSON.parse(readFileSync(opts.file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  // A sample's duration is the delta to the next sample.
  const times: number[] = [];
  let at = 0;
  for (const delta of profile.timeDeltas) times.push((at += delta));
  const end = at;
  const from = opts.lastSeconds > 0 ? end - opts.lastSeconds * 1e6 : -Infinity;

  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const functions = new Map<string, number>();
  let busy = 0;
  let idle = 0;
  profile.samples.forEach((id, i) => {
    if (times[i] < from) return;
    const us = (times[i + 1] ?? times[i]) - times[i];
    const node = byId.get(id)!;
    if (node.callFrame.functionName === '(idle)') {
      idle += us;
      return;
    }
    busy += us;
    const area = areaOf(node.callFrame);
    self.set(area, (self.get(area) ?? 0) + us);
    functions.set(label(node.callFrame), (functions.get(label(node.callFrame)) ?? 0) + us);
    const seen = new Set<string>();
    for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) seen.add(areaOf(byId.get(n)!.callFrame));
    for (const a of seen) total.set(a, (total.get(a) ?? 0) + us);
  });

  const pct = (us: number) => `${((100 * us) / busy).toFixed(1)}%`.padStart(6);
  console.log(`${path.basename(opts.file)}: ${(busy / 1e6).toFixed(1)} s busy, ${(idle / 1e6).toFixed(1)} s idle`);
  console.log('\narea                                   self   total');
  for (const [area, us] of [...self].sort((a, b) => b[1] - a[1])) {
    console.log(`${area.padEnd(36)} ${pct(us)}  ${pct(total.get(area) ?? 0)}`);
  }
  console.log(`\ntop ${opts.top} functions by self time`);
  for (const [fn, us] of [...functions].sort((a, b) => b[1] - a[1]).slice(0, opts.top)) console.log(`${pct(us)}  ${fn}`);
}

main();
