/**
 * The one retry policy for transient failures: exponential backoff with
 * jitter, capped; or exactly the server's Retry-After when it sends one. Teams and Graph
 * both ask for exactly this on 429 and 5xx (learn.microsoft.com: "Optimize your
 * bot with rate limiting in Teams"; "Microsoft Graph throttling guidance").
 * Jitter spreads retries out, so clients that failed together do not come back
 * together (AWS Architecture Blog, "Exponential Backoff And Jitter").
 *
 * This folder is a leaf: it imports nothing of ours and no package, so bot/,
 * the adapters and the services may all use it (.dependency-cruiser.cjs,
 * `resilience-is-a-leaf`). It is not domain: it waits, and the domain never does.
 *
 * Who retries what, exactly one layer per kind of failure, so attempts never
 * multiply:
 * | failure                                         | retried by                              | policy      |
 * |-------------------------------------------------|-----------------------------------------|-------------|
 * | Graph top-level request 429/503/504             | the Graph client's RetryHandler         | its own (*) |
 * | Graph $batch inner item 429/5xx                 | BatchRunner, only the failed items      | graphItems  |
 * | Bot Connector call inside a chat turn (replies) | the connector middleware, per activity  | connector   |
 * | Bot Connector call from a job (proactive sends) | the job queue (the handler says retry)  | jobs        |
 * | Graph install/chat read for a card (installer)  | the job queue (throttled/failed result) | jobs        |
 * | a job whose handler threw (outage, bug)         | the job queue, then poison              | jobs        |
 * (*) graph-client.ts: RetryHandler honours Retry-After and is the only layer for top-level requests.
 *     Except the proactive installer (src/adapters/graph/teams-app-installer.ts), built with no RetryHandler
 *     retries: its requests run inside a card's job, which already retries, so a 429 waits in the queue.
 * A job's lower layers give up within their own budget and the job is tried again later; that is a
 * second time scale (minutes), not a second retry of the same request in the same breath.
 */
export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** The backoff before the second attempt, before jitter. */
  baseMs: number;
  /** The longest backoff, before jitter. A server's Retry-After may be longer and is honoured. */
  capMs: number;
  /**
   * full: uniform in [0, backoff] (the fewest collisions);
   * equal: uniform in [backoff/2, backoff] (never retries at once; for work that must not hammer).
   */
  jitter: 'full' | 'equal';
  /** A wait longer than this (a long Retry-After) is not waited out in-process: the last error is thrown instead. */
  maxWaitMs?: number;
}

/** Bot Connector calls inside a turn: Azure Bot Service gives up on a turn after 10–15 s, so stay short. */
export const connectorPolicy: RetryPolicy = { maxAttempts: 4, baseMs: 500, capMs: 4000, jitter: 'full', maxWaitMs: 5000 };
/** Inner requests of a Graph $batch. */
export const graphItemsPolicy: RetryPolicy = { maxAttempts: 10, baseMs: 500, capMs: 60_000, jitter: 'equal' };
/** Jobs: redelivery after a transient failure; after maxAttempts deliveries a job is poison. */
export const jobsPolicy: RetryPolicy = { maxAttempts: 10, baseMs: 1000, capMs: 300_000, jitter: 'equal' };

/**
 * Milliseconds to wait after the `failures`-th failure (1 = the first) before
 * trying again: the server's Retry-After when it sent one (Graph and Teams both
 * say to wait exactly that: learn.microsoft.com, "Microsoft Graph throttling
 * guidance"), else the jittered backoff. `random` is a number in [0, 1),
 * passed in so tests can pin it.
 */
export function backoffMs(p: RetryPolicy, failures: number, random: number, retryAfterMs?: number): number {
  if (retryAfterMs !== undefined) return Math.round(Math.max(0, retryAfterMs));
  const exp = Math.min(p.capMs, p.baseMs * 2 ** Math.max(0, Math.min(failures - 1, 40)));
  return Math.round(p.jitter === 'full' ? random * exp : exp / 2 + random * (exp / 2));
}

/**
 * A Retry-After header in milliseconds: delta-seconds or an HTTP date
 * (RFC 9110 §10.2.3). Undefined when absent or unreadable.
 */
export function parseRetryAfter(raw: string | null | undefined, nowMs: number): number | undefined {
  if (raw === null || raw === undefined || raw.trim() === '') return undefined;
  const secs = Number(raw);
  if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** How a caller reads a failure: not transient (give up at once), or transient with the server's wait. */
export type FailureReading = { transient: false } | { transient: true; retryAfterMs?: number };

export interface RetryHooks {
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Told before each wait, e.g. to log. */
  onRetry?: (failures: number, waitMs: number, error: unknown) => void;
}

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Runs `call` until it succeeds, fails for good, or has used `p.maxAttempts`; then throws the last error. */
export async function retrying<T>(p: RetryPolicy, call: (attempt: number) => Promise<T>, read: (e: unknown) => FailureReading, hooks: RetryHooks = {}): Promise<T> {
  const sleep = hooks.sleep ?? realSleep;
  const random = hooks.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call(attempt);
    } catch (e) {
      const r = read(e);
      if (!r.transient || attempt >= p.maxAttempts) throw e;
      const wait = backoffMs(p, attempt, random(), r.retryAfterMs);
      if (p.maxWaitMs !== undefined && wait > p.maxWaitMs) throw e;
      hooks.onRetry?.(attempt, wait, e);
      await sleep(wait);
    }
  }
}
