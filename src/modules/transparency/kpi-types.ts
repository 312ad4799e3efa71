/** The shapes of the published figures (see KPI_DEFINITIONS for what each one means). */

/** Where the figures are about: one municipality (org code) or the whole province; optionally one service (template code). */
export interface Scope {
  org?: string;
  service?: string;
}

export interface Satisfaction {
  /** Ratings 1..5: how many of each. */
  distribution: [number, number, number, number, number];
  respondents: number;
  mean: number | null;
}

export interface ApplicationKpis {
  received: number;
  completed: number;
  completion_rate: number | null;
  median_days: number | null;
  p90_days: number | null;
  within_deadline: number | null;
  digital_share: number | null;
  online: number;
  counter: number;
  started: number;
  satisfaction: Satisfaction;
  cost_per_transaction: number | null;
  visits_saved: number;
  days_saved: number;
  citizen_cost_saved: number;
}

export interface ReportKpis {
  received: number;
  resolved: number;
  resolved_within_deadline: number | null;
  reopened: number;
  median_days: number | null;
}

export interface KpiSet {
  applications: ApplicationKpis;
  reports: ReportKpis;
}
