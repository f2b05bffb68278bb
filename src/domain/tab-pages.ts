import { domainError, ErrorCodes, type DomainError } from './errors';
import type { SchoolRole } from './people';
import type { Viewer } from './request-permissions';

/**
 * The tab's pages and who may use each: decided here, once. The server builds
 * the navigation from it and every API route of a page refuses with it (403),
 * so a page someone may not use is neither shown nor reachable.
 */
export type TabPage = 'tasks' | 'approvals' | 'campaigns' | 'register' | 'policies' | 'settings' | 'inboxes';

export const tabPages: readonly TabPage[] = ['tasks', 'approvals', 'campaigns', 'register', 'policies', 'settings', 'inboxes'];

/** Roles that may open each page; `everyone` for pages every member of staff has. */
const pageRoles: Record<Exclude<TabPage, 'inboxes'>, readonly SchoolRole[] | 'everyone'> = {
  tasks: 'everyone',
  approvals: ['ictLeader', 'headTeacher', 'deputyHead', 'policyAdmin'],
  campaigns: ['policyAdmin'],
  register: ['ictLeader', 'headTeacher', 'policyAdmin'],
  policies: ['policyAdmin'],
  settings: ['policyAdmin'],
};

export const pageLabels: Record<TabPage, string> = {
  tasks: 'My tasks',
  approvals: 'Approvals',
  campaigns: 'Campaigns',
  register: 'Account register',
  policies: 'Policies',
  settings: 'Settings',
  inboxes: 'Demo inboxes',
};

export interface PageContext {
  /** The embedded demo: only there do the demo inboxes exist. */
  demo: boolean;
}

/** Undefined when `viewer` may use `page`; otherwise why not, with a stable code. */
export function pageRefusal(viewer: Viewer, page: TabPage, ctx: PageContext): DomainError | undefined {
  if (page === 'inboxes') return ctx.demo ? undefined : domainError(ErrorCodes.PAGE_NOT_ALLOWED, 'Demo inboxes exist only in the embedded demo.');
  const allowed = pageRoles[page];
  if (allowed === 'everyone' || (viewer.roles ?? []).some((r) => allowed.includes(r))) return undefined;
  const who = allowed.map((r) => roleNames[r]).join(', ');
  return domainError(ErrorCodes.PAGE_NOT_ALLOWED, `${pageLabels[page]} is for ${who}. Ask your school's policy admin if you need it.`);
}

/** The pages `viewer` may use, in navigation order. */
export function pagesFor(viewer: Viewer, ctx: PageContext): TabPage[] {
  return tabPages.filter((p) => !pageRefusal(viewer, p, ctx));
}

const roleNames: Record<SchoolRole, string> = {
  ictLeader: 'the ICT leader',
  headTeacher: 'the head teacher',
  deputyHead: 'the deputy head',
  policyAdmin: 'policy admins',
  networkManager: 'the network manager',
};
