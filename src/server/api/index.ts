import type { Router } from 'express';
import { hasLeft, type StaffMember } from '../../domain/people';
import type { PageContext } from '../../domain/tab-pages';
import type { ApiDeps } from './api-deps';
import type { Authenticator, DevSessions } from './identity';
import { apiRouter, type ApiRoute } from './router';
import { approvalsRoutes } from './routes/approvals.routes';
import { campaignsRoutes } from './routes/campaigns.routes';
import { devRoutes } from './routes/dev.routes';
import { inboxesRoutes } from './routes/inboxes.routes';
import { meRoutes } from './routes/me.routes';
import { policiesRoutes } from './routes/policies.routes';
import { settingsRoutes } from './routes/settings.routes';
import { registerRoutes } from './routes/register.routes';
import { tasksRoutes } from './routes/tasks.routes';

/** Every signed-in route of the tab's API, page by page: the one table the router serves (and the property test fuzzes). */
export function tabApiRoutes(d: ApiDeps): ApiRoute[] {
  const pages: PageContext = { demo: d.embedded };
  return [
    ...meRoutes({ pages, schoolName: d.schoolName, timeZone: d.timeZone }),
    ...tasksRoutes(d),
    ...approvalsRoutes(d),
    ...campaignsRoutes(d),
    ...registerRoutes(d),
    ...policiesRoutes(d),
    ...settingsRoutes(d),
    ...inboxesRoutes(d),
  ];
}

/** A route as the API serves it under /api: `open` when it needs no sign-in (the embedded mode's dev sign-in). */
export type ServedRoute = Pick<ApiRoute, 'method' | 'path' | 'page' | 'input'> & { open: boolean };

/** The tab's API: every page's routes in one table, behind one sign-in check. `routes` lists what it serves. */
export function tabApi(d: ApiDeps, o: { auth: Authenticator; dev?: { sessions: DevSessions; people: () => Promise<StaffMember[]> }; bodyLimit: string; ratePerMinute: number }): Router & { routes: readonly ServedRoute[] } {
  const pages: PageContext = { demo: d.embedded };
  // A leaver (marked left by the roster sync) is not staff here: 403 AUTH.NOT_STAFF, as for a stranger.
  const findStaff = async (id: string) => {
    const s = await d.directory.getStaffNow(id);
    return s && !hasLeft(s) ? s : undefined;
  };
  const routes = tabApiRoutes(d);
  const open = o.dev ? devRoutes({ ...o.dev, findStaff, inbox: d.inbox }) : [];
  const router = apiRouter(routes, { auth: o.auth, findStaff, pages, bodyLimit: o.bodyLimit, ratePerMinute: o.ratePerMinute, log: d.log, open });
  const served: ServedRoute[] = [...open.map((r) => ({ r, open: true })), ...routes.map((r) => ({ r, open: false }))].map(({ r, open }) => ({ method: r.method, path: r.path, page: r.page, input: r.input, open }));
  return Object.assign(router, { routes: served });
}
