/**
 * The Settings page's API shapes (types only; the tab imports them). Policy admins only.
 *
 *   GET /api/settings/roles                       → RolesOverview: every role, and who holds each
 *   GET /api/settings/people?q=                   → PersonRoles[]: staff to give a role to (at most 20)
 *   PUT /api/settings/people/:personId/roles      SetRolesBody → PersonRoles
 *
 * A change applies at once: the next action of the person is checked with their new roles.
 */
import type { SchoolRole } from '../domain/people';

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

export const settingsPaths = {
  roles: '/api/settings/roles',
  people: '/api/settings/people',
  personRoles: (personId: string) => `/api/settings/people/${encodeURIComponent(personId)}/roles`,
} as const;
