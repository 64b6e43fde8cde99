import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Schemathesis from `scripts/install-tools.sh` (PyPI, pinned in scripts/tools-requirements.txt). */
const SCHEMATHESIS = path.resolve(__dirname, '../../.tools/venv/bin/st');

/** An operation as Schemathesis names it: `POST /api/v1/payments/pagar-conekta`. */
export type OperationName = string;

/** How one operation is run: the headers it carries (credentials) and values bound to its parameters. */
export interface OperationSetup {
  headers?: Record<string, string>;
  /**
   * `"path.router_id": { dictionary: "routers", probability: 0.5 }` draws the parameter from a dictionary that often;
   * a plain value pins it.
   */
  parameters?: Record<string, unknown>;
  /** Settings of the checks for this operation, as Schemathesis' configuration spells them. */
  checks?: Record<string, Record<string, unknown>>;
}

/** One `st run`: a set of operations, each with its setup, and the dictionaries the setups draw from. */
export interface FuzzRun {
  name: string;
  operations: Map<OperationName, OperationSetup>;
  dictionaries?: Record<string, (string | number)[]>;
}

export interface FuzzSettings {
  baseUrl: string;
  /** The OpenAPI document, saved as a file: every run reads the same one. */
  schemaPath: string;
  /** Working folder: configuration, reports, Schemathesis' own state. */
  dir: string;
  seed: number;
  maxExamples: number;
  /** The checks that must hold for every response. */
  checks: string[];
}

/** One check a response failed, with the request that made it. */
export interface Finding {
  run: string;
  operation: OperationName;
  check: string;
  message: string;
  request: { method: string; url: string; headers: Record<string, string>; body: string | null };
  response: { status: number; body: string } | null;
}

export interface FuzzResult {
  run: string;
  findings: Finding[];
  /** Test cases generated (each one request, or none when it could not be sent). */
  cases: number;
  /** Operations that errored instead of being tested (network failures, schema problems), with the reason. */
  errors: string[];
  seconds: number;
  exitCode: number | null;
  output: string;
}

/**
 * Runs Schemathesis once against a listening server and reads its NDJSON event stream. Asynchronous on purpose: the
 * server under test usually runs in this same process.
 */
export async function runSchemathesis(run: FuzzRun, settings: FuzzSettings): Promise<FuzzResult> {
  const configPath = path.join(settings.dir, `${run.name}.toml`);
  const reportPath = path.join(settings.dir, `${run.name}.ndjson`);
  writeFileSync(configPath, toToml(configOf(run)));
  const args = [
    '--config-file', configPath,
    'run', settings.schemaPath,
    '--url', settings.baseUrl,
    '--seed', String(settings.seed),
    '--max-examples', String(settings.maxExamples),
    '--checks', settings.checks.join(','),
    // Stateful sequences follow links Schemathesis infers: slow, and the runs already reach real objects through
    // their dictionaries.
    '--phases', 'examples,coverage,fuzzing',
    '--workers', '1',
    '--generation-database', 'none',
    '--request-timeout', '30',
    '--output-sanitize', 'false',
    '--no-color',
    '--report', 'ndjson',
    '--report-ndjson-path', reportPath,
    ...[...run.operations.keys()].flatMap((name) => ['--include-name', name]),
  ];
  const started = Date.now();
  const { code, output } = await spawnCollect(SCHEMATHESIS, args, settings.dir);
  const seconds = (Date.now() - started) / 1000;
  if (!existsSync(reportPath)) throw new Error(`schemathesis (${run.name}) wrote no report, exit ${code}:\n${output.slice(-4000)}`);
  return { run: run.name, ...readReport(run.name, reportPath), seconds, exitCode: code, output };
}

function configOf(run: FuzzRun): Record<string, unknown> {
  return {
    ...(run.dictionaries ? { dictionaries: Object.fromEntries(Object.entries(run.dictionaries).map(([name, values]) => [name, { values }])) } : {}),
    operations: [...run.operations].map(([name, setup]) => ({ 'include-name': name, ...setup })),
  };
}

function spawnCollect(command: string, args: string[], cwd: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, PYTHONUNBUFFERED: '1' } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

interface Interaction {
  request: { method: string; uri: string; headers: Record<string, string[]>; body?: { $base64?: string; string?: string } | null };
  response: { status_code: number; content?: { $base64?: string; string?: string } | null } | null;
}
interface CheckRecord {
  name: string;
  status: string;
  failure_info?: { failure: { operation: string; title: string; message: string } };
}
interface ScenarioRecorder {
  label: string;
  cases?: Record<string, unknown>;
  checks?: Record<string, CheckRecord[]>;
  interactions?: Record<string, Interaction>;
}

const decode = (payload: { $base64?: string; string?: string } | null | undefined): string | null => {
  if (!payload) return null;
  if (payload.$base64 !== undefined) return Buffer.from(payload.$base64, 'base64').toString('utf8');
  return payload.string ?? null;
};

function readReport(run: string, reportPath: string): Pick<FuzzResult, 'findings' | 'cases' | 'errors'> {
  const findings: Finding[] = [];
  const errors: string[] = [];
  let cases = 0;
  for (const line of readFileSync(reportPath, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const event = JSON.parse(line) as Record<string, Record<string, unknown>>;
    const scenario = event.ScenarioFinished as { recorder?: ScenarioRecorder } | undefined;
    if (scenario?.recorder) {
      const { recorder } = scenario;
      cases += Object.keys(recorder.cases ?? {}).length;
      for (const [caseId, checks] of Object.entries(recorder.checks ?? {})) {
        const interaction = recorder.interactions?.[caseId];
        for (const check of checks) {
          if (check.status !== 'failure' || !check.failure_info) continue;
          const { failure } = check.failure_info;
          findings.push({
            run,
            operation: failure.operation,
            check: check.name,
            message: failure.message,
            request: {
              method: interaction?.request.method ?? '',
              url: interaction?.request.uri ?? '',
              headers: Object.fromEntries(Object.entries(interaction?.request.headers ?? {}).map(([k, v]) => [k, v.join(', ')])),
              body: decode(interaction?.request.body),
            },
            response: interaction?.response ? { status: interaction.response.status_code, body: decode(interaction.response.content) ?? '' } : null,
          });
        }
      }
    }
    const nonFatal = event.NonFatalError as { label?: string; info?: { message?: string; title?: string } } | undefined;
    if (nonFatal) errors.push(`${nonFatal.label ?? '?'}: ${nonFatal.info?.title ?? ''} ${nonFatal.info?.message ?? ''}`.trim());
    const fatal = event.FatalError as { exception?: { message?: string } } | undefined;
    if (fatal) errors.push(`fatal: ${JSON.stringify(fatal).slice(0, 2000)}`);
  }
  return { findings, cases, errors };
}

/** The TOML the configuration needs: top-level tables and arrays of tables, whose values may be inline tables. */
function toToml(config: Record<string, unknown>): string {
  const lines: string[] = [];
  for (const [key, item] of Object.entries(config)) {
    if (Array.isArray(item) && item.every(isPlainObject)) {
      for (const entry of item) lines.push(`[[${tomlKey(key)}]]`, ...entriesOf(entry));
    } else if (isPlainObject(item)) {
      lines.push(`[${tomlKey(key)}]`, ...entriesOf(item));
    } else {
      lines.unshift(`${tomlKey(key)} = ${tomlValue(item)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const tomlKey = (key: string) => (/^[A-Za-z0-9_-]+$/.test(key) ? key : JSON.stringify(key));
const entriesOf = (table: Record<string, unknown>) => Object.entries(table).map(([k, v]) => `${tomlKey(k)} = ${tomlValue(v)}`);

function tomlValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(tomlValue).join(', ')}]`;
  if (isPlainObject(value)) return `{ ${Object.entries(value).map(([k, v]) => `${tomlKey(k)} = ${tomlValue(v)}`).join(', ')} }`;
  throw new Error(`no TOML for ${String(value)}`);
}
