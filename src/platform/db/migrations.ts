import { sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';

// One set of migrations for both engines. Portable column types only: text, integer, bigint
// (epoch ms), double precision; JSON as text. Branch on the dialect only where engines differ.
type Db = Kysely<unknown>;

const m0001: Migration = {
  async up(db: Db) {
    await db.schema.createTable('orgs')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('code', 'text', (c) => c.notNull().unique())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('parent_id', 'text', (c) => c.references('orgs.id'))
      .addColumn('name_fa', 'text', (c) => c.notNull())
      .addColumn('name_en', 'text', (c) => c.notNull())
      .addColumn('is_reference', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('lat', 'double precision')
      .addColumn('lng', 'double precision')
      .addColumn('population', 'integer')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema.createTable('staff')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('username', 'text', (c) => c.notNull().unique())
      .addColumn('display_name', 'text', (c) => c.notNull())
      .addColumn('password_hash', 'text', (c) => c.notNull())
      .addColumn('totp_secret', 'text')
      .addColumn('totp_enabled', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('failed_attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('locked_until', 'bigint')
      .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('password_changed_at', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema.createTable('memberships')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('staff_id', 'text', (c) => c.notNull().references('staff.id').onDelete('cascade'))
      .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
      .addColumn('role', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('memberships_staff_org_role', ['staff_id', 'org_id', 'role'])
      .execute();
    await db.schema.createIndex('memberships_org').on('memberships').columns(['org_id', 'role']).execute();

    await db.schema.createTable('citizens')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('mobile', 'text', (c) => c.notNull().unique())
      .addColumn('national_code', 'text', (c) => c.unique())
      .addColumn('first_name', 'text')
      .addColumn('last_name', 'text')
      .addColumn('email', 'text')
      .addColumn('locale', 'text', (c) => c.notNull().defaultTo('fa'))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema.createTable('otp_challenges')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('mobile', 'text', (c) => c.notNull())
      .addColumn('code_hash', 'text', (c) => c.notNull())
      .addColumn('ip', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('consumed_at', 'bigint')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('otp_mobile_created').on('otp_challenges').columns(['mobile', 'created_at']).execute();
    await db.schema.createIndex('otp_ip_created').on('otp_challenges').columns(['ip', 'created_at']).execute();

    await db.schema.createTable('sessions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('subject_id', 'text', (c) => c.notNull())
      .addColumn('stage', 'text', (c) => c.notNull())
      .addColumn('ip', 'text', (c) => c.notNull())
      .addColumn('user_agent', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('sessions_subject').on('sessions').columns(['kind', 'subject_id']).execute();

    await db.schema.createTable('outbox')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('org_id', 'text')
      .addColumn('topic', 'text', (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('dedupe_key', 'text', (c) => c.unique())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('available_at', 'bigint', (c) => c.notNull())
      .addColumn('locked_by', 'text')
      .addColumn('locked_until', 'bigint')
      .addColumn('last_error', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('done_at', 'bigint')
      .execute();
    await db.schema.createIndex('outbox_due').on('outbox').columns(['status', 'available_at']).execute();

    await db.schema.createTable('messages')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('outbox_id', 'text', (c) => c.notNull().unique())
      .addColumn('org_id', 'text')
      .addColumn('channel', 'text', (c) => c.notNull())
      .addColumn('recipient', 'text', (c) => c.notNull())
      .addColumn('subject', 'text')
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('provider', 'text', (c) => c.notNull())
      .addColumn('provider_ref', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('messages_created').on('messages').columns(['created_at']).execute();

    await db.schema.createTable('audit_log')
      .addColumn('seq', 'bigint', (c) => c.primaryKey())
      .addColumn('org_id', 'text')
      .addColumn('actor_kind', 'text', (c) => c.notNull())
      .addColumn('actor_id', 'text')
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('entity', 'text', (c) => c.notNull())
      .addColumn('entity_id', 'text')
      .addColumn('data', 'text', (c) => c.notNull())
      .addColumn('ip', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('prev_hash', 'text', (c) => c.notNull())
      .addColumn('hash', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('audit_org').on('audit_log').columns(['org_id', 'seq']).execute();

    await db.schema.createTable('counters')
      .addColumn('org_id', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('value', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('counters_pk', ['org_id', 'name'])
      .execute();
  },
  async down(db: Db) {
    for (const t of ['counters', 'audit_log', 'messages', 'outbox', 'sessions', 'otp_challenges', 'citizens', 'memberships', 'staff', 'orgs']) {
      await db.schema.dropTable(t).ifExists().execute();
    }
  },
};

const m0002: Migration = {
  async up(db: Db) {
    await db.schema.alterTable('staff').addColumn('totp_last_step', 'bigint').execute();
  },
  async down(db: Db) {
    await db.schema.alterTable('staff').dropColumn('totp_last_step').execute();
  },
};

const m0003: Migration = {
  async up(db: Db) {
    await db.schema.createTable('service_templates')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('code', 'text', (c) => c.notNull().unique())
      .addColumn('owner_org_id', 'text', (c) => c.notNull().references('orgs.id'))
      .addColumn('category', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createTable('service_template_versions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('template_id', 'text', (c) => c.notNull().references('service_templates.id'))
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('definition', 'text', (c) => c.notNull())
      .addColumn('title_fa', 'text', (c) => c.notNull())
      .addColumn('title_en', 'text', (c) => c.notNull())
      .addColumn('search_text', 'text', (c) => c.notNull())
      .addColumn('maturity', 'integer', (c) => c.notNull())
      .addColumn('created_by', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('published_at', 'bigint')
      .addUniqueConstraint('template_versions_unique', ['template_id', 'version'])
      .execute();
    await db.schema.createTable('org_services')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
      .addColumn('template_id', 'text', (c) => c.notNull().references('service_templates.id'))
      .addColumn('version_id', 'text', (c) => c.notNull().references('service_template_versions.id'))
      .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('overrides', 'text', (c) => c.notNull())
      .addColumn('adopted_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('org_services_unique', ['org_id', 'template_id'])
      .execute();
    await db.schema.createTable('applications')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
      .addColumn('org_service_id', 'text', (c) => c.notNull().references('org_services.id'))
      .addColumn('version_id', 'text', (c) => c.notNull().references('service_template_versions.id'))
      .addColumn('tracking_code', 'text', (c) => c.unique())
      .addColumn('citizen_id', 'text', (c) => c.notNull().references('citizens.id'))
      .addColumn('channel', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('phase', 'text', (c) => c.notNull())
      .addColumn('form_data', 'text', (c) => c.notNull())
      .addColumn('fees_total', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('fees', 'text', (c) => c.notNull())
      .addColumn('assignee_id', 'text')
      .addColumn('due_at', 'bigint')
      .addColumn('state_entered_at', 'bigint', (c) => c.notNull())
      .addColumn('submit_key', 'text', (c) => c.unique())
      .addColumn('outcome', 'text')
      .addColumn('result_code', 'text', (c) => c.unique())
      .addColumn('rating', 'integer')
      .addColumn('rating_comment', 'text')
      .addColumn('created_by', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('submitted_at', 'bigint')
      .addColumn('closed_at', 'bigint')
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('applications_org_phase_due').on('applications').columns(['org_id', 'phase', 'due_at']).execute();
    await db.schema.createIndex('applications_citizen').on('applications').columns(['citizen_id', 'created_at']).execute();
    await db.schema.createTable('application_events')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('application_id', 'text', (c) => c.notNull().references('applications.id'))
      .addColumn('org_id', 'text', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('action', 'text')
      .addColumn('from_state', 'text')
      .addColumn('to_state', 'text')
      .addColumn('actor_kind', 'text', (c) => c.notNull())
      .addColumn('actor_id', 'text')
      .addColumn('comment', 'text')
      .addColumn('internal', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('data', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('application_events_app').on('application_events').columns(['application_id', 'created_at']).execute();
    await db.schema.createIndex('application_events_org').on('application_events').columns(['org_id', 'created_at']).execute();
    await db.schema.createTable('documents')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('application_id', 'text', (c) => c.notNull().references('applications.id'))
      .addColumn('org_id', 'text', (c) => c.notNull())
      .addColumn('doc_key', 'text', (c) => c.notNull())
      .addColumn('filename', 'text', (c) => c.notNull())
      .addColumn('mime', 'text', (c) => c.notNull())
      .addColumn('size', 'bigint', (c) => c.notNull())
      .addColumn('sha256', 'text', (c) => c.notNull())
      .addColumn('storage_key', 'text', (c) => c.notNull())
      .addColumn('uploaded_by_kind', 'text', (c) => c.notNull())
      .addColumn('uploaded_by', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('documents_app').on('documents').columns(['application_id']).execute();
  },
  async down(db: Db) {
    for (const t of ['documents', 'application_events', 'applications', 'org_services', 'service_template_versions', 'service_templates']) {
      await db.schema.dropTable(t).ifExists().execute();
    }
  },
};

// Casework: the deadline whose breach was escalated (one escalation per breach), and in-app
// notices for staff, who have no phone or email on record.
const m0006: Migration = {
  async up(db: Db) {
    await db.schema.alterTable('applications').addColumn('escalated_due_at', 'bigint').execute();
    await db.schema.createTable('staff_notices')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
      .addColumn('staff_id', 'text', (c) => c.notNull().references('staff.id').onDelete('cascade'))
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('application_id', 'text', (c) => c.references('applications.id'))
      .addColumn('outbox_id', 'text', (c) => c.notNull())
      .addColumn('data', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('read_at', 'bigint')
      .addUniqueConstraint('staff_notices_delivery', ['outbox_id', 'staff_id'])
      .execute();
    await db.schema.createIndex('staff_notices_staff').on('staff_notices').columns(['staff_id', 'read_at', 'created_at']).execute();
  },
  async down(db: Db) {
    await db.schema.dropTable('staff_notices').ifExists().execute();
    await db.schema.alterTable('applications').dropColumn('escalated_due_at').execute();
  },
};

const m0007: Migration = {
  async up(db: Db) {
    await db.schema.createTable('bills')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('bill_code', 'text', (c) => c.notNull().unique())
      .addColumn('application_id', 'text', (c) => c.references('applications.id'))
      .addColumn('citizen_id', 'text')
      .addColumn('national_code', 'text')
      .addColumn('property_code', 'text')
      .addColumn('business_code', 'text')
      .addColumn('title_fa', 'text', (c) => c.notNull())
      .addColumn('title_en', 'text', (c) => c.notNull())
      .addColumn('period', 'text')
      .addColumn('amount', 'bigint', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('due_at', 'bigint')
      .addColumn('payment_id', 'text')
      .addColumn('import_batch', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('paid_at', 'bigint')
      .execute();
    await db.schema.createIndex('bills_org_status').on('bills').columns(['org_id', 'status', 'created_at']).execute();
    await db.schema.createIndex('bills_national_code').on('bills').columns(['national_code']).execute();
    await db.schema.createIndex('bills_property_code').on('bills').columns(['org_id', 'property_code']).execute();
    await db.schema.createIndex('bills_application').on('bills').columns(['application_id']).execute();
    await db.schema.createTable('bill_items')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('bill_id', 'text', (c) => c.notNull().references('bills.id'))
      .addColumn('item_key', 'text', (c) => c.notNull())
      .addColumn('title_fa', 'text', (c) => c.notNull())
      .addColumn('title_en', 'text', (c) => c.notNull())
      .addColumn('amount', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('bill_items_bill').on('bill_items').columns(['bill_id']).execute();
    await db.schema.createTable('payments')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
      .addColumn('gateway', 'text', (c) => c.notNull())
      .addColumn('amount', 'bigint', (c) => c.notNull())
      .addColumn('gateway_amount', 'bigint', (c) => c.notNull())
      .addColumn('gateway_currency', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('authority', 'text', (c) => c.unique())
      .addColumn('ref_id', 'text')
      .addColumn('card_mask', 'text')
      .addColumn('citizen_id', 'text')
      .addColumn('return_to', 'text', (c) => c.notNull())
      .addColumn('last_error', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('verified_at', 'bigint')
      .execute();
    await db.schema.createIndex('payments_status_created').on('payments').columns(['status', 'created_at']).execute();
    await db.schema.createIndex('payments_org_created').on('payments').columns(['org_id', 'created_at']).execute();
    await db.schema.createTable('payment_bills')
      .addColumn('payment_id', 'text', (c) => c.notNull().references('payments.id'))
      .addColumn('bill_id', 'text', (c) => c.notNull().references('bills.id'))
      .addPrimaryKeyConstraint('payment_bills_pk', ['payment_id', 'bill_id'])
      .execute();
    await db.schema.createIndex('payment_bills_bill').on('payment_bills').columns(['bill_id']).execute();
  },
  async down(db: Db) {
    for (const t of ['payment_bills', 'payments', 'bill_items', 'bills']) await db.schema.dropTable(t).ifExists().execute();
  },
};

// Levies and clearance certificates: one import batch per file (a file already imported is
// recognized by its hash); at most one live levy per kind, property (renewal levy) or business
// (business levy) and period, so no import or hand entry, however concurrent, doubles a levy;
// and the clearance certificates (مفاصاحساب) with their public verification codes.
const m0009: Migration = {
  async up(db: Db) {
    await db.schema.createTable('levy_imports')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
      .addColumn('filename', 'text', (c) => c.notNull())
      .addColumn('sha256', 'text', (c) => c.notNull())
      .addColumn('rows', 'integer', (c) => c.notNull())
      .addColumn('total_amount', 'bigint', (c) => c.notNull())
      .addColumn('created_by', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('levy_imports_file', ['org_id', 'sha256'])
      .execute();
    await db.schema.createIndex('levy_imports_org').on('levy_imports').columns(['org_id', 'created_at']).execute();
    await sql`create unique index bills_levy_once on bills (org_id, kind, (case when kind = 'renewal_levy' then property_code else business_code end), period) where kind in ('renewal_levy', 'business_levy') and status <> 'cancelled'`.execute(db);
    await db.schema.createTable('clearance_certificates')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
      .addColumn('number', 'text', (c) => c.notNull().unique())
      .addColumn('verify_code', 'text', (c) => c.notNull().unique())
      .addColumn('property_code', 'text', (c) => c.notNull())
      .addColumn('periods_through', 'text')
      .addColumn('bills_checked', 'integer', (c) => c.notNull())
      .addColumn('issued_by_kind', 'text', (c) => c.notNull())
      .addColumn('issued_by', 'text')
      .addColumn('issued_at', 'bigint', (c) => c.notNull())
      .addColumn('valid_until', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('clearance_property').on('clearance_certificates').columns(['org_id', 'property_code', 'issued_at']).execute();
  },
  async down(db: Db) {
    await db.schema.dropTable('clearance_certificates').ifExists().execute();
    await sql`drop index if exists bills_levy_once`.execute(db);
    await db.schema.dropTable('levy_imports').ifExists().execute();
  },
};

// Payments core: a bill of an application remembers the workflow state (and the instant it was
// entered) it was issued for, so each entry into a payment state bills once; and the built-in
// test bank keeps its transactions in the database, so any app process can verify them.
const m0008: Migration = {
  async up(db: Db) {
    await db.schema.alterTable('bills').addColumn('application_state', 'text').execute();
    await db.schema.alterTable('bills').addColumn('application_entered_at', 'bigint').execute();
    await db.schema.createIndex('bills_application_entry').on('bills').columns(['application_id', 'application_entered_at']).unique().execute();
    await db.schema.createTable('sandbox_transactions')
      .addColumn('authority', 'text', (c) => c.primaryKey())
      .addColumn('amount', 'bigint', (c) => c.notNull())
      .addColumn('currency', 'text', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull())
      .addColumn('callback_url', 'text', (c) => c.notNull())
      .addColumn('order_id', 'text')
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('ref_id', 'text')
      .addColumn('card_mask', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
  },
  async down(db: Db) {
    await db.schema.dropTable('sandbox_transactions').ifExists().execute();
    await db.schema.dropIndex('bills_application_entry').ifExists().execute();
    await db.schema.alterTable('bills').dropColumn('application_entered_at').execute();
    await db.schema.alterTable('bills').dropColumn('application_state').execute();
  },
};

const m0010: Migration = {
  async up(db: Db) {
    // The public catalog groups adoptions by template on every home and catalog page.
    await db.schema.createIndex('org_services_template').on('org_services').columns(['template_id', 'enabled']).execute();
  },
  async down(db: Db) {
    await db.schema.dropIndex('org_services_template').execute();
  },
};

// City problem reports (۱۳۷): categories per municipality, reports placed on the map with a
// tracking code, and their updates (state changes and comments, some internal to staff).
const m0011: Migration = {
  async up(db: Db) {
    await db.schema.createTable('report_categories')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
      .addColumn('code', 'text', (c) => c.notNull())
      .addColumn('group', 'text', (c) => c.notNull())
      .addColumn('title_fa', 'text', (c) => c.notNull())
      .addColumn('title_en', 'text', (c) => c.notNull())
      .addColumn('deadline_days', 'integer', (c) => c.notNull())
      .addColumn('department_fa', 'text', (c) => c.notNull())
      .addColumn('department_en', 'text', (c) => c.notNull())
      .addColumn('allow_anonymous', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('report_categories_code', ['org_id', 'code'])
      .execute();
    await db.schema.createTable('reports')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
      .addColumn('category_id', 'text', (c) => c.notNull().references('report_categories.id'))
      .addColumn('tracking_code', 'text', (c) => c.notNull().unique())
      .addColumn('citizen_id', 'text', (c) => c.references('citizens.id'))
      .addColumn('description', 'text', (c) => c.notNull())
      .addColumn('lat', 'double precision', (c) => c.notNull())
      .addColumn('lng', 'double precision', (c) => c.notNull())
      .addColumn('address', 'text')
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('duplicate_of', 'text', (c) => c.references('reports.id'))
      .addColumn('due_at', 'bigint')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('resolved_at', 'bigint')
      .addColumn('hidden', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema.createIndex('reports_org_state').on('reports').columns(['org_id', 'state', 'created_at']).execute();
    await db.schema.createIndex('reports_category_place').on('reports').columns(['category_id', 'lat', 'lng']).execute();
    await db.schema.createIndex('reports_citizen').on('reports').columns(['citizen_id', 'created_at']).execute();
    await db.schema.createTable('report_updates')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('report_id', 'text', (c) => c.notNull().references('reports.id'))
      .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('comment', 'text')
      .addColumn('internal', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('actor_kind', 'text', (c) => c.notNull())
      .addColumn('actor_id', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('report_updates_report').on('report_updates').columns(['report_id', 'created_at']).execute();
  },
  async down(db: Db) {
    for (const t of ['report_updates', 'reports', 'report_categories']) await db.schema.dropTable(t).ifExists().execute();
  },
};

const m0012: Migration = {
  async up(db: Db) {
    // Reports: assignment, reopening, rating, escalation, where it came from (web, Open311).
    for (const [col, type] of [
      ['assigned_department', 'text'], ['assigned_to', 'text'], ['rating', 'integer'], ['rating_comment', 'text'], ['rated_at', 'bigint'],
      ['escalated_due_at', 'bigint'], ['token', 'text'], ['api_client_id', 'text'], ['moderated_at', 'bigint'],
    ] as const) {
      await db.schema.alterTable('reports').addColumn(col, type).execute();
    }
    await db.schema.alterTable('reports').addColumn('reopened_count', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    await db.schema.alterTable('reports').addColumn('source', 'text', (c) => c.notNull().defaultTo('web')).execute();
    await db.schema.alterTable('reports').addColumn('attributes', 'text').execute();
    // A category's extra questions (Open311 attributes) as a JSON array.
    await db.schema.alterTable('report_categories').addColumn('attributes', 'text', (c) => c.notNull().defaultTo('[]')).execute();
    await db.schema.createIndex('reports_token').on('reports').column('token').unique().execute();
    await db.schema.createIndex('reports_due').on('reports').columns(['due_at']).execute();
    await db.schema.createIndex('reports_org_category_created').on('reports').columns(['org_id', 'category_id', 'created_at']).execute();
    await db.schema.alterTable('report_updates').addColumn('kind', 'text', (c) => c.notNull().defaultTo('state')).execute();
    await db.schema.createIndex('report_updates_org_created').on('report_updates').columns(['org_id', 'created_at']).execute();
    await db.schema.createTable('report_photos')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('report_id', 'text', (c) => c.notNull().references('reports.id'))
      .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
      .addColumn('file_key', 'text', (c) => c.notNull())
      .addColumn('content_type', 'text', (c) => c.notNull())
      .addColumn('size', 'integer', (c) => c.notNull())
      .addColumn('sha256', 'text', (c) => c.notNull())
      .addColumn('hidden', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('report_photos_report').on('report_photos').columns(['report_id', 'created_at']).execute();
    // A municipality's boundary as GeoJSON, with its bounding box to pick candidates by index.
    await db.schema.createTable('municipality_areas')
      .addColumn('org_id', 'text', (c) => c.primaryKey().references('orgs.id'))
      .addColumn('geojson', 'text', (c) => c.notNull())
      .addColumn('min_lat', 'double precision', (c) => c.notNull())
      .addColumn('max_lat', 'double precision', (c) => c.notNull())
      .addColumn('min_lng', 'double precision', (c) => c.notNull())
      .addColumn('max_lng', 'double precision', (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    // Keys other systems call the API with (Open311 api_key); only a hash is stored.
    await db.schema.createTable('api_clients')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('key_prefix', 'text', (c) => c.notNull().unique())
      .addColumn('key_hash', 'text', (c) => c.notNull())
      .addColumn('scopes', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('last_used_at', 'bigint')
      .addColumn('revoked_at', 'bigint')
      .execute();
  },
  async down(db: Db) {
    for (const t of ['api_clients', 'municipality_areas', 'report_photos']) await db.schema.dropTable(t).ifExists().execute();
  },
};

const m0013: Migration = {
  async up(db: Db) {
    // The newest reports of a municipality (staff queue, public list) and of the province, without a sort over the table.
    await db.schema.createIndex('reports_org_created').on('reports').columns(['org_id', 'created_at desc', 'id']).execute();
    await db.schema.createIndex('reports_created').on('reports').columns(['created_at desc', 'id']).execute();
  },
  async down(db: Db) {
    await db.schema.dropIndex('reports_created').ifExists().execute();
    await db.schema.dropIndex('reports_org_created').ifExists().execute();
  },
};

const m0014: Migration = {
  async up(db: Db) {
    // An org admin retires a ۱۳۷ category without deleting it: its reports keep their category.
    await db.schema.alterTable('report_categories').addColumn('active', 'integer', (c) => c.notNull().defaultTo(1)).execute();
  },
  async down(db: Db) {
    await db.schema.alterTable('report_categories').dropColumn('active').execute();
  },
};

const m0015: Migration = {
  async up(db: Db) {
    // Transparency rollups: per Tehran day x org x service x kind ('app' | 'report'; service '' for
    // reports) counters, kept up to date from the event logs by the RollupWorker.
    let daily = db.schema.createTable('kpi_daily')
      .addColumn('day', 'text', (c) => c.notNull())
      .addColumn('org_id', 'text', (c) => c.notNull())
      .addColumn('service_code', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull());
    for (const col of KPI_DAILY_COUNTERS) daily = daily.addColumn(col, 'bigint', (c) => c.notNull().defaultTo(0));
    await daily.addPrimaryKeyConstraint('kpi_daily_pk', ['day', 'org_id', 'service_code', 'kind']).execute();
    await db.schema.createIndex('kpi_daily_org_day').on('kpi_daily').columns(['org_id', 'day']).execute();
    // How many completions took each processing time (business days x 100): exact medians and percentiles.
    await db.schema.createTable('kpi_durations')
      .addColumn('day', 'text', (c) => c.notNull())
      .addColumn('org_id', 'text', (c) => c.notNull())
      .addColumn('service_code', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('centi_days', 'bigint', (c) => c.notNull())
      .addColumn('n', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('kpi_durations_pk', ['day', 'org_id', 'service_code', 'kind', 'centi_days'])
      .execute();
    await db.schema.createIndex('kpi_durations_org_day').on('kpi_durations').columns(['org_id', 'day']).execute();
    // Where the rollup worker is in each source: the last (created_at, id) it counted.
    await db.schema.createTable('rollup_cursors')
      .addColumn('source', 'text', (c) => c.primaryKey())
      .addColumn('position_at', 'bigint', (c) => c.notNull())
      .addColumn('position_id', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('application_events_created').on('application_events').columns(['created_at', 'id']).execute();
    await db.schema.createIndex('applications_created').on('applications').columns(['created_at', 'id']).execute();
    await db.schema.createIndex('report_updates_created').on('report_updates').columns(['created_at', 'id']).execute();
    // What an organization spent on delivering its services in a period ('1404-07', '1404-s2', '1404').
    await db.schema.createTable('org_costs')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('org_id', 'text', (c) => c.notNull())
      .addColumn('period', 'text', (c) => c.notNull())
      .addColumn('service_code', 'text')
      .addColumn('cost_rials', 'bigint', (c) => c.notNull())
      .addColumn('note', 'text')
      .addColumn('entered_by', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('org_costs_org_period').on('org_costs').columns(['org_id', 'period', 'service_code']).execute();
  },
  async down(db: Db) {
    for (const i of ['application_events_created', 'applications_created', 'report_updates_created']) await db.schema.dropIndex(i).ifExists().execute();
    for (const t of ['org_costs', 'rollup_cursors', 'kpi_durations', 'kpi_daily']) await db.schema.dropTable(t).ifExists().execute();
  },
};

/** The counter columns of kpi_daily (all integers, 0 by default); see src/modules/transparency/rollup.ts. */
export const KPI_DAILY_COUNTERS = [
  'started', 'started_submitted', 'received', 'online', 'counter', 'completed', 'completed_within', 'completed_online',
  'rating_1', 'rating_2', 'rating_3', 'rating_4', 'rating_5', 'visits_saved', 'days_saved',
  'reports_received', 'reports_resolved', 'reports_resolved_within', 'reports_reopened',
] as const;

const m0016: Migration = {
  async up(db: Db) {
    // The provincial high council for e-services: its indicators, their values and targets,
    // its meetings and resolutions (مصوبات) with the progress the responsible organizations report.
    await db.schema.createTable('council_indicators')
      .addColumn('code', 'text', (c) => c.primaryKey())
      .addColumn('title_fa', 'text', (c) => c.notNull())
      .addColumn('title_en', 'text', (c) => c.notNull())
      .addColumn('unit', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('description_fa', 'text', (c) => c.notNull())
      .addColumn('description_en', 'text', (c) => c.notNull())
      .addColumn('higher_is_better', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('weight', 'double precision', (c) => c.notNull().defaultTo(0))
      .addColumn('position', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema.createTable('council_indicator_values')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('indicator', 'text', (c) => c.notNull().references('council_indicators.code'))
      .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
      .addColumn('period', 'text', (c) => c.notNull())
      .addColumn('value', 'double precision', (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('entered_by', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('council_indicator_values_once', ['indicator', 'org_id', 'period'])
      .execute();
    await db.schema.createTable('council_indicator_targets')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('indicator', 'text', (c) => c.notNull().references('council_indicators.code'))
      // Empty string = the province as a whole (a unique key over a null column would not hold on either engine).
      .addColumn('org_id', 'text', (c) => c.notNull())
      .addColumn('period', 'text', (c) => c.notNull())
      .addColumn('target', 'double precision', (c) => c.notNull())
      .addColumn('set_by', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('council_indicator_targets_once', ['indicator', 'org_id', 'period'])
      .execute();
    await db.schema.createTable('council_meetings')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('number', 'integer', (c) => c.notNull().unique())
      .addColumn('held_at', 'bigint', (c) => c.notNull())
      .addColumn('title_fa', 'text', (c) => c.notNull())
      .addColumn('title_en', 'text', (c) => c.notNull())
      .addColumn('orgs_present', 'text', (c) => c.notNull())
      .addColumn('summary_fa', 'text', (c) => c.notNull())
      .addColumn('summary_en', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createTable('council_resolutions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('meeting_id', 'text', (c) => c.notNull().references('council_meetings.id'))
      .addColumn('number', 'integer', (c) => c.notNull())
      .addColumn('text_fa', 'text', (c) => c.notNull())
      .addColumn('text_en', 'text', (c) => c.notNull())
      .addColumn('responsible_org_id', 'text', (c) => c.notNull().references('orgs.id'))
      .addColumn('deadline', 'bigint')
      .addColumn('expected_output_fa', 'text', (c) => c.notNull())
      .addColumn('expected_output_en', 'text', (c) => c.notNull())
      .addColumn('internal', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('progress', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('overdue_notified_for', 'bigint')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('council_resolutions_number', ['meeting_id', 'number'])
      .execute();
    await db.schema.createIndex('council_resolutions_due').on('council_resolutions').columns(['state', 'deadline']).execute();
    await db.schema.createIndex('council_resolutions_org').on('council_resolutions').columns(['responsible_org_id', 'state']).execute();
    await db.schema.createTable('council_resolution_updates')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('resolution_id', 'text', (c) => c.notNull().references('council_resolutions.id'))
      .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
      .addColumn('progress', 'integer', (c) => c.notNull())
      .addColumn('note', 'text', (c) => c.notNull())
      .addColumn('actor_id', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('council_resolution_updates_res').on('council_resolution_updates').columns(['resolution_id', 'created_at']).execute();
    // In-app notices to a responsible organization's admins (an overdue resolution); one per message and recipient.
    await db.schema.createTable('council_notices')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
      .addColumn('staff_id', 'text', (c) => c.notNull())
      .addColumn('resolution_id', 'text', (c) => c.notNull())
      .addColumn('outbox_id', 'text', (c) => c.notNull())
      .addColumn('deadline', 'bigint', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('read_at', 'bigint')
      .addUniqueConstraint('council_notices_delivery', ['outbox_id', 'staff_id'])
      .execute();
    await db.schema.createIndex('council_notices_staff').on('council_notices').columns(['staff_id', 'read_at', 'created_at']).execute();
  },
  async down(db: Db) {
    for (const t of ['council_notices', 'council_resolution_updates', 'council_resolutions', 'council_meetings', 'council_indicator_targets', 'council_indicator_values', 'council_indicators']) {
      await db.schema.dropTable(t).ifExists().execute();
    }
  },
};


const m0017: Migration = {
  async up(db: Db) {
    // The newsroom: each organization's public-relations news. `code` is the news code (کد خبر),
    // one platform-wide sequence (counters row org_id '' name 'news'), never reused.
    await db.schema.createTable('news_articles')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
      .addColumn('code', 'integer', (c) => c.notNull().unique())
      .addColumn('lang', 'text', (c) => c.notNull())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('lead', 'text', (c) => c.notNull())
      .addColumn('body_format', 'text', (c) => c.notNull())
      .addColumn('body_source', 'text', (c) => c.notNull())
      .addColumn('body_html', 'text', (c) => c.notNull())
      .addColumn('tags', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('publish_at', 'bigint')
      .addColumn('published_at', 'bigint')
      .addColumn('corrected_at', 'bigint')
      .addColumn('search_text', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('created_by', 'text')
      .addColumn('updated_by', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('news_articles_public').on('news_articles').columns(['state', 'published_at']).execute();
    await db.schema.createIndex('news_articles_org').on('news_articles').columns(['org_id', 'state', 'published_at']).execute();
    await db.schema.createTable('news_tags')
      .addColumn('article_id', 'text', (c) => c.notNull().references('news_articles.id'))
      .addColumn('tag', 'text', (c) => c.notNull())
      .addColumn('tag_key', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('news_tags_pk', ['article_id', 'tag_key'])
      .execute();
    await db.schema.createIndex('news_tags_key').on('news_tags').columns(['tag_key', 'article_id']).execute();
    await db.schema.createTable('news_images')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('article_id', 'text', (c) => c.notNull().references('news_articles.id'))
      .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
      .addColumn('storage_key', 'text', (c) => c.notNull())
      .addColumn('mime', 'text', (c) => c.notNull())
      .addColumn('width', 'integer', (c) => c.notNull())
      .addColumn('height', 'integer', (c) => c.notNull())
      .addColumn('bytes', 'integer', (c) => c.notNull())
      .addColumn('caption', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('position', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('news_images_article').on('news_images').columns(['article_id', 'position']).execute();
    // "Send to a friend": who was sent what, for per-recipient and per-address limits (hashes only).
    await db.schema.createTable('news_shares')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('article_id', 'text', (c) => c.notNull().references('news_articles.id'))
      .addColumn('recipient_hash', 'text', (c) => c.notNull())
      .addColumn('ip_hash', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('news_shares_recipient').on('news_shares').columns(['recipient_hash', 'created_at']).execute();
    await db.schema.createIndex('news_shares_ip').on('news_shares').columns(['ip_hash', 'created_at']).execute();
  },
};

const m0018: Migration = {
  async up(db: Db) {
    // The deadline in force when a report's state changed: the rollups judge "resolved within
    // deadline" by it, so a later change of the category's deadline does not re-judge old reports.
    await db.schema.alterTable('report_updates').addColumn('due_at', 'bigint').execute();
  },
};

const m0019: Migration = {
  async up(db: Db) {
    // Newest-first news lists: walk published_at backwards and stop at the page (the (state,
    // published_at) index cannot give that order for two states at once).
    await db.schema.createIndex('news_articles_published_at').on('news_articles').column('published_at').execute();
  },
};

const m0020: Migration = {
  async up(db: Db) {
    // API clients managed by org admins: a per-client rate limit, who revoked a key, and when its
    // key was last replaced (rotation keeps the client, its name and scopes, with a new key).
    await db.schema.alterTable('api_clients').addColumn('rate_per_minute', 'integer', (c) => c.notNull().defaultTo(120)).execute();
    await db.schema.alterTable('api_clients').addColumn('rotated_at', 'bigint').execute();
    await db.schema.alterTable('api_clients').addColumn('revoked_by', 'text').execute();
    await db.schema.createIndex('api_clients_org').on('api_clients').columns(['org_id', 'created_at']).execute();
  },
};

const m0022: Migration = {
  async up(db: Db) {
    // Issue 8: agencies (orgs of kind 'agency') keep their e-services on their own sites; the
    // single window lists them beside Pishkhan's own services. An org's adopted service may be
    // processed in an external back-office system reached by a signed webhook.
    await db.schema.alterTable('orgs').addColumn('website', 'text').execute();
    await db.schema.createTable('external_services')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
      .addColumn('code', 'text', (c) => c.notNull())
      .addColumn('title_fa', 'text', (c) => c.notNull())
      .addColumn('title_en', 'text', (c) => c.notNull())
      .addColumn('description_fa', 'text', (c) => c.notNull())
      .addColumn('description_en', 'text', (c) => c.notNull())
      .addColumn('documents', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('maturity', 'integer', (c) => c.notNull())
      .addColumn('url', 'text', (c) => c.notNull())
      .addColumn('category', 'text', (c) => c.notNull())
      .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('search_text', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('external_services_code', ['org_id', 'code'])
      .execute();
    await db.schema.createIndex('external_services_active').on('external_services').columns(['active', 'category']).execute();
    await db.schema.createTable('external_connections')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
      .addColumn('org_service_id', 'text', (c) => c.notNull().unique().references('org_services.id'))
      .addColumn('url', 'text', (c) => c.notNull())
      .addColumn('secret', 'text', (c) => c.notNull())
      .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('secret_rotated_at', 'bigint')
      .execute();
    await db.schema.createIndex('external_connections_org').on('external_connections').columns(['org_id']).execute();
  },
};

const m0021: Migration = {
  async up(db: Db) {
    // Webhooks: an organization's subscriptions (the secret is kept readable because it signs
    // every delivery), one delivery per event x receiver, and every attempt to deliver it.
    await db.schema.createTable('webhook_subscriptions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
      .addColumn('url', 'text', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('secret', 'text', (c) => c.notNull())
      .addColumn('event_types', 'text', (c) => c.notNull())
      .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('created_by', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('secret_rotated_at', 'bigint')
      .addColumn('deleted_at', 'bigint')
      .execute();
    await db.schema.createIndex('webhook_subscriptions_org').on('webhook_subscriptions').columns(['org_id', 'created_at']).execute();
    await db.schema.createTable('webhook_deliveries')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
      .addColumn('subscription_id', 'text')
      .addColumn('connection_id', 'text')
      .addColumn('event_type', 'text', (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('url', 'text', (c) => c.notNull())
      // Only for deliveries without a subscription (a subscription's current secret signs its own).
      .addColumn('secret', 'text')
      // Deliveries of one lane (receiver) with the same ordering key are sent in seq order.
      .addColumn('lane', 'text', (c) => c.notNull())
      .addColumn('ordering_key', 'text')
      .addColumn('seq', 'bigint', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
      .addColumn('last_status_code', 'integer')
      .addColumn('last_error', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('settled_at', 'bigint')
      .execute();
    await db.schema.createIndex('webhook_deliveries_org').on('webhook_deliveries').columns(['org_id', 'created_at']).execute();
    await db.schema.createIndex('webhook_deliveries_subscription').on('webhook_deliveries').columns(['subscription_id', 'created_at']).execute();
    await db.schema.createIndex('webhook_deliveries_order').on('webhook_deliveries').columns(['lane', 'ordering_key', 'state', 'seq']).execute();
    await db.schema.createTable('webhook_attempts')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('delivery_id', 'text', (c) => c.notNull().references('webhook_deliveries.id'))
      .addColumn('org_id', 'text', (c) => c.notNull())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addColumn('status_code', 'integer')
      .addColumn('duration_ms', 'integer', (c) => c.notNull())
      .addColumn('error', 'text')
      .execute();
    await db.schema.createIndex('webhook_attempts_delivery').on('webhook_attempts').columns(['delivery_id', 'at']).execute();
  },
};

const m0023: Migration = {
  async up(db: Db) {
    // Open data: the applications completed in a period, in (closed_at, id) keyset pages.
    await db.schema.createIndex('applications_closed').on('applications').columns(['closed_at', 'id']).execute();
  },
};

const m0024: Migration = {
  async up(db: Db) {
    // A sign-in code whose SMS could not be sent: the citizen is told so, may ask again at once,
    // and it counts against no limit (a provider outage must not lock anyone out).
    await db.schema.alterTable('otp_challenges').addColumn('send_failed_at', 'bigint').execute();
  },
};

export const migrations: Record<string, Migration> = {
  '0001_foundation': m0001,
  '0002_totp_replay': m0002,
  '0003_eservices': m0003,
  '0006_casework': m0006,
  '0007_payments': m0007,
  '0008_payments_core': m0008,
  '0009_levies_clearance': m0009,
  '0010_catalog_indexes': m0010,
  '0011_grievances': m0011,
  '0012_grievances_more': m0012,
  '0013_reports_by_time': m0013,
  '0014_report_category_active': m0014,
  '0015_transparency': m0015,
  '0016_council': m0016,
  '0017_news': m0017,
  '0018_report_update_deadline': m0018,
  '0019_news_by_time': m0019,
  '0020_api_clients_more': m0020,
  '0021_webhooks': m0021,
  '0022_external_services': m0022,
  '0023_applications_by_close': m0023,
  '0024_otp_send_failed': m0024,
};

export const migrationProvider: MigrationProvider = {
  async getMigrations() {
    return migrations;
  },
};

export { sql };
