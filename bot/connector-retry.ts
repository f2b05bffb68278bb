/**
 * Retries a Bot Connector call on the statuses Teams documents as transient:
 * 429, 412, 502, 503 and 504, with exponential backoff and jitter, honouring
 * Retry-After (learn.microsoft.com, "Optimize your bot with rate limiting and
 * best practices in Microsoft Teams").
 */
export const RETRYABLE = new Set([412, 429, 502, 503, 504]);

export interface RetryOptions {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  sleep?: (ms: number) => Promise<void>;
}

export const defaultRetry: RetryOptions = { attempts: 5, baseDelayMs: 250, maxDelayMs: 10_000 };

export function statusOf(e: unknown): number | undefined {
  const x = e as { statusCode?: number; status?: number; response?: { status?: number } };
  return x?.statusCode ?? x?.status ?? x?.response?.status;
}

export function retryAfterMs(e: unknown): number | undefined {
  const headers = (e as { response?: { headers?: { get?: (n: string) => string | undefined | null } } })?.response?.headers;
  const raw = headers?.get?.('retry-after');
  if (!raw) return undefined;
  const secs = Number(raw);
  if (!Number.isNaN(secs)) return secs * 1000;
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

export async function withConnectorRetry<T>(call: () => Promise<T>, o: RetryOptions = defaultRetry): Promise<T> {
  const sleep = o.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (e) {
      const status = statusOf(e);
      if (!status || !RETRYABLE.has(status) || attempt >= o.attempts) throw e;
      const backoff = Math.min(o.maxDelayMs, o.baseDelayMs * 2 ** (attempt - 1));
      const jittered = backoff / 2 + Math.random() * (backoff / 2);
      await sleep(Math.max(retryAfterMs(e) ?? 0, jittered));
    }
  }
}
