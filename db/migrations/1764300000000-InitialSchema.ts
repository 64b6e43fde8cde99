import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The whole schema, written by hand so every constraint is deliberate: times are timestamptz (UTC), money is integer
 * cents, foreign keys say what happens on delete, and the database itself enforces roles, statuses and uniqueness.
 */
export class InitialSchema1764300000000 implements MigrationInterface {
  name = 'InitialSchema1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE companies (
        id varchar(50) PRIMARY KEY,
        name varchar(100) NOT NULL CHECK (length(trim(name)) > 0),
        contact_email varchar(254),
        contact_phone varchar(30),
        logo_url varchar(255),
        active boolean NOT NULL DEFAULT true,
        conekta_private_key_encrypted text,
        conekta_public_key varchar(255),
        conekta_mode varchar(10) NOT NULL DEFAULT 'test' CHECK (conekta_mode IN ('test', 'live')),
        conekta_webhook_public_key text,
        conekta_webhook_key_id varchar(100),
        mercado_pago_access_token_encrypted text,
        mercado_pago_public_key varchar(255),
        mercado_pago_mode varchar(10) NOT NULL DEFAULT 'test' CHECK (mercado_pago_mode IN ('test', 'live')),
        mercado_pago_webhook_secret_encrypted text,
        telegram_bot_token_encrypted text,
        telegram_chat_id varchar(50),
        telegram_enabled boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);

    await q.query(`
      CREATE TABLE admin_users (
        id serial PRIMARY KEY,
        role varchar(20) NOT NULL CHECK (role IN ('super_admin', 'cliente_admin')),
        company_id varchar(50) REFERENCES companies(id) ON DELETE RESTRICT,
        email varchar(254) NOT NULL,
        password_hash varchar(255) NOT NULL,
        name varchar(100) NOT NULL,
        active boolean NOT NULL DEFAULT true,
        last_login_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT admin_users_company_matches_role CHECK (
          (role = 'cliente_admin' AND company_id IS NOT NULL) OR (role = 'super_admin' AND company_id IS NULL)
        )
      )`);
    await q.query(`CREATE UNIQUE INDEX admin_users_email_key ON admin_users (lower(email))`);
    await q.query(`CREATE INDEX admin_users_company_idx ON admin_users (company_id)`);

    await q.query(`
      CREATE TABLE admin_sessions (
        id uuid PRIMARY KEY,
        user_id integer NOT NULL REFERENCES admin_users(id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz
      )`);
    await q.query(`CREATE INDEX admin_sessions_user_idx ON admin_sessions (user_id) WHERE revoked_at IS NULL`);

    await q.query(`
      CREATE TABLE routers (
        id varchar(50) PRIMARY KEY,
        company_id varchar(50) NOT NULL REFERENCES companies(id) ON DELETE RESTRICT,
        name varchar(100) NOT NULL,
        host varchar(255) NOT NULL,
        port integer NOT NULL DEFAULT 8728 CHECK (port BETWEEN 1 AND 65535),
        use_tls boolean NOT NULL DEFAULT false,
        tls_verify boolean NOT NULL DEFAULT true,
        tls_fingerprint varchar(95),
        api_user varchar(100) NOT NULL,
        api_password_encrypted text NOT NULL,
        location varchar(200),
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT routers_company_router_key UNIQUE (company_id, id)
      )`);

    await q.query(`
      CREATE TABLE products (
        id serial PRIMARY KEY,
        company_id varchar(50) NOT NULL,
        router_id varchar(50) NOT NULL,
        profile_id varchar(100) NOT NULL,
        profile_name varchar(100) NOT NULL CHECK (length(profile_name) > 0),
        name varchar(100) NOT NULL CHECK (length(trim(name)) > 0),
        description text,
        image_url varchar(500),
        price_cents integer NOT NULL CHECK (price_cents > 0),
        currency char(3) NOT NULL DEFAULT 'MXN' CHECK (currency IN ('MXN', 'USD', 'EUR')),
        validity_seconds integer NOT NULL CHECK (validity_seconds > 0),
        uptime_limit_seconds integer CHECK (uptime_limit_seconds > 0),
        details jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(details) = 'array'),
        active boolean NOT NULL DEFAULT true,
        display_order integer NOT NULL DEFAULT 0,
        featured boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        -- A product's router belongs to the product's company: enforced, not just checked by the API.
        CONSTRAINT products_router_fk FOREIGN KEY (company_id, router_id)
          REFERENCES routers(company_id, id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX products_catalog_idx ON products (router_id, display_order, featured DESC) WHERE active`);
    await q.query(`CREATE INDEX products_company_idx ON products (company_id)`);

    await q.query(`
      CREATE TABLE router_api_keys (
        key_id varchar(50) PRIMARY KEY,
        company_id varchar(50) NOT NULL,
        router_id varchar(50) NOT NULL,
        key_hash char(64) NOT NULL UNIQUE,
        issued_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        revoked boolean NOT NULL DEFAULT false,
        revoked_at timestamptz,
        last_used_at timestamptz,
        use_count bigint NOT NULL DEFAULT 0 CHECK (use_count >= 0),
        CONSTRAINT router_api_keys_router_fk FOREIGN KEY (company_id, router_id)
          REFERENCES routers(company_id, id) ON DELETE CASCADE,
        CONSTRAINT router_api_keys_revoked_at CHECK (revoked = (revoked_at IS NOT NULL)),
        CONSTRAINT router_api_keys_expiry CHECK (expires_at > issued_at)
      )`);
    await q.query(`CREATE UNIQUE INDEX router_api_keys_one_active ON router_api_keys (router_id) WHERE NOT revoked`);

    await q.query(`
      CREATE TABLE purchases (
        id uuid PRIMARY KEY,
        workflow_id varchar(200) NOT NULL UNIQUE,
        company_id varchar(50) NOT NULL REFERENCES companies(id) ON DELETE RESTRICT,
        router_id varchar(50) REFERENCES routers(id) ON DELETE SET NULL,
        router_name varchar(100) NOT NULL,
        product_id integer REFERENCES products(id) ON DELETE SET NULL,
        product_name varchar(100) NOT NULL,
        profile_name varchar(100) NOT NULL,
        validity_seconds integer NOT NULL CHECK (validity_seconds > 0),
        uptime_limit_seconds integer CHECK (uptime_limit_seconds > 0),
        gateway varchar(20) NOT NULL CHECK (gateway IN ('conekta', 'mercado_pago')),
        gateway_reference varchar(100),
        gateway_status varchar(40),
        gateway_detail jsonb NOT NULL DEFAULT '{}'::jsonb,
        amount_cents integer NOT NULL CHECK (amount_cents > 0),
        currency char(3) NOT NULL CHECK (currency IN ('MXN', 'USD', 'EUR')),
        refunded_cents integer NOT NULL DEFAULT 0 CHECK (refunded_cents >= 0 AND refunded_cents <= amount_cents),
        customer_name varchar(200) NOT NULL,
        customer_email varchar(254) NOT NULL,
        customer_phone varchar(30),
        user_type varchar(20) NOT NULL CHECK (user_type IN ('usuario_contrasena', 'pin')),
        hotspot_username varchar(64),
        hotspot_password_encrypted text,
        router_user_ref varchar(20),
        client_mac varchar(17),
        client_ip varchar(45),
        auto_connect boolean NOT NULL DEFAULT false,
        card_token_encrypted text,
        gateway_request jsonb NOT NULL DEFAULT '{}'::jsonb,
        status varchar(20) NOT NULL CHECK (status IN (
          'created', 'charging', 'pending', 'paid', 'active', 'declined', 'failed', 'cancelled', 'refunded', 'revoked', 'expired'
        )),
        status_reason varchar(100),
        customer_message text,
        next_action_url text,
        api_key_id varchar(50),
        paid_at timestamptz,
        activated_at timestamptz,
        expires_at timestamptz,
        ended_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT purchases_gateway_reference_key UNIQUE (gateway, gateway_reference),
        CONSTRAINT purchases_active_has_expiry CHECK (status <> 'active' OR (activated_at IS NOT NULL AND expires_at IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX purchases_company_created_idx ON purchases (company_id, created_at DESC)`);
    await q.query(`CREATE INDEX purchases_router_status_idx ON purchases (router_id, status)`);
    await q.query(`CREATE INDEX purchases_status_idx ON purchases (status)`);
    await q.query(`CREATE INDEX purchases_customer_email_idx ON purchases (company_id, lower(customer_email))`);
    await q.query(`CREATE INDEX purchases_router_username_idx ON purchases (router_id, hotspot_username)`);

    await q.query(`
      CREATE TABLE purchase_events (
        id bigserial PRIMARY KEY,
        purchase_id uuid NOT NULL REFERENCES purchases(id) ON DELETE RESTRICT,
        type varchar(40) NOT NULL,
        from_status varchar(20),
        to_status varchar(20),
        source varchar(20) NOT NULL CHECK (source IN ('api', 'workflow', 'webhook', 'admin', 'reconciliation')),
        detail jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX purchase_events_purchase_idx ON purchase_events (purchase_id, id)`);

    await q.query(`
      CREATE TABLE processed_webhook_events (
        id bigserial PRIMARY KEY,
        provider varchar(20) NOT NULL CHECK (provider IN ('conekta', 'mercado_pago')),
        event_id varchar(200) NOT NULL,
        event_type varchar(100),
        resource_id varchar(200),
        purchase_id uuid REFERENCES purchases(id) ON DELETE SET NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT processed_webhook_events_key UNIQUE (provider, event_id)
      )`);

    await q.query(`
      CREATE TABLE audit_log (
        id bigserial PRIMARY KEY,
        actor_user_id integer REFERENCES admin_users(id) ON DELETE SET NULL,
        actor_email varchar(254),
        company_id varchar(50) REFERENCES companies(id) ON DELETE SET NULL,
        action varchar(60) NOT NULL,
        target_type varchar(40),
        target_id varchar(100),
        detail jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX audit_log_company_idx ON audit_log (company_id, created_at DESC)`);

    // History tables are append-only: the database refuses to rewrite them.
    await q.query(`
      CREATE FUNCTION refuse_history_rewrite() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
      END $$`);
    await q.query(`
      CREATE TRIGGER purchase_events_append_only BEFORE UPDATE OR DELETE ON purchase_events
      FOR EACH ROW EXECUTE FUNCTION refuse_history_rewrite()`);
    await q.query(`
      CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
      FOR EACH ROW EXECUTE FUNCTION refuse_history_rewrite()`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'audit_log',
      'processed_webhook_events',
      'purchase_events',
      'purchases',
      'router_api_keys',
      'products',
      'routers',
      'admin_sessions',
      'admin_users',
      'companies',
    ]) {
      await q.query(`DROP TABLE ${table}`);
    }
    await q.query(`DROP FUNCTION refuse_history_rewrite()`);
  }
}
