import type { ApiDeps } from '../api-deps';
import type { ApiRoute } from '../router';

/** The register page's API. */
export function registerRoutes(_d: ApiDeps): ApiRoute[] {
  return [];
}
