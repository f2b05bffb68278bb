import type { Router } from 'express';
import { hasLeft, type StaffMember } from '../../domain/people';
import type { PageContext } from '../../domain/tab-pages';
import type { ApiDeps } from './api-deps';
import type { Authenticator, DevSessions } from './identity';
import { apiRouter } from './router';
import { approvalsRoutes } from './routes/approvals.routes';
import { campaignsRoutes } from './routes/campaigns.routes';
import { devRoutes } from './routes/dev.routes';
import { inboxesRoutes } from './routes/inboxes.routes';
import { meRoutes } from './routes/me.routes';
import { policiesRoutes } from './routes/policies.routes';
import { settingsRoutes } from './routes/settings.routes';
import { registerRoutes } from './routes/register.routes';
import { tasksRoutes } from './routes/tasks.routes';

/** The tab's API: every page's routes in one table, behind one sign-in check. */
export function tabApi(d: ApiDeps, o: { auth: Authenticator; dev?: { sessions: DevSessions; people: () => Promise<StaffMember[]> }; bodyLimit: string; ratePerMinute: number }): Router {
  const pages: PageContext = { demo: d.embedded };
  // A leaver (marked left by the roster sync) is not staff here: 403 AUTH.NOT_STAFF, as for a stranger.
  const findStaff = async (id: string) => {
    const s = await d.directory.getStaffNow(id);
    return s && !hasLeft(s) ? s : undefined;
  };
  return apiRouter(
    [
      ...meRoutes({ pages, schoolName: d.schoolName, timeZone: d.timeZone }),
      ...tasksRoutes(d),
      ...approvalsRoutes(d),
      ...campaignsRoutes(d),
      ...registerRoutes(d),
      ...policiesRoutes(d),
      ...settingsRoutes(d),
      ...inboxesRoutes(d),
    ],
    {
      auth: o.auth,
      findStaff,
      pages,
      bodyLimit: o.bodyLimit,
      ratePerMinute: o.ratePerMinute,
      log: d.log,
      open: o.dev ? devRoutes({ ...o.dev, findStaff, inbox: d.inbox }) : undefined,
    },
  );
}
