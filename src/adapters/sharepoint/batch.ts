import type { Client } from '@microsoft/microsoft-graph-client';
import { backoffMs, graphItemsPolicy, parseRetryAfter, type RetryPolicy } from '../../resilience/retry.policy';
import { asSharePointError, SharePointError } from './errors';

/**
 * JSON batching (learn.microsoft.com/graph/json-batching):
 * - at most 20 requests per batch;
 * - each inner request is throttled on its own, so a 200 envelope can carry
 *   inner 429s with their own Retry-After, which the client's RetryHandler
 *   never sees (it only looks at the envelope). We retry those here;
 * - responses may come back in any order: match them by id;
 * - `dependsOn` runs a request only after the one it names succeeded, else 424;
 *   a batch should be either fully sequential or fully parallel (Graph's known
 *   issues), so we send either independent requests or one chain.
 */

export const MAX_BATCH = 20;

export type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface SubRequest {
  method: Method;
  /** Relative to Graph's version root, e.g. `/sites/{site}/lists/{list}/items`. */
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface SubResponse {
  status: number;
  headers: Record<string, string>;
  body?: unknown;
}

export interface BatchOptions {
  /** How throttled or failed items are retried; the one policy's Graph items by default. */
  policy?: RetryPolicy;
  /** Rounds before giving up on a request that keeps being throttled or failing; overrides the policy's. */
  maxAttempts?: number;
  /** Envelopes in flight at once for independent requests. */
  concurrency?: number;
  /** Longest wait between rounds; Retry-After above it is honoured up to this. */
  maxWaitMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/** 429 and 5xx are worth another try; everything else is an answer for the caller. */
export const retryable = (status: number) => status === 429 || (status >= 500 && status !== 501);

const ok = (status: number) => status >= 200 && status < 300;

interface Envelope {
  responses?: Array<{ id: string; status: number; headers?: Record<string, string>; body?: unknown }>;
}

export class BatchRunner {
  private readonly maxAttempts: number;
  private readonly concurrency: number;
  private readonly maxWaitMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly policy: RetryPolicy;

  constructor(
    private readonly client: Client,
    o: BatchOptions = {},
  ) {
    this.policy = o.policy ?? graphItemsPolicy;
    this.maxAttempts = o.maxAttempts ?? this.policy.maxAttempts;
    this.concurrency = o.concurrency ?? 4;
    this.maxWaitMs = o.maxWaitMs ?? 120_000;
    this.sleep = o.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  /**
   * Independent requests, in batches of 20. Throttled or failed ones are resent
   * alone (never the ones that succeeded), after the longest Retry-After among
   * them. Resolves with one response per request, in request order.
   */
  async all(reqs: SubRequest[]): Promise<SubResponse[]> {
    return (await this.allSettled(reqs)).map((r) => {
      if (r instanceof SharePointError) throw r;
      return r;
    });
  }

  /** As `all`, but a request that kept failing gets its own error in its place, and the others their answers. */
  async allSettled(reqs: SubRequest[]): Promise<Array<SubResponse | SharePointError>> {
    const out: Array<SubResponse | undefined> = new Array(reqs.length);
    let pending = reqs.map((_, i) => i);
    for (let attempt = 1; pending.length; attempt++) {
      const chunks: number[][] = [];
      for (let i = 0; i < pending.length; i += MAX_BATCH) chunks.push(pending.slice(i, i + MAX_BATCH));
      const again: number[] = [];
      let waitMs = 0;
      await this.pool(chunks, async (chunk) => {
        const res = await this.send(chunk.map((i) => ({ id: String(i), req: reqs[i]!, retry: attempt > 1 })));
        for (const i of chunk) {
          const r = res.get(String(i))!;
          if (retryable(r.status) && attempt < this.maxAttempts) {
            again.push(i);
            waitMs = Math.max(waitMs, this.waitFor(r, attempt));
          } else out[i] = r;
        }
      });
      pending = again.sort((a, b) => a - b);
      if (pending.length) await this.sleep(waitMs);
    }
    return out.map((r, i) => (!r || retryable(r.status) ? this.gaveUp(reqs[i]!, r) : r));
  }

  /**
   * A chain: request i runs only if i-1 succeeded (dependsOn). It stops at the
   * first response that `accept` refuses (default: 2xx only); a throttled or
   * failed step is resent with the rest of the chain behind it, since those got
   * 424 and never ran. At most 20 steps.
   */
  async chain(reqs: SubRequest[], accept: (i: number, r: SubResponse) => boolean = (_, r) => ok(r.status)): Promise<{ responses: SubResponse[]; stoppedAt?: number }> {
    if (reqs.length > MAX_BATCH) throw new RangeError(`a chain holds at most ${MAX_BATCH} requests`);
    const responses: SubResponse[] = [];
    let from = 0;
    // Failures are counted per step: the budget is for one request that keeps failing, not for the chain.
    let failures = 0;
    while (from < reqs.length) {
      const head = from;
      const res = await this.send(reqs.slice(from).map((req, k) => ({ id: String(from + k), req, retry: failures > 0 && k === 0, dependsOn: k > 0 ? [String(from + k - 1)] : undefined })));
      let blocked: SubResponse | undefined;
      for (let i = from; i < reqs.length; i++) {
        const r = res.get(String(i))!;
        if (retryable(r.status)) {
          blocked = r;
          break;
        }
        // 424: it never ran, because the step before was not a 2xx (e.g. an accepted 409). Resend from here.
        if (r.status === 424) break;
        responses[i] = r;
        from = i + 1;
        if (!accept(i, r)) return { responses, stoppedAt: i };
      }
      if (!blocked) {
        if (from === head) throw this.gaveUp(reqs[from]!, res.get(String(from)));
        failures = 0;
        continue;
      }
      failures = from === head ? failures + 1 : 1;
      if (failures >= this.maxAttempts) throw this.gaveUp(reqs[from]!, blocked);
      await this.sleep(this.waitFor(blocked, failures));
    }
    return { responses };
  }

  private async send(steps: Array<{ id: string; req: SubRequest; retry: boolean; dependsOn?: string[] }>): Promise<Map<string, SubResponse>> {
    const requests = steps.map(({ id, req, dependsOn, retry }) => {
      const headers: Record<string, string> = { ...(req.headers ?? {}) };
      // json-batching: "When a body is included with the request, the headers object must contain a value for Content-Type."
      if (req.body !== undefined) headers['Content-Type'] = 'application/json';
      if (retry) headers['Retry-Attempt'] = '1';
      return { id, method: req.method, url: req.url, ...(Object.keys(headers).length ? { headers } : {}), ...(req.body !== undefined ? { body: req.body } : {}), ...(dependsOn ? { dependsOn } : {}) };
    });
    let envelope: Envelope;
    try {
      envelope = (await this.client.api('/$batch').post({ requests })) as Envelope;
    } catch (e) {
      throw asSharePointError(e, `a batch of ${requests.length}`);
    }
    const byId = new Map<string, SubResponse>();
    for (const r of envelope.responses ?? []) byId.set(r.id, { status: r.status, headers: lower(r.headers), body: r.body });
    for (const s of steps) if (!byId.has(s.id)) byId.set(s.id, { status: 502, headers: {}, body: { error: { code: 'missingResponse', message: 'The batch reply had no response for this request.' } } });
    return byId;
  }

  /** The one retry policy (src/resilience): backoff with jitter, never sooner than Retry-After, at most maxWaitMs. */
  private waitFor(r: SubResponse, failures: number): number {
    return Math.min(this.maxWaitMs, backoffMs(this.policy, failures, Math.random(), parseRetryAfter(r.headers['retry-after'], Date.now())));
  }

  private gaveUp(req: SubRequest, r: SubResponse | undefined): SharePointError {
    const err = (r?.body as { error?: { code?: string; message?: string } } | undefined)?.error;
    return new SharePointError(
      `SharePoint: ${req.method} ${req.url.replace(/\?.*$/, '')} in a batch failed (${r?.status ?? 'no response'}${err?.code ? ` ${err.code}` : ''}) after ${this.maxAttempts} attempts${err?.message ? `: ${err.message}` : ''}`,
      r?.status ?? 0,
      err?.code,
    );
  }

  private async pool<T>(items: T[], work: (t: T) => Promise<void>): Promise<void> {
    let next = 0;
    const runners = Array.from({ length: Math.min(this.concurrency, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    });
    await Promise.all(runners);
  }
}

function lower(h: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h ?? {})) out[k.toLowerCase()] = String(v);
  return out;
}

/** The error message inside a sub-response, for our own errors. */
export function subError(r: SubResponse): string {
  const e = (r.body as { error?: { code?: string; message?: string } } | undefined)?.error;
  return `${r.status}${e?.code ? ` ${e.code}` : ''}${e?.message ? `: ${e.message}` : ''}`;
}
