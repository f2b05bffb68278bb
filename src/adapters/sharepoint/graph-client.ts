import {
  Client,
  HTTPMessageHandler,
  RetryHandler,
  RetryHandlerOptions,
  type Context,
  type Middleware,
} from '@microsoft/microsoft-graph-client';
import type { TokenProvider } from './msal-token';

export interface GraphClientOptions {
  /** Graph's origin: https://graph.microsoft.com, or a local server in tests. */
  baseUrl: string;
  tokenProvider: TokenProvider;
  /** Retries of a top-level 429/503/504. The client's RetryHandler allows at most 10. */
  maxRetries?: number;
}

/**
 * Sets `Authorization: Bearer …` on every request to our Graph origin. The
 * client's own AuthenticationHandler adds it only for https Graph hosts
 * (TOOLCHAIN-NOTES), so a local http server would see no token. We never send
 * the token to another origin, e.g. if a nextLink pointed elsewhere.
 */
export class BearerToken implements Middleware {
  private next?: Middleware;
  constructor(
    private readonly tokens: TokenProvider,
    private readonly origin: string,
  ) {}

  async execute(context: Context): Promise<void> {
    const url = typeof context.request === 'string' ? context.request : context.request.url;
    if (new URL(url).origin === this.origin) {
      const options = (context.options ??= {});
      const headers = (options.headers ?? {}) as Record<string, string>;
      options.headers = { ...headers, Authorization: `Bearer ${await this.tokens()}` };
    }
    await this.next!.execute(context);
  }

  setNext(next: Middleware): void {
    this.next = next;
  }
}

/**
 * A request that got no HTTP answer at all (connection reset, socket hang-up)
 * becomes a 504, which is what it is: the gateway (here, the network) gave up
 * waiting, and nobody can tell whether the write landed. The RetryHandler then
 * treats it as it treats Graph's own 504, under the same retry budget, and
 * the store's writes are built to meet their own earlier landing (409 on a
 * unique key, 412 with our change id on the item). Without this the client
 * throws on the first dropped connection and no retry policy ever sees it.
 */
export class NoAnswerAsGatewayTimeout implements Middleware {
  private next?: Middleware;

  async execute(context: Context): Promise<void> {
    // A retry runs this again with the previous attempt's response still on the context.
    context.response = undefined;
    try {
      await this.next!.execute(context);
    } catch (e) {
      if (context.response) throw e;
      const message = `No answer from Graph: ${(e as Error)?.message ?? String(e)}`;
      context.response = new Response(JSON.stringify({ error: { code: 'noAnswer', message } }), { status: 504, headers: { 'Content-Type': 'application/json' } });
    }
  }

  setNext(next: Middleware): void {
    this.next = next;
  }
}

/**
 * The request pipeline, composed in one place: retry (429/503/504, honouring
 * Retry-After; RetryHandler's RETRY_STATUS_CODES) → bearer token (fresh per
 * attempt, so a long back-off never sends an expired token) → no answer as
 * 504 → HTTP. Retries inside a $batch are not the RetryHandler's business: see batch.ts.
 */
export function createGraphClient(o: GraphClientOptions): Client {
  const base = new URL(o.baseUrl);
  const retry = new RetryHandler(new RetryHandlerOptions(1, Math.min(o.maxRetries ?? 10, 10)));
  return Client.initWithMiddleware({
    baseUrl: base.origin,
    // Marks the host as Graph for the client's own bookkeeping; the token comes from BearerToken.
    customHosts: new Set([base.hostname]),
    middleware: [retry, new BearerToken(o.tokenProvider, base.origin), new NoAnswerAsGatewayTimeout(), new HTTPMessageHandler()],
  });
}

/**
 * A path for `client.api()` from an absolute @odata.nextLink. The client strips
 * only https origins itself, so we keep path and query (and drop the version
 * segment, which the client adds back). Refuses links to another origin.
 */
export function nextLinkPath(link: string, baseUrl: string): string {
  const u = new URL(link);
  if (u.origin !== new URL(baseUrl).origin) throw new Error(`refusing to follow a nextLink to another origin: ${u.origin}`);
  return u.pathname.replace(/^\/(v1\.0|beta)(?=\/)/, '') + u.search;
}
