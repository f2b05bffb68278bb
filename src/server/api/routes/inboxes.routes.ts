import type { ApiDeps } from '../api-deps';
import type { ApiRoute } from '../router';

/** The inboxes page's API. */
export function inboxesRoutes(_d: ApiDeps): ApiRoute[] {
  return [];
}
