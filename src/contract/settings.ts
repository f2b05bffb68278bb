/**
 * The Settings page's API shapes (types only; the tab imports them). Policy admins only.
 *
 *   GET /api/settings/roles                       → RolesOverview: every role, and who holds each
 *   GET /api/settings/people?q=                   → PersonRoles[]: staff to give a role to (at most 20)
 *   PUT /api/settings/people/:personId/roles      SetRolesBody → PersonRoles
 *   GET /api/settings/subject-access/people?q=    → PersonRoles[]: anyone Countersign holds, leavers included (at most 20)
 *   POST /api/settings/subject-access             SubjectAccessBody → SubjectAccessAnswer (an audited export)
 *
 * A change applies at once: the next action of the person is checked with their new roles.
 */
import type { SchoolRole } from '../domain/people';
import type { SubjectAccessExport } from '../domain/subject-access';

export type { SubjectAccessExport };

export interface RoleInfo {
  role: SchoolRole;
  label: string;
  /** What the role lets a person do. */
  duties: string;
  /** Approvals go to one holder: one person at a time. */
  singleHolder: boolean;
}

export interface PersonRoles {
  id: string;
  name: string;
  email: string;
  jobTitle: string;
  department: string;
  roles: SchoolRole[];
  /** The day they left the school (YYYY-MM-DD), for people who have: offered only where leavers are (subject access). */
  leftOn?: string;
}

export interface RolesOverview {
  roles: RoleInfo[];
  /** Everyone who holds at least one role, by name. */
  holders: PersonRoles[];
}

export interface SetRolesBody {
  /** Exactly the roles the person should hold; [] takes every role away. */
  roles: SchoolRole[];
}

/** Whose data to export: their id, or their e-mail address. */
export interface SubjectAccessBody {
  personId: string;
}

/**
 * Everything Countersign holds about the person, as the two files to save. Asking for it is recorded
 * in the audit trail (who exported whose data, when), so each answer is one export.
 */
export interface SubjectAccessAnswer {
  person: { id: string; name: string; email: string; leftOn?: string };
  /** File name without extension: save `${fileBase}.json` and `${fileBase}.csv`. */
  fileBase: string;
  /** The export as JSON (format countersign.subject-access.v1). */
  json: string;
  /** The same records, one row each, as CSV (UTF-8 with a byte order mark; formula-safe cells). */
  csv: string;
  /** How many records of each kind it holds, for the page to say. */
  counts: Array<{ kind: string; count: number }>;
}

export const settingsPaths = {
  roles: '/api/settings/roles',
  people: '/api/settings/people',
  subjectAccess: '/api/settings/subject-access',
  subjectAccessPeople: '/api/settings/subject-access/people',
  personRoles: (personId: string) => `/api/settings/people/${encodeURIComponent(personId)}/roles`,
} as const;
