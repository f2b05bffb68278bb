import { pageLabels, pagesFor, type PageContext } from '../../../domain/tab-pages';
import type { MeResponse } from '../../../contract/api';
import { route, type ApiRoute } from '../router';

/** Who I am and which pages I may use: the tab builds its navigation from this. */
export function meRoutes(o: { pages: PageContext; schoolName: string; timeZone: string }): ApiRoute[] {
  return [
    route({
      method: 'get',
      path: '/me',
      page: 'any',
      async handle({ me, viewer }): Promise<MeResponse> {
        return {
          person: { id: me.id, name: me.name, jobTitle: me.jobTitle, department: me.department, roles: me.roles },
          pages: pagesFor(viewer, o.pages).map((id) => ({ id, label: pageLabels[id] })),
          school: { name: o.schoolName, timeZone: o.timeZone },
          demo: o.pages.demo,
        };
      },
    }),
  ];
}
