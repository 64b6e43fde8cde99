import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { batchCodes, createBatch } from '../../api/admin/vouchers';
import { UNAVAILABLE_DESCRIPTION } from '../../api/plugins/openapi';
import { CreateBatchRequest } from '../../api/schemas/admin/vouchers';
import { PurchaseEntity, VoucherEntity, type CompanyEntity, type RouterEntity } from '../../db/entities';
import type { AdminRole } from '../../db/entities/admin-user.entity';
import { centsToMajor } from '../../domain/money';
import { createAdmin, createCompany, createProduct, createRouter, issueKey } from '../helpers/fixtures';
import { buy } from '../helpers/purchases';
import { runSchemathesis, type Finding, type FuzzResult, type FuzzRun, type OperationName, type OperationSetup } from '../helpers/schemathesis';
import { adminSession, cardToken, startStack, type TestStack } from '../helpers/stack';

/**
 * The OpenAPI document is a contract: Schemathesis generates requests from it for every operation (valid ones and
 * ones it must refuse) and checks each answer — never a server error, only documented statuses, bodies and content
 * types that match the document. Against the real stack: PostgreSQL, Temporal with a worker, the router and gateway
 * simulators. Whatever router address the fuzzer writes, no connection leaves the loopback range (confineToLoopback).
 *
 * Three runs, one after the other: the captive portal with a router key (and the routes that take no credentials),
 * then every admin route with a company admin, then every admin route with a super admin. Each run works on a tenant
 * of its own, so what one changes cannot change another's answers. Operations that end what others need (delete or
 * deactivate a router, company or user, revoke or regenerate keys, log out, change a password) run against objects
 * made for them: their path parameters come from dictionaries of throwaway objects, and sessions that end are
 * throwaway sessions.
 *
 * Bounded and reproducible: a fixed seed and MAX_EXAMPLES per operation and phase. `FUZZ_LOG_LEVEL=error` shows the
 * server's own log of a failure.
 */
const SEED = 20_260_101;
const MAX_EXAMPLES = 25;
const CHECKS = ['not_a_server_error', 'status_code_conformance', 'content_type_conformance', 'response_schema_conformance'];

/** Operations of the super admin that end or change what the other operations use: run on throwaway objects only. */
const SUPER_ADMIN_DESTRUCTIVE: OperationName[] = [
  'PUT /admin/empresas/{empresa_id}',
  'PUT /admin/empresas/{empresa_id}/activa',
  'PUT /admin/empresas/{empresa_id}/routers/{router_id}',
  'DELETE /admin/empresas/{empresa_id}/routers/{router_id}',
  'PUT /admin/empresas/{empresa_id}/routers/{router_id}/activo',
  'PUT /admin/empresas/{empresa_id}/routers/{router_id}/toggle-activo',
  'POST /admin/empresas/{empresa_id}/routers/{router_id}/regenerate-api-key',
  'POST /admin/empresas/{empresa_id}/routers/{router_id}/api-keys/{key_id}/revoke',
  'PUT /admin/usuarios/{usuario_id}',
  'PUT /admin/usuarios/{usuario_id}/activo',
  'PUT /admin/usuarios/{usuario_id}/toggle-activo',
  'POST /admin/usuarios/{usuario_id}/reset-password',
];
/** Operations that end the session they are called with. */
const SESSION_ENDING: OperationName[] = ['POST /api/v1/auth/logout', 'POST /api/v1/auth/change-password'];

interface OpenApiDocument {
  paths: Record<string, Record<string, { security?: Record<string, string[]>[]; responses: Record<string, { description?: string }> }>>;
}

/** What the runs need to know of an operation: the security schemes it accepts and the 5xx statuses it documents. */
interface Operation {
  schemes: string[];
  /**
   * A route that reaches a router or a gateway documents 502/503 for their failures (the fuzzer writes wrong
   * credentials and addresses on purpose): those are answers, not server errors. The 503 every route documents for a
   * database or Temporal that does not answer is not one of them: the stack is up, so it would be a finding. A 500 is
   * always a failure.
   */
  upstreamStatuses: string[];
}

/** Draws a parameter from a dictionary half of the time (the other half stays random: not found, invalid…). */
const often = (dictionary: string, probability = 0.5) => ({ dictionary, probability });

describe('OpenAPI document under property-based fuzzing', () => {
  let s: TestStack;
  let dir: string;
  let restoreNetwork: () => void;
  let passed = false;
  beforeAll(async () => {
    restoreNetwork = confineToLoopback();
    s = await startStack({
      config: {
        RATE_LIMIT_PER_KEY_PER_MINUTE: '100000',
        RATE_LIMIT_PER_IP_PER_MINUTE: '100000',
        RATE_LIMIT_PURCHASES_PER_IP_PER_MINUTE: '100000',
        // A purchase or admin action that has no outcome yet answers 202 after this: the fuzzer makes routers unreachable.
        PURCHASE_RESPONSE_WAIT_SECONDS: '5',
        // A failed router check answers no sooner than this (so its timing tells nothing): the fuzzer fails many.
        ROUTER_CONNECT_TIMEOUT_SECONDS: '1',
        LOG_LEVEL: process.env.FUZZ_LOG_LEVEL ?? 'silent',
      },
    });
    dir = mkdtempSync(path.join(tmpdir(), 'openapi-fuzz-'));
  }, 120_000);
  afterAll(async () => {
    await s?.close();
    restoreNetwork?.();
    // A failed run keeps its reports (the NDJSON event stream of each run) for a look at every case.
    if (dir && passed) rmSync(dir, { recursive: true, force: true });
    else if (dir) process.stdout.write(`openapi fuzz reports kept in ${dir}\n`);
  });

  it('answers every generated request with a documented status, content type and body, and never a server error', async () => {
    const document = (await s.app.inject({ method: 'GET', url: '/docs/json' })).json<OpenApiDocument>();
    const schemaPath = path.join(dir, 'openapi.json');
    writeFileSync(schemaPath, JSON.stringify(document));
    const operations = operationsOf(document);

    const runs = [await portalRun(operations), await adminRun('cliente_admin', operations), await adminRun('super_admin', operations)];
    const results: FuzzResult[] = [];
    for (const run of runs) {
      results.push(await runSchemathesis(run, { baseUrl: s.baseUrl, schemaPath, dir, seed: SEED, maxExamples: MAX_EXAMPLES, checks: CHECKS }));
    }

    const summary = results.map((r) => `${r.run}: ${r.cases} cases in ${r.seconds.toFixed(0)} s, ${r.findings.length} findings`);
    process.stdout.write(`openapi fuzz — ${summary.join('; ')}\n`);
    const tested = new Set(runs.flatMap((run) => [...run.operations.keys()]));
    expect([...operations.keys()].filter((name) => !tested.has(name))).toEqual([]);
    expect(results.flatMap((r) => r.errors.map((e) => `${r.run}: ${e}`))).toEqual([]);
    expect(results.flatMap((r) => r.findings).map(describeFinding)).toEqual([]);
    expect(results.reduce((sum, r) => sum + r.cases, 0)).toBeGreaterThan(operations.size * MAX_EXAMPLES);
    passed = true;
  }, 900_000);

  /** Every operation of the document, by Schemathesis' name, with the security schemes it accepts. */
  function operationsOf(document: OpenApiDocument): Map<OperationName, Operation> {
    const operations = new Map<OperationName, Operation>();
    for (const [route, methods] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        operations.set(`${method.toUpperCase()} ${route}`, {
          schemes: (operation.security ?? []).flatMap((scheme) => Object.keys(scheme)),
          upstreamStatuses: Object.entries(operation.responses)
            .filter(([status, response]) => (status === '502' || status === '503') && response.description !== UNAVAILABLE_DESCRIPTION)
            .map(([status]) => status),
        });
      }
    }
    return operations;
  }

  /** The checks' settings of an operation: no server error, except the upstream failures it documents. */
  const checksOf = (operation: Operation) => ({
    not_a_server_error: { 'expected-statuses': ['2xx', '3xx', '4xx', ...operation.upstreamStatuses] },
  });

  /** The captive portal with the stack's router key, on the stack's tenant; routes without credentials get none. */
  async function portalRun(operations: Map<OperationName, Operation>): Promise<FuzzRun> {
    const inactive = await createProduct(s.db.dataSource, s.routerRow, { name: 'Inactivo', active: false });
    const conekta = (await buy(s, 'conekta')).json<{ id_compra: string }>();
    const mercadoPago = (await buy(s, 'mercado_pago')).json<{ id_compra: string; usuario_hotspot: { usuario: string; contrasena: string } }>();
    const purchases = await s.db.dataSource.getRepository(PurchaseEntity).findBy({ companyId: s.company.id });
    const paymentId = purchases.find((p) => p.id === mercadoPago.id_compra)!.gatewayReference!;
    const orderId = purchases.find((p) => p.id === conekta.id_compra)!.gatewayReference!;
    const auth = { Authorization: `Bearer ${s.apiKey}` };
    const vouchers = await voucherBatch(s.company.id, s.product.id, 10);
    const { vouchers: codes } = await batchCodes({ dataSource: s.db.dataSource, secrets: s.secrets }, s.company.id, vouchers.batchId);
    const run: FuzzRun = {
      name: 'portal',
      operations: new Map(),
      dictionaries: {
        products: [s.product.id, inactive.id],
        purchases: purchases.map((p) => p.id),
        payments: [paymentId],
        orders: [orderId],
        amounts: [centsToMajor(s.product.priceCents)],
        cardTokens: Array.from({ length: 5 }, () => cardToken('approved')),
        usernames: [mercadoPago.usuario_hotspot.usuario],
        passwords: [mercadoPago.usuario_hotspot.contrasena],
        gatewayTypes: ['payment', 'order.paid'],
        voucherCodes: codes.map((v) => v.code),
      },
    };
    const bodyParameters = {
      'body.product_id': often('products'),
      'body.producto_id': often('products'),
      'body.card_token': often('cardTokens'),
      'body.token_tarjeta': often('cardTokens'),
      'body.token': often('cardTokens'),
      'body.transaction_amount': often('amounts'),
      'body.monto': often('amounts'),
      'body.username': often('usernames'),
      'body.password': often('passwords'),
      'body.codigo': often('voucherCodes'),
      'body.code': often('voucherCodes'),
    };
    for (const [name, operation] of operations) {
      if (operation.schemes.includes('RouterApiKey')) {
        run.operations.set(name, {
          headers: auth,
          checks: checksOf(operation),
          parameters: {
            'path.producto_id': often('products'),
            'path.id': often('purchases'),
            'path.payment_id': often('payments'),
            ...(name.startsWith('POST') ? bodyParameters : {}),
          },
        });
      } else if (operation.schemes.length === 0) {
        run.operations.set(name, {
          checks: checksOf(operation),
          parameters: {
            'path.id': often('purchases'),
            'query.data.id': often('payments'),
            'query.type': often('gatewayTypes'),
            'body.type': often('gatewayTypes'),
          },
        });
      }
    }
    return run;
  }

  /**
   * Every admin route with one admin of `role`. The company admin works on a tenant of its own (its changes stay in
   * it); the super admin's destructive operations draw their path parameters only from throwaway objects.
   */
  async function adminRun(role: AdminRole, operations: Map<OperationName, Operation>): Promise<FuzzRun> {
    const ds = s.db.dataSource;
    const tenant = await createTenant(`fuzz ${role}`);
    const throwaway = await createTenant(`fuzz ${role} throwaway`);
    const spareRouter = await createRouter(ds, s.secrets, throwaway.company.id, { host: s.router.host, port: s.router.port, password: 'router-secret' });
    await issueKey(ds, s.config, spareRouter);
    const admin = await createAdmin(ds, { role, companyId: tenant.company.id });
    const companyAdmins = await Promise.all([1, 2].map(() => createAdmin(ds, { role: 'cliente_admin', companyId: throwaway.company.id })));
    const sessionEnding = await Promise.all(SESSION_ENDING.map(() => createAdmin(ds, { role, companyId: tenant.company.id })));
    const auth = await adminSession(s, admin);
    const routers = [tenant.router, tenant.spareRouter].map((r) => r.id);
    const throwawayRouters = [throwaway.router, throwaway.spareRouter, spareRouter].map((r) => r.id);

    const run: FuzzRun = {
      name: role === 'super_admin' ? 'super-admin' : 'company-admin',
      operations: new Map(),
      dictionaries: {
        companies: [s.company.id, tenant.company.id, throwaway.company.id],
        throwawayCompanies: [throwaway.company.id],
        routers: [...routers, ...throwawayRouters, s.routerRow.id],
        throwawayRouters,
        throwawayKeys: await keysOf(throwawayRouters),
        users: [admin.id, ...companyAdmins.map((a) => a.id)],
        throwawayUsers: companyAdmins.map((a) => a.id),
        products: tenant.products,
        purchases: tenant.purchases,
        batches: [tenant.vouchers.batchId],
        quantities: [1, 3],
        vouchers: tenant.vouchers.voucherIds,
        hosts: [s.router.host],
        ports: [s.router.port],
        passwords: sessionEnding.map((a) => a.password),
      },
    };
    const common = {
      'path.router_id': often('routers'),
      'path.producto_id': often('products'),
      'path.compra_id': often('purchases'),
      'path.lote_id': often('batches'),
      'path.ficha_id': often('vouchers'),
      // Batches of thousands of codes (and their sheets) would take the run's time: their cost is the benchmark's.
      'body.cantidad': often('quantities', 1),
      'body.quantity': often('quantities', 1),
      'query.router_id': often('routers'),
      'body.router_id': often('routers'),
      // Whatever the fuzzer writes as a router's address, the router stays the simulator (see confineToLoopback).
      'body.host': often('hosts', 1),
      'body.puerto': often('ports'),
      'body.current_password': often('passwords'),
    };
    for (const [name, operation] of operations) {
      if (!operation.schemes.includes('AdminSession')) continue;
      const setup: OperationSetup = { headers: auth, checks: checksOf(operation), parameters: { ...common, 'path.empresa_id': often('companies'), 'path.usuario_id': often('users') } };
      if (SUPER_ADMIN_DESTRUCTIVE.includes(name)) {
        setup.parameters = {
          ...common,
          'path.empresa_id': often('throwawayCompanies', 1),
          'path.router_id': often('throwawayRouters', 1),
          'path.key_id': often('throwawayKeys', 1),
          'path.usuario_id': often('throwawayUsers', 1),
        };
      }
      const ending = SESSION_ENDING.indexOf(name);
      if (ending >= 0) setup.headers = await adminSession(s, sessionEnding[ending]);
      run.operations.set(name, setup);
    }
    return run;
  }

  /** A company with gateways like the stack's, a router on the simulator, products, a router key and two purchases. */
  async function createTenant(name: string) {
    const ds = s.db.dataSource;
    const { id: _id, createdAt: _created, updatedAt: _updated, ...settings } = s.company as CompanyEntity & { createdAt: Date; updatedAt: Date };
    const company = await createCompany(ds, { ...settings, name });
    const onSimulator = { host: s.router.host, port: s.router.port, password: 'router-secret' };
    const router = await createRouter(ds, s.secrets, company.id, onSimulator);
    const spareRouter = await createRouter(ds, s.secrets, company.id, { ...onSimulator, name: 'Router Terraza' });
    const product = await createProduct(ds, router, { profileName: 'default' });
    const second = await createProduct(ds, router, { profileName: 'default', name: '1 día', validitySeconds: 86_400, displayOrder: 1 });
    const { apiKey } = await issueKey(ds, s.config, router);
    const purchases: string[] = [];
    for (const url of ['/api/v1/payments/pagar-conekta', '/api/v1/payments/pagar-mercado-pago']) {
      const payload = {
        producto_id: product.id,
        nombre_cliente: 'Ana López',
        email_cliente: 'ana@example.com',
        ...(url.endsWith('conekta')
          ? { token_tarjeta: cardToken('approved') }
          : { token: cardToken('approved'), payment_method_id: 'visa', monto: centsToMajor(product.priceCents) }),
      };
      const response = await s.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${apiKey}` }, payload });
      purchases.push(response.json<{ id_compra: string }>().id_compra);
    }
    const vouchers = await voucherBatch(company.id, product.id, 3);
    return { company, router, spareRouter, products: [product.id, second.id], purchases, vouchers };
  }

  /** A small batch of vouchers of the company's product, and the ids of its vouchers. */
  async function voucherBatch(companyId: string, productId: number, quantity: number) {
    const request = CreateBatchRequest.parse({ producto_id: productId, cantidad: quantity });
    const batch = await createBatch({ dataSource: s.db.dataSource, secrets: s.secrets }, null, companyId, request);
    const rows = await s.db.dataSource.getRepository(VoucherEntity).findBy({ batchId: batch.id });
    return { batchId: batch.id, voucherIds: rows.map((v) => Number(v.id)) };
  }

  async function keysOf(routers: RouterEntity['id'][]): Promise<string[]> {
    const rows: { key_id: string }[] = await s.db.dataSource.query('SELECT key_id FROM router_api_keys WHERE router_id = ANY($1)', [routers]);
    return rows.map((r) => r.key_id);
  }
});

function describeFinding(f: Finding): string {
  const body = f.request.body === null ? '' : ` ${f.request.body.slice(0, 300)}`;
  const response = f.response ? `${f.response.status} ${f.response.body.slice(0, 300)}` : 'no response';
  return `[${f.run}] ${f.operation} — ${f.check}: ${f.message.replace(/\s+/g, ' ').slice(0, 300)}\n    ${f.request.method} ${f.request.url}${body}\n    → ${response}`;
}

/**
 * The fuzzer writes router addresses, and the API, the worker and the simulators all run in this process: any
 * connection it would open outside the loopback range (or a name lookup for one) fails here instead, so no generated
 * value ever sends traffic off this machine.
 */
function confineToLoopback(): () => void {
  const connect = net.Socket.prototype.connect;
  const loopback = (host: string) => host === 'localhost' || /^127\./.test(host) || host === '::1' || /^::ffff:127\./i.test(host);
  net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
    const first = Array.isArray(args[0]) ? (args[0] as unknown[])[0] : args[0];
    const options = typeof first === 'object' && first !== null ? (first as { host?: string; path?: string }) : undefined;
    const host = options ? (options.path ? undefined : (options.host ?? 'localhost')) : typeof args[1] === 'string' ? args[1] : 'localhost';
    if (host !== undefined && !loopback(host)) {
      process.nextTick(() => this.destroy(Object.assign(new Error(`connect ECONNREFUSED ${host} (outside loopback)`), { code: 'ECONNREFUSED' })));
      return this;
    }
    return (connect as (...a: unknown[]) => net.Socket).apply(this, args);
  } as typeof connect;
  return () => {
    net.Socket.prototype.connect = connect;
  };
}
