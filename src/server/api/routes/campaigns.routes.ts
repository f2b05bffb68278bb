import type { ApiDeps } from '../api-deps';
import type { ApiRoute } from '../router';

/** The campaigns page's API. */
export function campaignsRoutes(_d: ApiDeps): ApiRoute[] {
  return [];
}
