import type { ApiDeps } from '../api-deps';
import type { ApiRoute } from '../router';

/** The policies page's API. */
export function policiesRoutes(_d: ApiDeps): ApiRoute[] {
  return [];
}
