import type { LinkSigner } from '../../ports/crypto';
import type { Clock } from '../../ports/clock';

/** Who called, as established from their token. The person's roles come from the store afterwards, never from the token. */
export interface Identity {
  /** The Entra object id (the staff id). */
  userId: string;
  via: 'sso' | 'dev';
}

/** Checks an Authorization header. Undefined for anything it cannot accept: the router answers 401 without saying why. */
export interface Authenticator {
  authenticate(authorization: string | undefined): Promise<Identity | undefined>;
}

/** How long a dev sign-in lasts: a school day. */
const DEV_SESSION_MS = 12 * 60 * 60_000;

/**
 * The embedded demo's sign-in as any demo person: a token signed with the
 * server's own link secret, `dev.<person>.<expiry>.<signature>`. It exists
 * only in the embedded mode (loopback only); every other mode builds the SSO
 * authenticator instead, which refuses these tokens like any other non-JWT.
 */
export class DevSessions implements Authenticator {
  constructor(
    private readonly signer: LinkSigner,
    private readonly clock: Clock,
  ) {}

  issue(userId: string): { token: string; expiresAt: string } {
    const exp = this.clock.now().getTime() + DEV_SESSION_MS;
    const person = Buffer.from(userId, 'utf8').toString('base64url');
    return { token: `dev.${person}.${exp}.${this.signer.sign(`dev:${person}:${exp}`)}`, expiresAt: new Date(exp).toISOString() };
  }

  async authenticate(authorization: string | undefined): Promise<Identity | undefined> {
    const m = /^Bearer dev\.([\w-]{1,200})\.(\d{1,15})\.([\w-]{1,100})$/.exec(authorization ?? '');
    if (!m) return undefined;
    const [, person, exp, signature] = m;
    if (!this.signer.verify(`dev:${person}:${exp}`, signature!)) return undefined;
    if (Number(exp) <= this.clock.now().getTime()) return undefined;
    return { userId: Buffer.from(person!, 'base64url').toString('utf8'), via: 'dev' };
  }
}
