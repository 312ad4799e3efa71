import type { ColumnType, Generated } from 'kysely';

/** Times are epoch milliseconds (UTC); booleans are 0/1 integers; JSON is stored as text. */
type Millis = number;
type Flag = 0 | 1;

export interface OrgsTable {
  id: string;
  code: string;
  kind: 'province' | 'municipality' | 'agency' | 'ict';
  parent_id: string | null;
  name_fa: string;
  name_en: string;
  is_reference: Flag;
  lat: number | null;
  lng: number | null;
  population: number | null;
  created_at: Millis;
  /** An agency's own site (migration 0022); absent on insert means null. */
  website?: string | null;
}

export interface StaffTable {
  id: string;
  username: string;
  display_name: string;
  password_hash: string;
  totp_secret: string | null;
  totp_enabled: Flag;
  /** The time step of the last accepted TOTP code; a code is never accepted twice. */
  totp_last_step: number | null;
  failed_attempts: number;
  locked_until: Millis | null;
  disabled: Flag;
  created_at: Millis;
  password_changed_at: Millis;
}

export interface MembershipsTable {
  id: string;
  staff_id: string;
  org_id: string;
  role: string;
  created_at: Millis;
}

export interface CitizensTable {
  id: string;
  mobile: string;
  national_code: string | null;
  first_name: string | null;
  last_name: string | null;
  email: string | null;
  locale: string;
  created_at: Millis;
  updated_at: Millis;
}

export interface OtpChallengesTable {
  id: string;
  mobile: string;
  code_hash: string;
  ip: string;
  attempts: number;
  expires_at: Millis;
  consumed_at: Millis | null;
  created_at: Millis;
  /** When its SMS could not be sent (the citizen is told to ask again; it counts against no limit). */
  send_failed_at?: Millis | null;
}

export interface SessionsTable {
  id: string; // sha256 of the token; the token itself is only in the cookie
  kind: 'citizen' | 'staff';
  subject_id: string;
  stage: 'full' | 'totp';
  ip: string;
  user_agent: string;
  created_at: Millis;
  last_seen_at: Millis;
  expires_at: Millis;
}

export interface OutboxTable {
  id: string;
  org_id: string | null;
  topic: string;
  payload: string;
  dedupe_key: string | null;
  status: 'pending' | 'processing' | 'done' | 'dead';
  attempts: number;
  available_at: Millis;
  locked_by: string | null;
  locked_until: Millis | null;
  last_error: string | null;
  created_at: Millis;
  done_at: Millis | null;
}

export interface MessagesTable {
  id: string;
  outbox_id: string;
  org_id: string | null;
  channel: 'sms' | 'email';
  recipient: string;
  subject: string | null;
  body: string;
  provider: string;
  provider_ref: string | null;
  created_at: Millis;
}

export interface AuditLogTable {
  seq: number;
  org_id: string | null;
  actor_kind: 'citizen' | 'staff' | 'system' | 'api';
  actor_id: string | null;
  action: string;
  entity: string;
  entity_id: string | null;
  data: string;
  ip: string | null;
  created_at: Millis;
  prev_hash: string;
  hash: string;
}

export interface CountersTable {
  org_id: string;
  name: string;
  value: number;
}

export interface ServiceTemplatesTable {
  id: string;
  code: string;
  owner_org_id: string;
  category: string;
  created_at: Millis;
}

export interface ServiceTemplateVersionsTable {
  id: string;
  template_id: string;
  version: number;
  status: 'draft' | 'published';
  /** The whole definition as JSON; never changes once published. */
  definition: string;
  title_fa: string;
  title_en: string;
  /** searchKey() of titles, summary and keywords, for Persian-insensitive search. */
  search_text: string;
  maturity: number;
  created_by: string | null;
  created_at: Millis;
  published_at: Millis | null;
}

export interface OrgServicesTable {
  id: string;
  org_id: string;
  template_id: string;
  version_id: string;
  enabled: Flag;
  overrides: string;
  adopted_at: Millis;
  updated_at: Millis;
}

export interface ApplicationsTable {
  id: string;
  org_id: string;
  org_service_id: string;
  version_id: string;
  tracking_code: string | null;
  citizen_id: string;
  channel: 'web' | 'counter' | 'api';
  state: string;
  /** 'draft' until submitted, then 'open' until a final state, then 'closed'. */
  phase: 'draft' | 'open' | 'closed';
  form_data: string;
  fees_total: number;
  fees: string;
  assignee_id: string | null;
  due_at: Millis | null;
  state_entered_at: Millis;
  submit_key: string | null;
  outcome: string | null;
  result_code: string | null;
  rating: number | null;
  rating_comment: string | null;
  created_by: string | null;
  created_at: Millis;
  submitted_at: Millis | null;
  closed_at: Millis | null;
  updated_at: Millis;
  /** The due_at whose breach was escalated; equal to due_at while the current deadline stands escalated. */
  escalated_due_at: Millis | null;
}

export interface ApplicationEventsTable {
  id: string;
  application_id: string;
  org_id: string;
  type: string;
  action: string | null;
  from_state: string | null;
  to_state: string | null;
  actor_kind: string;
  actor_id: string | null;
  comment: string | null;
  internal: Flag;
  data: string;
  created_at: Millis;
}

export interface DocumentsTable {
  id: string;
  application_id: string;
  org_id: string;
  doc_key: string;
  filename: string;
  mime: string;
  size: number;
  sha256: string;
  storage_key: string;
  uploaded_by_kind: string;
  uploaded_by: string | null;
  created_at: Millis;
}

/** An in-app notice for one staff member (e.g. an escalation to a manager). */
export interface StaffNoticesTable {
  id: string;
  org_id: string;
  staff_id: string;
  kind: 'escalation';
  application_id: string | null;
  /** The outbox message that delivered it; delivering the same message twice adds nothing. */
  outbox_id: string;
  data: string;
  created_at: Millis;
  read_at: Millis | null;
}

export interface BillsTable {
  id: string;
  org_id: string;
  /** 'application' (fees of an application) or an annual levy: 'renewal_levy', 'business_levy', or 'other'. */
  kind: string;
  /** The number printed on the bill; unique, what citizens and staff look up. */
  bill_code: string;
  application_id: string | null;
  citizen_id: string | null;
  national_code: string | null;
  property_code: string | null;
  business_code: string | null;
  title_fa: string;
  title_en: string;
  /** e.g. the Jalali year '1405' for annual levies. */
  period: string | null;
  amount: number;
  status: 'unpaid' | 'paid' | 'cancelled' | 'expired';
  due_at: Millis | null;
  payment_id: string | null;
  import_batch: string | null;
  created_at: Millis;
  paid_at: Millis | null;
  /** For an application's bill: the workflow state it was issued for and when the application entered it (one bill per entry). */
  // Only an application's bill has them (absent on insert means null).
  application_state?: string | null;
  application_entered_at?: Millis | null;
}

export interface BillItemsTable {
  id: string;
  bill_id: string;
  item_key: string;
  title_fa: string;
  title_en: string;
  amount: number;
}

export interface PaymentsTable {
  id: string;
  org_id: string;
  gateway: string;
  /** What is owed, in Rials. */
  amount: number;
  /** What the gateway is asked to charge, in the gateway's own unit (Zarinpal: IRR or IRT). */
  gateway_amount: number;
  gateway_currency: string;
  status: 'pending' | 'paid' | 'failed' | 'cancelled' | 'expired' | 'refund_due' | 'refunded';
  authority: string | null;
  ref_id: string | null;
  card_mask: string | null;
  citizen_id: string | null;
  return_to: string;
  last_error: string | null;
  created_at: Millis;
  updated_at: Millis;
  verified_at: Millis | null;
}

export interface PaymentBillsTable {
  payment_id: string;
  bill_id: string;
}

/** One imported levy file (CSV) of an organization; its bills carry its id in bills.import_batch. */
export interface LevyImportsTable {
  id: string;
  org_id: string;
  filename: string;
  /** SHA-256 of the file's bytes: the same file is recognized and never imported twice. */
  sha256: string;
  rows: number;
  total_amount: number;
  created_by: string | null;
  created_at: Millis;
}

/** A clearance certificate (مفاصاحساب): no renewal levy of the property was unpaid when it was issued. */
export interface ClearanceCertificatesTable {
  id: string;
  org_id: string;
  /** The printed number, e.g. SARI-C-1405-000012. */
  number: string;
  /** Random code (Crockford base32) that anyone checks on /clearance/verify/:code. */
  verify_code: string;
  property_code: string;
  /** The latest Jalali year whose renewal levy was found paid. */
  periods_through: string | null;
  bills_checked: number;
  issued_by_kind: 'citizen' | 'staff' | 'anonymous' | 'system';
  issued_by: string | null;
  issued_at: Millis;
  valid_until: Millis;
}

/** A transaction of the built-in test bank (PAYMENT_GATEWAY=sandbox): what it was asked to charge and what the payer chose. */
export interface SandboxTransactionsTable {
  authority: string;
  /** In the gateway's unit (currency). */
  amount: number;
  currency: string;
  description: string;
  callback_url: string;
  order_id: string | null;
  status: 'pending' | 'paid' | 'failed' | 'cancelled' | 'verified';
  ref_id: string | null;
  card_mask: string | null;
  created_at: Millis;
  updated_at: Millis;
}

/** A kind of city problem a municipality takes reports of (۱۳۷), with its deadline and department. */
export interface ReportCategoriesTable {
  id: string;
  org_id: string;
  code: string;
  group: 'urban-services' | 'transport' | 'public-places' | 'beautification' | 'social';
  title_fa: string;
  title_en: string;
  /** Business days the department has to resolve a report. */
  deadline_days: number;
  department_fa: string;
  department_en: string;
  allow_anonymous: Flag;
  /** 0: retired by the org admin, not offered to citizens nor accepted when filing; its reports stay. */
  active: ColumnType<Flag, Flag | undefined, Flag>;
  /** JSON array of CategoryAttribute: the category's extra questions (Open311 attributes). */
  attributes: ColumnType<string, string | undefined, string>;
  created_at: Millis;
}

/** One extra question of a report category, with Open311's datatypes. */
export interface CategoryAttribute {
  code: string;
  datatype: 'string' | 'number' | 'datetime' | 'text' | 'singlevaluelist' | 'multivaluelist';
  required: boolean;
  /** Shown to the citizen (fa/en); Open311 gives the Persian text as description. */
  description_fa: string;
  description_en: string;
  order: number;
  /** For list datatypes: the allowed keys with their names. */
  values?: { key: string; name_fa: string; name_en: string }[];
}

export type ReportState = 'received' | 'in_progress' | 'scheduled' | 'resolved' | 'reopened' | 'transferred' | 'duplicate' | 'rejected';

/** A city problem placed on the map; citizen_id is null for an anonymous report. */
export interface ReportsTable {
  id: string;
  org_id: string;
  category_id: string;
  /** e.g. BABOL-137-1405-000012. */
  tracking_code: string;
  citizen_id: string | null;
  description: string;
  lat: number;
  lng: number;
  address: string | null;
  state: ReportState;
  duplicate_of: string | null;
  due_at: Millis | null;
  created_at: Millis;
  updated_at: Millis;
  resolved_at: Millis | null;
  /** Moderated: the description is not shown publicly (the original stays for the audit log). */
  hidden: Flag;
  /** The department it is assigned to (defaults to the category's), and the officer, if any. */
  assigned_department: string | null;
  assigned_to: string | null;
  /** How many times the citizen reopened it after it was resolved. */
  reopened_count: ColumnType<number, number | undefined, number>;
  /** The citizen's rating of the result, 1-5, with an optional comment. */
  rating: number | null;
  rating_comment: string | null;
  rated_at: Millis | null;
  /** The due_at whose breach was escalated; a new deadline is a new breach. */
  escalated_due_at: Millis | null;
  /** 'web', 'open311' (an API client) or 'counter'. */
  source: ColumnType<string, string | undefined, string>;
  /** Open311 token handed to the client that filed it. */
  token: string | null;
  api_client_id: string | null;
  /** JSON object of the answers to the category's attributes (code -> string or string[]). */
  attributes: string | null;
  /** When moderation last changed what is shown (the original is in the audit log). */
  moderated_at: Millis | null;
}

/** A photo attached to a report; hidden ones are kept for staff and the audit log only. */
export interface ReportPhotosTable {
  id: string;
  report_id: string;
  org_id: string;
  file_key: string;
  content_type: string;
  size: number;
  sha256: string;
  hidden: Flag;
  created_at: Millis;
}

/** A municipality's boundary (GeoJSON Polygon or MultiPolygon) and its bounding box. */
export interface MunicipalityAreasTable {
  org_id: string;
  geojson: string;
  min_lat: number;
  max_lat: number;
  min_lng: number;
  max_lng: number;
  /** Where it came from: 'demo' or the imported file's name. */
  source: string;
  updated_at: Millis;
}

/** A system that calls the API with a key (e.g. an Open311 client); only a hash of the key is kept. */
export interface ApiClientsTable {
  id: string;
  org_id: string;
  name: string;
  /** The first characters of the key, shown to tell keys apart and used to find the row. */
  key_prefix: string;
  key_hash: string;
  /** JSON array of scopes, e.g. ["reports.write"]. */
  scopes: string;
  created_by: string | null;
  created_at: Millis;
  last_used_at: Millis | null;
  revoked_at: Millis | null;
  /** Requests a minute this client may make (migration 0020; default 120). */
  rate_per_minute: Generated<number>;
  /** When the key was last replaced by a new one (rotation). */
  rotated_at: Millis | null;
  revoked_by: string | null;
}

/** A state change or comment on a report; internal ones are for staff only. */
export interface ReportUpdatesTable {
  id: string;
  report_id: string;
  org_id: string;
  state: ReportState;
  /** 'state' (a change of state), 'comment', 'assign', 'reopen', 'rating', 'moderation' or 'escalation'. */
  kind: ColumnType<string, string | undefined, string>;
  comment: string | null;
  internal: Flag;
  actor_kind: 'citizen' | 'staff' | 'anonymous' | 'system' | 'api_client';
  actor_id: string | null;
  /** For a change of state: the report's deadline in force at that moment (null on older rows and other kinds). */
  due_at?: ColumnType<Millis | null, Millis | null | undefined, Millis | null>;
  created_at: Millis;
}

export interface CouncilIndicatorsTable {
  code: string;
  title_fa: string;
  title_en: string;
  /** 'share' (0-1), 'score' (1-5), 'percent' (0-100), 'count', 'rials'. */
  unit: string;
  /** computed from the recorded events and the catalog, or entered with a source. */
  kind: 'computed' | 'entered';
  description_fa: string;
  description_en: string;
  higher_is_better: Flag;
  /** Its weight in the ranking of municipalities (0 = not ranked). */
  weight: number;
  position: number;
}

export interface CouncilIndicatorValuesTable {
  id: string;
  indicator: string;
  org_id: string;
  /** A Jalali period: '1404', '1404-s2', '1404-07'. */
  period: string;
  value: number;
  source: string;
  entered_by: string | null;
  created_at: Millis;
}

export interface CouncilIndicatorTargetsTable {
  id: string;
  indicator: string;
  /** '' = the province as a whole. */
  org_id: string;
  period: string;
  target: number;
  set_by: string | null;
  created_at: Millis;
}

export interface CouncilMeetingsTable {
  id: string;
  number: number;
  held_at: Millis;
  title_fa: string;
  title_en: string;
  /** JSON array of org codes. */
  orgs_present: string;
  summary_fa: string;
  summary_en: string;
  created_by: string | null;
  created_at: Millis;
}

export interface CouncilResolutionsTable {
  id: string;
  meeting_id: string;
  number: number;
  text_fa: string;
  text_en: string;
  responsible_org_id: string;
  deadline: Millis | null;
  expected_output_fa: string;
  expected_output_en: string;
  internal: Flag;
  state: 'open' | 'done' | 'cancelled';
  /** The latest reported progress, 0-100. */
  progress: number;
  /** The deadline whose passing was notified (each deadline once). */
  overdue_notified_for: Millis | null;
  created_at: Millis;
  updated_at: Millis;
}

export interface CouncilResolutionUpdatesTable {
  id: string;
  resolution_id: string;
  org_id: string;
  progress: number;
  note: string;
  actor_id: string | null;
  created_at: Millis;
}

export interface CouncilNoticesTable {
  id: string;
  org_id: string;
  staff_id: string;
  resolution_id: string;
  outbox_id: string;
  deadline: Millis;
  created_at: Millis;
  read_at: Millis | null;
}

/** Transparency rollup: one Tehran day ('YYYY-MM-DD') x org x service (template code; '' for reports) x kind. Counters only. */
export interface KpiDailyTable {
  day: string;
  org_id: string;
  service_code: string;
  kind: 'app' | 'report';
  started: number;
  started_submitted: number;
  received: number;
  online: number;
  counter: number;
  completed: number;
  completed_within: number;
  completed_online: number;
  rating_1: number;
  rating_2: number;
  rating_3: number;
  rating_4: number;
  rating_5: number;
  visits_saved: number;
  days_saved: number;
  reports_received: number;
  reports_resolved: number;
  reports_resolved_within: number;
  reports_reopened: number;
}

/** How many completions (kind 'app') or resolutions ('report') on that day took centi_days (business days x 100). */
export interface KpiDurationsTable {
  day: string;
  org_id: string;
  service_code: string;
  kind: 'app' | 'report';
  centi_days: number;
  n: number;
}

/** The last row (created_at, id) of a source the rollup worker has counted. */
export interface RollupCursorsTable {
  source: string;
  position_at: Millis;
  position_id: string;
  updated_at: Millis;
}

/** A cost an organization entered for a period (and optionally one service), for cost per transaction. */
export interface OrgCostsTable {
  id: string;
  org_id: string;
  /** '1404-07', '1404-s2' or '1404'. */
  period: string;
  service_code: string | null;
  cost_rials: number;
  note: string | null;
  entered_by: string | null;
  created_at: Millis;
}

/** A news article of an organization's public-relations office. */
export interface NewsArticlesTable {
  id: string;
  org_id: string;
  /** The news code (کد خبر): platform-wide, sequential, never reused. */
  code: number;
  lang: 'fa' | 'en';
  title: string;
  lead: string;
  body_format: 'markdown' | 'html';
  /** What the editor wrote (Markdown or HTML), kept for editing. */
  body_source: string;
  /** body_source rendered and sanitized: the only body ever served. */
  body_html: string;
  /** JSON array of tag strings as written (normalized Persian). */
  tags: string;
  state: 'draft' | 'scheduled' | 'published' | 'unpublished';
  /** When a scheduled article goes out. */
  publish_at: Millis | null;
  /** The date line: when it was (first) published. */
  published_at: Millis | null;
  /** The visible "updated" time of a correction after publication. */
  corrected_at: Millis | null;
  /** searchKey(title + lead + body text + tags). */
  search_text: string;
  created_by: string | null;
  updated_by: string | null;
  created_at: Millis;
  updated_at: Millis;
}

export interface NewsTagsTable {
  article_id: string;
  tag: string;
  /** searchKey(tag): the tag's URL and lookup form. */
  tag_key: string;
}

export interface NewsImagesTable {
  id: string;
  article_id: string;
  org_id: string;
  storage_key: string;
  mime: string;
  width: number;
  height: number;
  bytes: number;
  caption: string;
  position: number;
  created_at: Millis;
}

export interface NewsSharesTable {
  id: string;
  article_id: string;
  recipient_hash: string;
  ip_hash: string;
  created_at: Millis;
}

/** An organization's webhook subscription (migration 0021); deleted ones keep their row (deleted_at) for the delivery log. */
export interface WebhookSubscriptionsTable {
  id: string;
  org_id: string;
  url: string;
  description: string;
  /** The HMAC secret that signs deliveries (shown to the org admin once; emptied on delete). */
  secret: string;
  /** JSON array of event types. */
  event_types: string;
  active: Flag;
  created_by: string | null;
  created_at: Millis;
  updated_at: Millis;
  secret_rotated_at: Millis | null;
  deleted_at: Millis | null;
}

/** One event to one receiver (a subscription or an external back-office connection). */
export interface WebhookDeliveriesTable {
  id: string;
  org_id: string;
  subscription_id: string | null;
  connection_id: string | null;
  event_type: string;
  /** The exact JSON body that is signed and sent. */
  payload: string;
  url: string;
  secret: string | null;
  /** The receiver: 's:<subscription>', 'c:<connection>' or 'u:<url>'; ordering holds within a lane. */
  lane: string;
  ordering_key: string | null;
  seq: number;
  state: 'pending' | 'succeeded' | 'failed';
  attempts: number;
  next_attempt_at: Millis;
  last_status_code: number | null;
  last_error: string | null;
  created_at: Millis;
  settled_at: Millis | null;
}

export interface WebhookAttemptsTable {
  id: string;
  delivery_id: string;
  org_id: string;
  at: Millis;
  status_code: number | null;
  duration_ms: number;
  error: string | null;
}

/** An agency's e-service done on the agency's own site, listed in the single window (issue 8). */
export interface ExternalServicesTable {
  id: string;
  org_id: string;
  code: string;
  title_fa: string;
  title_en: string;
  description_fa: string;
  description_en: string;
  /** JSON array of { fa, en } required documents. */
  documents: string;
  maturity: number;
  /** Where the service is done (https). */
  url: string;
  category: string;
  active: Flag;
  /** searchKey() of code, titles and descriptions, as service_template_versions.search_text. */
  search_text: string;
  created_at: Millis;
  updated_at: Millis;
}

/** An adopted service processed in an external back-office system: new applications are forwarded there by a signed webhook. */
export interface ExternalConnectionsTable {
  id: string;
  org_id: string;
  org_service_id: string;
  url: string;
  /** The HMAC secret (kept to sign with; shown to the org admin once). */
  secret: string;
  active: Flag;
  created_at: Millis;
  updated_at: Millis;
  secret_rotated_at: Millis | null;
}

export interface Database {
  orgs: OrgsTable;
  staff: StaffTable;
  memberships: MembershipsTable;
  citizens: CitizensTable;
  otp_challenges: OtpChallengesTable;
  sessions: SessionsTable;
  outbox: OutboxTable;
  messages: MessagesTable;
  audit_log: AuditLogTable;
  counters: CountersTable;
  service_templates: ServiceTemplatesTable;
  service_template_versions: ServiceTemplateVersionsTable;
  org_services: OrgServicesTable;
  applications: ApplicationsTable;
  application_events: ApplicationEventsTable;
  documents: DocumentsTable;
  bills: BillsTable;
  bill_items: BillItemsTable;
  payments: PaymentsTable;
  payment_bills: PaymentBillsTable;
  staff_notices: StaffNoticesTable;
  sandbox_transactions: SandboxTransactionsTable;
  levy_imports: LevyImportsTable;
  clearance_certificates: ClearanceCertificatesTable;
  report_categories: ReportCategoriesTable;
  reports: ReportsTable;
  report_updates: ReportUpdatesTable;
  report_photos: ReportPhotosTable;
  municipality_areas: MunicipalityAreasTable;
  api_clients: ApiClientsTable;
  council_indicators: CouncilIndicatorsTable;
  council_indicator_values: CouncilIndicatorValuesTable;
  council_indicator_targets: CouncilIndicatorTargetsTable;
  council_meetings: CouncilMeetingsTable;
  council_resolutions: CouncilResolutionsTable;
  council_resolution_updates: CouncilResolutionUpdatesTable;
  council_notices: CouncilNoticesTable;
  kpi_daily: KpiDailyTable;
  kpi_durations: KpiDurationsTable;
  rollup_cursors: RollupCursorsTable;
  org_costs: OrgCostsTable;
  news_articles: NewsArticlesTable;
  news_tags: NewsTagsTable;
  news_images: NewsImagesTable;
  news_shares: NewsSharesTable;
  webhook_subscriptions: WebhookSubscriptionsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_attempts: WebhookAttemptsTable;
  external_services: ExternalServicesTable;
  external_connections: ExternalConnectionsTable;
}

export type { ColumnType, Generated };
