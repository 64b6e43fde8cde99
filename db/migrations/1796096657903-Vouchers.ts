import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Vouchers: batches of prepaid codes sold at the counter. A code is stored encrypted and found by a keyed hash (unique
 * per company); its redemption is a purchase with gateway `voucher`, so it has the purchase's history and workflow.
 */
export class Vouchers1796096657903 implements MigrationInterface {
  name = 'Vouchers1796096657903';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE purchases DROP CONSTRAINT purchases_gateway_check`);
    await q.query(`ALTER TABLE purchases ADD CONSTRAINT purchases_gateway_check CHECK (gateway IN ('conekta', 'mercado_pago', 'voucher'))`);
    await q.query(`
      CREATE TABLE voucher_batches (
        id serial PRIMARY KEY,
        company_id varchar(50) NOT NULL REFERENCES companies(id) ON DELETE RESTRICT,
        product_id integer REFERENCES products(id) ON DELETE SET NULL,
        router_id varchar(50) REFERENCES routers(id) ON DELETE SET NULL,
        -- Redeemable on every router of the company, or only on router_id (none once that router is deleted).
        all_routers boolean NOT NULL,
        product_name varchar(100) NOT NULL,
        profile_name varchar(100) NOT NULL CHECK (length(profile_name) > 0),
        validity_seconds integer NOT NULL CHECK (validity_seconds > 0),
        uptime_limit_seconds integer CHECK (uptime_limit_seconds > 0),
        price_cents integer NOT NULL CHECK (price_cents > 0),
        currency char(3) NOT NULL CHECK (currency IN ('MXN', 'USD', 'EUR')),
        quantity integer NOT NULL CHECK (quantity BETWEEN 1 AND 5000),
        format varchar(20) NOT NULL CHECK (format IN ('pin', 'usuario_contrasena')),
        code_length integer NOT NULL CHECK (code_length BETWEEN 6 AND 16),
        prefix varchar(8) NOT NULL DEFAULT '',
        redeem_by timestamptz,
        login_url varchar(255) NOT NULL,
        note varchar(200),
        revoked_at timestamptz,
        created_by integer REFERENCES admin_users(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX voucher_batches_company_idx ON voucher_batches (company_id, id DESC)`);
    await q.query(`
      CREATE TABLE vouchers (
        id bigserial PRIMARY KEY,
        batch_id integer NOT NULL REFERENCES voucher_batches(id) ON DELETE RESTRICT,
        company_id varchar(50) NOT NULL REFERENCES companies(id) ON DELETE RESTRICT,
        serial integer NOT NULL CHECK (serial > 0),
        code_hash char(64) NOT NULL,
        code_encrypted text NOT NULL,
        purchase_id uuid REFERENCES purchases(id) ON DELETE RESTRICT,
        redeemed_at timestamptz,
        revoked_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT vouchers_code_key UNIQUE (company_id, code_hash),
        CONSTRAINT vouchers_serial_key UNIQUE (batch_id, serial)
      )`);
    await q.query(`CREATE INDEX vouchers_code_hash_idx ON vouchers (code_hash)`);
    await q.query(`CREATE UNIQUE INDEX vouchers_purchase_idx ON vouchers (purchase_id) WHERE purchase_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE vouchers`);
    await q.query(`DROP TABLE voucher_batches`);
    await q.query(`ALTER TABLE purchases DROP CONSTRAINT purchases_gateway_check`);
    await q.query(`ALTER TABLE purchases ADD CONSTRAINT purchases_gateway_check CHECK (gateway IN ('conekta', 'mercado_pago'))`);
  }
}
