/**
 * The campaigns page's API shapes (policy admins). Types only. Words and
 * derivations (phase, state labels, department lines) come from
 * src/domain/campaign.ts, the same the status card uses.
 */
import type { AudienceSpec, Progress } from '../domain/campaign';
import type { RecipientState } from '../domain/recipient.workflow';

/**
 * The audience as the form sends it: all staff, one or more departments, people who joined on or after a
 * date (YYYY-MM-DD), or the members of a team Countersign is in (its id from `CampaignOptions.teams`).
 */
export type AudienceInput = { kind: 'all' } | { kind: 'departments'; departments: string[] } | { kind: 'joinedSince'; since: string } | { kind: 'team'; teamId: string };

export interface CampaignSummary {
  id: string;
  title: string;
  versionId: string;
  versionLabel: string;
  audience: AudienceSpec;
  /** YYYY-MM-DD */
  deadline: string;
  reminderEveryDays: number;
  launchedAt: string;
  launchedByName: string;
  closed?: { at: string; byName: string };
  /** YYYY-MM-DD: the school day an admin last reminded now. */
  remindedOn?: string;
}

/** GET /api/campaigns: newest first. */
export interface CampaignListItem {
  campaign: CampaignSummary;
  progress: Progress;
}

/** GET /api/campaigns/options: what the launch form offers. */
export interface CampaignOptions {
  versions: Array<{ id: string; title: string; versionLabel: string; effectiveDate: string }>;
  departments: string[];
  /** How many current staff joined on each day (YYYY-MM-DD, ascending), as far as the directory knows join dates. */
  joinDays: Array<{ day: string; people: number }>;
  /** The teams Countersign is in, by name: a campaign can go to a team's members (those who are staff). Empty until it is added to one. */
  teams: Array<{ id: string; name: string }>;
  /** The school's today (YYYY-MM-DD): the earliest deadline. */
  today: string;
  defaultDeadline: string;
  defaultReminderEveryDays: number;
}

/** POST /api/campaigns */
export interface LaunchCampaignBody {
  versionId: string;
  deadline: string;
  reminderEveryDays: number;
  audience: AudienceInput;
}

/** GET /api/campaigns/:id (and the answer of launch, close and remind): the live dashboard. */
export interface CampaignDashboard {
  campaign: CampaignSummary;
  progress: Progress;
  /** "Remind now" is possible, or why not (closed, already reminded today). */
  remind: { allowed: boolean; why?: string };
  /** The school's today, YYYY-MM-DD. */
  today: string;
}

/** GET /api/campaigns/:id/completion: cumulative signatures at the end of each day someone signed. */
export interface CampaignCompletion {
  byDay: Array<{ day: string; signed: number }>;
}

/** One row of GET /api/campaigns/:id/not-signed (a ListPage; `department`, `cursor`, `limit` in the query). */
export interface NotSignedRow {
  userId: string;
  name: string;
  department: string;
  state: Exclude<RecipientState, 'signed'>;
  /** The state in a governor's words (recipientStateWords). */
  status: string;
  remindersSent: number;
  sentAt: string | null;
}

/** POST /api/campaigns/:id/export: a signed link to the CSV, and the governors' summary. */
export interface CampaignExport {
  file: string;
  link: string;
  rows: number;
  summary: string;
}

export const campaignPaths = {
  list: '/api/campaigns',
  options: '/api/campaigns/options',
  one: (id: string) => `/api/campaigns/${encodeURIComponent(id)}`,
  completion: (id: string) => `/api/campaigns/${encodeURIComponent(id)}/completion`,
  notSigned: (id: string) => `/api/campaigns/${encodeURIComponent(id)}/not-signed`,
  remind: (id: string) => `/api/campaigns/${encodeURIComponent(id)}/remind`,
  close: (id: string) => `/api/campaigns/${encodeURIComponent(id)}/close`,
  export: (id: string) => `/api/campaigns/${encodeURIComponent(id)}/export`,
} as const;
