import type { ApiDeps } from '../api-deps';
import type { ApiRoute } from '../router';

/** The tasks page's API. */
export function tasksRoutes(_d: ApiDeps): ApiRoute[] {
  return [];
}
