// Database invariants that hold whatever requests came before: no half-record. Each check names
// what is wrong and the rows, so a fuzz failure says which operation left what behind.
import type { DB } from '../../../src/platform/db/index.js';
import type { FileStore } from '../../../src/platform/files/index.js';
import { verifyAudit } from '../../../src/platform/audit/index.js';

const OUTBOX_STATUS = new Set(['pending', 'processing', 'done', 'dead']);

async function fileMissing(files: FileStore, key: string): Promise<boolean> {
  try {
    const s = await files.open(key);
    s.destroy();
    return false;
  } catch {
    return true;
  }
}

const ids = (rows: { id: unknown }[]) => rows.slice(0, 5).map((r) => String(r.id)).join(', ');

/**
 * Checks the invariants; returns the broken ones (empty when all hold). `full` also verifies the
 * audit chain and that every stored file named by a row exists (slower: run it at the end).
 */
export async function brokenInvariants(db: DB, files: FileStore, opts: { full?: boolean } = {}): Promise<string[]> {
  const broken: string[] = [];
  const check = (what: string, rows: { id: unknown }[]) => { if (rows.length) broken.push(`${what}: ${rows.length} (${ids(rows)})`); };

  check('application without its org service', await db.selectFrom('applications').leftJoin('org_services', 'org_services.id', 'applications.org_service_id')
    .select('applications.id').where((eb) => eb.or([eb('org_services.id', 'is', null), eb('org_services.org_id', '!=', eb.ref('applications.org_id'))])).execute());
  check('application without its citizen', await db.selectFrom('applications').leftJoin('citizens', 'citizens.id', 'applications.citizen_id')
    .select('applications.id').where('citizens.id', 'is', null).execute());
  check('submitted application without tracking code or submitted_at', await db.selectFrom('applications').select('id')
    .where('phase', '!=', 'draft').where((eb) => eb.or([eb('tracking_code', 'is', null), eb('submitted_at', 'is', null)])).execute());
  check('submitted application without its submitted event', await db.selectFrom('applications').select('applications.id').where('phase', '!=', 'draft')
    .where((eb) => eb.not(eb.exists(eb.selectFrom('application_events').select('application_events.id').whereRef('application_events.application_id', '=', 'applications.id').where('application_events.type', '=', 'submitted')))).execute());
  check('closed application without closed_at', await db.selectFrom('applications').select('id').where('phase', '=', 'closed').where('closed_at', 'is', null).execute());
  check('application event without its application (or of another org)', await db.selectFrom('application_events').leftJoin('applications', 'applications.id', 'application_events.application_id')
    .select('application_events.id').where((eb) => eb.or([eb('applications.id', 'is', null), eb('applications.org_id', '!=', eb.ref('application_events.org_id'))])).execute());
  check('document of a missing application (or of another org)', await db.selectFrom('documents').leftJoin('applications', 'applications.id', 'documents.application_id')
    .select('documents.id').where((eb) => eb.or([eb('applications.id', 'is', null), eb('applications.org_id', '!=', eb.ref('documents.org_id'))])).execute());
  check('application bill without its application', await db.selectFrom('bills').leftJoin('applications', 'applications.id', 'bills.application_id')
    .select('bills.id').where('bills.kind', '=', 'application').where('applications.id', 'is', null).execute());
  check('paid bill without payment or paid_at', await db.selectFrom('bills').select('id').where('status', '=', 'paid')
    .where((eb) => eb.or([eb('payment_id', 'is', null), eb('paid_at', 'is', null)])).execute());
  check('bill item without its bill', await db.selectFrom('bill_items').leftJoin('bills', 'bills.id', 'bill_items.bill_id').select('bill_items.id').where('bills.id', 'is', null).execute());
  check('payment without bills', await db.selectFrom('payments').select('payments.id')
    .where((eb) => eb.not(eb.exists(eb.selectFrom('payment_bills').select('payment_bills.bill_id').whereRef('payment_bills.payment_id', '=', 'payments.id')))).execute());
  check('report without its category (or of another org)', await db.selectFrom('reports').leftJoin('report_categories', 'report_categories.id', 'reports.category_id')
    .select('reports.id').where((eb) => eb.or([eb('report_categories.id', 'is', null), eb('report_categories.org_id', '!=', eb.ref('reports.org_id'))])).execute());
  check('report update without its report', await db.selectFrom('report_updates').leftJoin('reports', 'reports.id', 'report_updates.report_id').select('report_updates.id').where('reports.id', 'is', null).execute());
  check('report photo without its report', await db.selectFrom('report_photos').leftJoin('reports', 'reports.id', 'report_photos.report_id').select('report_photos.id').where('reports.id', 'is', null).execute());
  check('session of nobody', [
    ...await db.selectFrom('sessions').leftJoin('citizens', 'citizens.id', 'sessions.subject_id').select('sessions.id').where('sessions.kind', '=', 'citizen').where('citizens.id', 'is', null).execute(),
    ...await db.selectFrom('sessions').leftJoin('staff', 'staff.id', 'sessions.subject_id').select('sessions.id').where('sessions.kind', '=', 'staff').where('staff.id', 'is', null).execute(),
  ]);
  check('membership without staff or org', await db.selectFrom('memberships').leftJoin('staff', 'staff.id', 'memberships.staff_id').leftJoin('orgs', 'orgs.id', 'memberships.org_id')
    .select('memberships.id').where((eb) => eb.or([eb('staff.id', 'is', null), eb('orgs.id', 'is', null)])).execute());
  check('org service without its template version', await db.selectFrom('org_services').leftJoin('service_template_versions', 'service_template_versions.id', 'org_services.version_id')
    .select('org_services.id').where((eb) => eb.or([eb('service_template_versions.id', 'is', null), eb('service_template_versions.template_id', '!=', eb.ref('org_services.template_id'))])).execute());
  check('news tag without its article', await db.selectFrom('news_tags').leftJoin('news_articles', 'news_articles.id', 'news_tags.article_id').select('news_tags.article_id as id').where('news_articles.id', 'is', null).execute());
  check('news image without its article', await db.selectFrom('news_images').leftJoin('news_articles', 'news_articles.id', 'news_images.article_id').select('news_images.id').where('news_articles.id', 'is', null).execute());
  check('webhook attempt without its delivery', await db.selectFrom('webhook_attempts').leftJoin('webhook_deliveries', 'webhook_deliveries.id', 'webhook_attempts.delivery_id').select('webhook_attempts.id').where('webhook_deliveries.id', 'is', null).execute());
  check('council resolution update without its resolution', await db.selectFrom('council_resolution_updates').leftJoin('council_resolutions', 'council_resolutions.id', 'council_resolution_updates.resolution_id')
    .select('council_resolution_updates.id').where('council_resolutions.id', 'is', null).execute());

  const outbox = await db.selectFrom('outbox').select(['id', 'topic', 'payload', 'status', 'attempts']).execute();
  check('malformed outbox row', outbox.filter((r) => {
    if (!r.topic || !OUTBOX_STATUS.has(r.status) || Number(r.attempts) < 0) return true;
    try { const p = JSON.parse(r.payload); return p === null || typeof p !== 'object'; } catch { return true; }
  }));
  const deliveries = await db.selectFrom('webhook_deliveries').select(['id', 'payload']).execute() as { id: string; payload: string }[];
  check('webhook delivery with a payload that is not JSON', deliveries.filter((r) => { try { JSON.parse(r.payload); return false; } catch { return true; } }));
  const clients = await db.selectFrom('api_clients').select(['id', 'scopes']).execute();
  check('API client with scopes that are not a JSON array', clients.filter((r) => { try { return !Array.isArray(JSON.parse(r.scopes)); } catch { return true; } }));
  const apps = await db.selectFrom('applications').select(['id', 'form_data', 'fees']).execute();
  check('application with form data or fees that are not JSON', apps.filter((r) => { try { JSON.parse(r.form_data); JSON.parse(r.fees); return false; } catch { return true; } }));

  if (opts.full) {
    const audit = await verifyAudit(db);
    if (!audit.ok) broken.push(`audit chain broken at ${audit.problem?.seq} (${audit.problem?.reason})`);
    const docs = await db.selectFrom('documents').select(['id', 'storage_key']).execute();
    const lost: { id: string }[] = [];
    for (const d of docs) if (await fileMissing(files, d.storage_key)) lost.push(d);
    for (const p of await db.selectFrom('report_photos').select(['id', 'file_key']).execute()) if (await fileMissing(files, p.file_key)) lost.push(p);
    for (const i of await db.selectFrom('news_images').select(['id', 'storage_key']).execute()) if (await fileMissing(files, i.storage_key)) lost.push(i);
    check('document, photo or image row whose file is missing', lost);
  }
  return broken;
}
