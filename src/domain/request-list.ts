import type { AccountRequest, RequestStatus } from './account-request';

/**
 * Which requests of a school the Approvals page lists: the filter and the
 * order every store applies, newest first. Search is a case-insensitive
 * substring of the account's name (reference, platform, department) or the
 * requester's name.
 */
export interface RequestListFilter {
  schoolId: string;
  /** Any of these; empty or absent: every status. */
  statuses?: readonly RequestStatus[];
  /** Created at or after this instant (ISO). */
  createdFrom?: string;
  /** Created before this instant (ISO). */
  createdBefore?: string;
  search?: string;
}

/** Where a page of the list ended: the last request it covered, in list order. */
export interface RequestListPosition {
  createdAt: string;
  id: string;
}

export interface RequestListQuery extends RequestListFilter {
  /** Start after this position; absent: from the newest. */
  after?: RequestListPosition;
  limit: number;
}

export interface RequestListPage {
  items: AccountRequest[];
  /** Where the next page starts; absent when nothing follows. */
  next?: RequestListPosition;
}

/** List order: newest first, then by id (descending) among requests made at the same moment. */
export function compareListOrder(a: RequestListPosition, b: RequestListPosition): number {
  const ta = Date.parse(a.createdAt);
  const tb = Date.parse(b.createdAt);
  if (ta !== tb) return tb - ta;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/** True when `r` comes after `position` in list order. */
export const isAfter = (r: RequestListPosition, position: RequestListPosition | undefined): boolean => !position || compareListOrder(r, position) > 0;

/** The search words as the stores compare them. */
export const searchText = (s: string | undefined): string => (s ?? '').trim().toLowerCase();

/** Whether a request passes the filter (the stores may apply parts of it in their own query language first). */
export function matchesFilter(r: AccountRequest, f: RequestListFilter): boolean {
  if (r.schoolId !== f.schoolId) return false;
  if (f.statuses?.length && !f.statuses.includes(r.status)) return false;
  const t = Date.parse(r.createdAt);
  if (f.createdFrom && t < Date.parse(f.createdFrom)) return false;
  if (f.createdBefore && t >= Date.parse(f.createdBefore)) return false;
  const q = searchText(f.search);
  if (q) {
    const hay = [r.reference, r.details.platform, r.details.department, r.requesterName].join('\n').toLowerCase();
    if (!hay.includes(q)) return false;
  }
  return true;
}
