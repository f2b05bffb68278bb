import { CallerIdConstants, type Activity } from 'botbuilder';
import { AuthenticationConstants, type BotFrameworkAuthentication } from 'botframework-connector';
import type { RequestHandler } from 'express';

/**
 * Outside embedded mode, checks the Bot Framework token of an activity before botbuilder
 * handles it, so that every forged or broken token gets the same 401 with our own words.
 *
 * Left to itself, botbuilder's CloudAdapter.process answers 500 with the library's message
 * whenever jsonwebtoken throws something other than an expired token: a wrong signature,
 * `alg: none`, HS256 signed with the public key, a malformed token (botframework-connector 4.23,
 * JwtTokenExtractor.validateToken rethrows them; CloudAdapter maps only AuthenticationError to 401).
 *
 * botbuilder checks the token again when it processes the activity; by then the signing keys
 * are cached (OpenIdMetadata keeps them for 24 hours), so the second check costs one RSA verify.
 */

/** Bot Framework signs its tokens with RSA; these are the algorithms botbuilder accepts (ToBotFromChannelTokenValidationParameters). */
const RSA_ALGORITHMS = new Set(['RS256', 'RS384', 'RS512']);

function refuse(res: Parameters<RequestHandler>[1]) {
  res.status(401).json({ error: 'AUTH.INVALID_TOKEN', message: 'This request does not carry a valid Bot Framework token.' });
}

/** The token's header, if the Authorization header is `Bearer` and a three-part JWT with an RSA algorithm and a key id. */
function plausibleToken(header: string | undefined): boolean {
  const m = /^Bearer ([\w-]+)\.([\w-]+)\.([\w-]+)$/.exec(header ?? '');
  if (!m) return false;
  try {
    const jose = JSON.parse(Buffer.from(m[1], 'base64url').toString('utf8')) as { alg?: unknown; kid?: unknown };
    return typeof jose.alg === 'string' && RSA_ALGORITHMS.has(jose.alg) && typeof jose.kid === 'string' && jose.kid !== '';
  } catch {
    // Not JSON: not a JWT, so not a token Bot Framework issued.
    return false;
  }
}

/** True when the signing keys could not be fetched: an outage to report as such, not a forged token. */
function keysUnavailable(e: unknown): boolean {
  const err = e as { name?: string; statusCode?: number };
  // node-fetch names network failures FetchError; OpenIdMetadata throws AuthenticationError with status 500 on a non-2xx answer.
  return err?.name === 'FetchError' || (typeof err?.statusCode === 'number' && err.statusCode >= 500);
}

export function tokenGuard(auth: BotFrameworkAuthentication, log: (msg: string) => void): RequestHandler {
  return async (req, res, next) => {
    const header = req.headers.authorization;
    if (!plausibleToken(header)) return refuse(res);
    try {
      await auth.authenticateRequest(req.body as Activity, header!);
    } catch (e) {
      if (keysUnavailable(e)) {
        log(`bot token not checked: Bot Framework signing keys unavailable: ${(e as Error).message}`);
        res.status(503).set('Retry-After', '10').json({ error: 'AUTH.KEYS_UNAVAILABLE', message: 'The Bot Framework signing keys cannot be fetched just now. Try again shortly.' });
        return;
      }
      // Everything else, whatever the library calls it, is a token we cannot accept.
      return refuse(res);
    }
    next();
  };
}

/**
 * The Bot Framework settings for the public cloud, with the address of the signing keys replaced:
 * tests point it at a local key server. (botbuilder takes all of these or none: given one, it
 * leaves the others unset; BotFrameworkAuthenticationFactory.create.)
 */
export function signingKeysAt(openIdMetadataUrl: string) {
  return {
    ValidateAuthority: true,
    ToChannelFromBotLoginUrl: AuthenticationConstants.ToChannelFromBotLoginUrl,
    ToChannelFromBotOAuthScope: AuthenticationConstants.ToChannelFromBotOAuthScope,
    ToBotFromChannelTokenIssuer: AuthenticationConstants.ToBotFromChannelTokenIssuer,
    OAuthUrl: AuthenticationConstants.OAuthUrl,
    ToBotFromChannelOpenIdMetadataUrl: openIdMetadataUrl,
    ToBotFromEmulatorOpenIdMetadataUrl: openIdMetadataUrl,
    CallerId: CallerIdConstants.PublicAzureChannel,
  };
}
