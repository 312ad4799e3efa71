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
}

export type { ColumnType, Generated };
