import { createRemoteJWKSet, errors, jwtVerify } from 'jose';
import type { Clock } from '../../ports/clock';
import type { SsoConfig } from '../config';
import { ApiError } from './api-error';
import type { Authenticator, Identity } from './identity';

/** The scope the tab asks Teams for (the SSO app exposes it; teamsapp.yml's aadApp/update step, with aad.manifest.json). */
const SCOPE = 'access_as_user';
/** Leeway for clocks that differ between Entra and this server, on exp and nbf. */
const CLOCK_SKEW_S = 60;

/**
 * Failures that say the token is not acceptable. Everything else (the key set could not be
 * fetched, timed out, or was not JSON) is an outage on the way to Entra, not the caller's fault.
 */
const tokenFaults = [
  errors.JWTExpired,
  errors.JWTClaimValidationFailed,
  errors.JWTInvalid,
  errors.JWSInvalid,
  errors.JWSSignatureVerificationFailed,
  errors.JOSEAlgNotAllowed,
  errors.JOSENotSupported,
  errors.JWKSNoMatchingKey,
  errors.JWKSMultipleMatchingKeys,
];

/**
 * Teams SSO for the tab's API. The tab gets a token from Teams (`authentication.getAuthToken()`)
 * and sends it as `Authorization: Bearer …`; this checks it against the tenant's keys and answers
 * the caller's Entra object id. The caller's roles come from the store afterwards, never from the token.
 *
 * What is checked, and why (learn.microsoft.com: Teams, "Add code to enable SSO in your tab app",
 * Validate the access token; Entra, "Access token claims reference" and "App manifest reference",
 * accessTokenAcceptedVersion):
 * - signature: RS256 only (Entra signs with RS256; refusing every other alg stops `none` and
 *   RS/HS confusion), by a key from the tenant's key set, `{authority}/{tenant}/discovery/v2.0/keys`.
 * - `iss`: the tenant's v2.0 issuer `{authority}/{tenant}/v2.0`, or the v1.0 one
 *   `https://sts.windows.net/{tenant}/`. Which one Entra issues depends on the SSO app's
 *   `accessTokenAcceptedVersion` (null, the default, means v1.0), not on the client. The v1.0
 *   issuer is the public cloud's; a sovereign cloud would need its own.
 * - `aud`: in v2.0 tokens always the client id; in v1.0 tokens the client id or the Application
 *   ID URI the client asked for (`api://<host>/<client id>`, the manifest's webApplicationInfo.resource).
 * - `scp` (space-separated) contains `access_as_user`: a token for another of the app's scopes,
 *   or an app-only token (no `scp`), is not the tab's user.
 * - `tid` is the school's tenant: the issuer already names it, and the claims reference says to
 *   weigh `tid` in authorization decisions, so it is checked in its own right.
 * - `exp`/`nbf` with 60 s of skew, against the app's clock.
 * Anything else is refused without saying why (the router answers 401). The token is never logged.
 *
 * The key set is fetched once and cached (jose 6, createRemoteJWKSet, jwks/remote.d.ts: kept up
 * to 10 minutes, `cacheMaxAge`). A token naming a `kid` not in the cached set triggers one refetch, but only
 * once 30 s have passed since the last fetch (`cooldownDuration`), so Entra's key rotation is
 * picked up while forged kids cannot make this server hammer Entra.
 *
 * On-Behalf-Of (exchanging this token for a Graph token) is not built: nothing in the tab calls
 * Graph as the user yet.
 */
export function ssoAuthenticator(sso: SsoConfig, o: { clock: Clock; log(msg: string): void }): Authenticator {
  const tenant = encodeURIComponent(sso.tenantId);
  const keys = createRemoteJWKSet(new URL(`${sso.authorityHost}/${tenant}/discovery/v2.0/keys`));
  const issuer = [`${sso.authorityHost}/${sso.tenantId}/v2.0`, `https://sts.windows.net/${sso.tenantId}/`];

  return {
    async authenticate(authorization: string | undefined): Promise<Identity | undefined> {
      // A compact JWS: three base64url parts. Dev tokens (`dev.…`) have four and never get this far.
      const m = /^Bearer ([\w-]+\.[\w-]+\.[\w-]+)$/.exec(authorization ?? '');
      if (!m) return undefined;
      try {
        const { payload } = await jwtVerify(m[1]!, keys, {
          algorithms: ['RS256'],
          issuer,
          audience: sso.audiences,
          clockTolerance: CLOCK_SKEW_S,
          currentDate: o.clock.now(),
          requiredClaims: ['exp', 'tid', 'oid', 'scp'],
        });
        if (payload.tid !== sso.tenantId) return undefined;
        if (typeof payload.scp !== 'string' || !payload.scp.split(' ').includes(SCOPE)) return undefined;
        if (typeof payload.oid !== 'string' || !payload.oid) return undefined;
        return { userId: payload.oid, via: 'sso' };
      } catch (e) {
        if (tokenFaults.some((fault) => e instanceof fault)) return undefined;
        o.log(`SSO token not checked: the tenant's signing keys are unavailable: ${(e as Error).message}`);
        throw new ApiError(503, 'AUTH.KEYS_UNAVAILABLE', 'Sign-in cannot be checked just now. Try again shortly.');
      }
    },
  };
}
