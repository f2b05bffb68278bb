import { z } from 'zod';
import type { StaffMember } from '../../../domain/people';
import type { DevPerson, DevSession } from '../../../contract/api';
import type { DemoInboxService } from '../../../services/demo-inbox.service';
import { ApiError } from '../api-error';
import type { DevSessions } from '../identity';
import { route, type ApiRoute } from '../router';

/**
 * The embedded demo's sign-in, without a tenant: pick a demo person. These
 * routes are built only in the embedded mode (which listens on loopback only);
 * in every other mode they do not exist and a dev token gets 401.
 */
export function devRoutes(o: { sessions: DevSessions; people: () => Promise<StaffMember[]>; findStaff(id: string): Promise<StaffMember | undefined>; inbox?: DemoInboxService }): ApiRoute[] {
  const routes: ApiRoute[] = [
    route({
      method: 'get',
      path: '/dev/people',
      page: 'any',
      async handle(): Promise<DevPerson[]> {
        return (await o.people()).map((p) => ({ id: p.id, name: p.name, jobTitle: p.jobTitle, roles: p.roles }));
      },
    }),
    route({
      method: 'post',
      path: '/dev/session',
      page: 'any',
      input: z.object({ personId: z.string({ message: 'choose a demo person to sign in as' }).min(1, { message: 'choose a demo person to sign in as' }).max(100) }),
      async handle(_ctx, input: { personId: string }): Promise<DevSession> {
        const person = await o.findStaff(input.personId);
        if (!person) throw new ApiError(400, 'API.INVALID_INPUT', 'personId: no one with this id in the demo school. Choose someone from the list.', { field: 'personId' });
        return o.sessions.issue(person.id);
      },
    }),
  ];
  if (o.inbox) {
    const inbox = o.inbox;
    // Kept from issue 8: a demo person's inbox without signing in (loopback only). The tab's page uses /api/inboxes.
    routes.push({
      method: 'get',
      path: '/dev/inbox/:personId',
      page: 'any',
      input: z.object({ personId: z.string().max(100) }),
      async handle(_ctx, input: { personId: string }) {
        const person = await o.findStaff(input.personId);
        if (!person) throw new ApiError(404, 'INBOX.UNKNOWN_PERSON', 'No one with this id in the demo school.');
        const cards = await inbox.listInbox(person.id);
        return { person: { id: person.id, name: person.name, jobTitle: person.jobTitle }, cards };
      },
    });
  }
  return routes;
}
