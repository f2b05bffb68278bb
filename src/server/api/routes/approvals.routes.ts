import type { ApiDeps } from '../api-deps';
import type { ApiRoute } from '../router';

/** The approvals page's API. */
export function approvalsRoutes(_d: ApiDeps): ApiRoute[] {
  return [];
}
