import { z } from 'zod';
import type { RequestList } from '../../../contract/approvals';
import { requestStatuses } from '../../../contract/approvals';
import type { RequestStatus } from '../../../domain/account-request';
import { addDays } from '../../../domain/calendar-date';
import { startOfLocalDay } from '../../../domain/display-dates';
import type { ApiDeps } from '../api-deps';
import { ApiError } from '../api-error';
import { cursorParam, encodeCursor, limitParam } from '../paging';
import { route, type ApiRoute } from '../router';
import { requestSummary } from './request-views';

export const DEFAULT_LIMIT = 25;
export const MAX_LIMIT = 100;

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a day as YYYY-MM-DD')
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), 'not a day of the calendar');

const listInput = z
  .object({
    status: z
      .string()
      .max(200)
      .optional()
      .transform((s, c) => {
        const list = (s ?? '').split(',').map((x) => x.trim()).filter(Boolean);
        const bad = list.find((x) => !requestStatuses.includes(x as RequestStatus));
        if (bad) {
          c.addIssue({ code: 'custom', message: `“${bad.slice(0, 40)}” is not a status; use ${requestStatuses.join(', ')}` });
          return z.NEVER;
        }
        return list as RequestStatus[];
      }),
    from: day.optional(),
    to: day.optional(),
    q: z.string().max(200, 'keep it under 200 characters').optional(),
    cursor: cursorParam(([createdAt]) => !Number.isNaN(Date.parse(createdAt))),
    limit: limitParam(DEFAULT_LIMIT, MAX_LIMIT),
  })
  .superRefine((v, c) => {
    if (v.from && v.to && v.to < v.from) c.addIssue({ code: 'custom', path: ['to'], message: 'must be on or after from' });
  });

/**
 * The Approvals page: every request of the school, newest first, filtered by
 * status, by the day it was made (the school's days) and by words, paged on
 * the server. A request's own page is GET /api/requests/:id (tasks.routes.ts).
 */
export function approvalsRoutes(d: ApiDeps): ApiRoute[] {
  return [
    route({
      method: 'get',
      path: '/requests',
      page: 'approvals',
      input: listInput,
      async handle(ctx, q): Promise<RequestList> {
        if (!ctx.me.schoolId) throw new ApiError(403, 'ACTOR.UNKNOWN', 'Your staff record has no school, so there are no requests to show.');
        const page = await d.requests.listSchool({
          schoolId: ctx.me.schoolId,
          statuses: q.status,
          createdFrom: q.from ? startOfLocalDay(q.from, d.timeZone) : undefined,
          createdBefore: q.to ? startOfLocalDay(addDays(q.to, 1), d.timeZone) : undefined,
          search: q.q,
          after: q.cursor && { createdAt: q.cursor[0], id: q.cursor[1] },
          limit: q.limit,
        });
        return {
          items: page.items.map((r) => requestSummary(r, { timeZone: d.timeZone, viewerId: ctx.me.id })),
          ...(page.next ? { next: encodeCursor([page.next.createdAt, page.next.id]) } : {}),
        };
      },
    }),
  ];
}
