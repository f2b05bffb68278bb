/** The Approvals page: every request of the school, a page at a time. Types only. */
import type { RequestStatus } from '../domain/account-request';
import type { ListPage } from './api';
import type { RequestSummary } from './tasks';

/** GET /api/requests: the query. Days are the school's calendar days (YYYY-MM-DD), both ends included. */
export interface RequestListParams {
  /** Comma-separated statuses; absent: all. */
  status?: string;
  from?: string;
  to?: string;
  q?: string;
  cursor?: string;
  /** Default 25, at most 100. */
  limit?: number;
}

export type RequestList = ListPage<RequestSummary>;

export const requestStatuses: readonly RequestStatus[] = ['pending', 'returned', 'approved', 'rejected', 'withdrawn'];

export const statusLabels: Record<RequestStatus, string> = {
  pending: 'Pending',
  returned: 'Returned for changes',
  approved: 'Approved',
  rejected: 'Rejected',
  withdrawn: 'Withdrawn',
};

export const approvalsPaths = {
  requests: '/api/requests',
} as const;
