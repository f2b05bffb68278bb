import type { Config } from '../config';
import type { Authenticator } from './identity';

/**
 * Teams SSO tokens, checked with jose against the tenant's keys. Until that
 * lands (issue 9), nothing outside the embedded mode is accepted.
 */
export function ssoAuthenticator(_config: Config): Authenticator {
  return { authenticate: async () => undefined };
}
