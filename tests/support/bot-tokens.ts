import { createHmac, createSign, createVerify, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { ServiceClientCredentialsFactory, TokenCredentials } from 'botframework-connector';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for Bot Framework's token signing: an OpenID metadata document and its key set
 * (the shape botframework-connector's OpenIdMetadata reads), and a signer for tokens as the
 * Bot Connector sends them (learn.microsoft.com, "Authenticate requests with the Bot Connector API":
 * RS256, iss https://api.botframework.com, aud = the bot's app id, a serviceurl claim).
 */
export class BotTokenIssuer {
  readonly kid = 'local-signing-key';
  private readonly keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  /** A second key pair that no key set publishes: what a forger holds. */
  readonly forgerKey: KeyObject = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  private server?: Server;
  metadataUrl = '';

  async start() {
    const jwk = this.keys.publicKey.export({ format: 'jwk' });
    this.server = createServer((req, res) => {
      const base = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
      res.setHeader('content-type', 'application/json');
      if (req.url === '/.well-known/openidconfiguration') {
        res.end(JSON.stringify({ issuer: 'https://api.botframework.com', jwks_uri: `${base}/keys`, id_token_signing_alg_values_supported: ['RS256'] }));
      } else if (req.url === '/keys') {
        res.end(JSON.stringify({ keys: [{ kty: 'RSA', use: 'sig', kid: this.kid, n: jwk.n, e: jwk.e, endorsements: ['msteams'] }] }));
      } else {
        res.statusCode = 404;
        res.end('{}');
      }
    });
    await new Promise<void>((ok) => this.server!.listen(0, '127.0.0.1', ok));
    this.metadataUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/.well-known/openidconfiguration`;
    return this;
  }

  async stop() {
    await new Promise<void>((ok) => (this.server ? this.server.close(() => ok()) : ok()));
  }

  /**
   * A token as Entra issues it to the bot for calling the Bot Connector (client credentials, scope
   * https://api.botframework.com/.default; learn.microsoft.com, "Authenticate requests with the Bot
   * Connector API", bot to connector). Signed with the same local key, which the fake connector checks.
   */
  botToken(appId: string): string {
    const now = Math.floor(Date.now() / 1000);
    return this.sign({ iss: 'https://login.microsoftonline.com/botframework.com/v2.0', aud: 'https://api.botframework.com', appid: appId, azp: appId, nbf: now - 60, exp: now + 3600 });
  }

  /** Whether a bearer token is one of ours for the connector: RS256 by our key, for the Bot Connector, not expired. */
  acceptsBotToken(token: string | undefined, appId: string): boolean {
    const [head, body, sig] = (token ?? '').split('.');
    if (!head || !body || !sig) return false;
    try {
      if (JSON.parse(Buffer.from(head, 'base64url').toString()).alg !== 'RS256') return false;
      if (!createVerify('RSA-SHA256').update(`${head}.${body}`).verify(this.keys.publicKey, Buffer.from(sig, 'base64url'))) return false;
      const c = JSON.parse(Buffer.from(body, 'base64url').toString());
      return c.aud === 'https://api.botframework.com' && c.appid === appId && c.exp > Date.now() / 1000;
    } catch {
      return false;
    }
  }

  /** Where the app gets its connector tokens from in tests: this issuer instead of Entra (createApp's botCredentials). */
  credentialsFor(appId: string): ServiceClientCredentialsFactory {
    const issuer = this;
    return new (class extends ServiceClientCredentialsFactory {
      async isValidAppId(id: string) {
        return id === appId;
      }
      async isAuthenticationDisabled() {
        return false;
      }
      async createCredentials() {
        return new TokenCredentials(issuer.botToken(appId));
      }
    })();
  }

  /** The public key as PEM: what an alg-confusion forger uses as an HMAC secret. */
  publicPem() {
    return this.keys.publicKey.export({ format: 'pem', type: 'spki' }).toString();
  }

  /** Claims the Bot Connector puts in a token for this bot and this activity. */
  claims(appId: string, serviceUrl: string, overrides: Record<string, unknown> = {}) {
    const now = Math.floor(Date.now() / 1000);
    return { iss: 'https://api.botframework.com', aud: appId, serviceurl: serviceUrl, nbf: now - 60, exp: now + 3600, ...overrides };
  }

  /** A correctly signed RS256 token. */
  sign(claims: object, o: { kid?: string; key?: KeyObject } = {}) {
    return rs256(claims, o.kid ?? this.kid, o.key ?? this.keys.privateKey);
  }
}

const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');

export function rs256(claims: object, kid: string, key: KeyObject) {
  const head = `${b64({ alg: 'RS256', typ: 'JWT', kid })}.${b64(claims)}`;
  return `${head}.${createSign('RSA-SHA256').update(head).sign(key).toString('base64url')}`;
}

/** `alg: none`: no signature at all. */
export function unsigned(claims: object, kid: string) {
  return `${b64({ alg: 'none', typ: 'JWT', kid })}.${b64(claims)}.`;
}

/** HS256 keyed with a public key: the classic algorithm-confusion forgery. */
export function hs256(claims: object, kid: string, secret: string) {
  const head = `${b64({ alg: 'HS256', typ: 'JWT', kid })}.${b64(claims)}`;
  return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
}
