import { connectorPolicy, parseRetryAfter, retrying, type FailureReading, type RetryHooks, type RetryPolicy } from '../src/resilience/retry.policy';

/**
 * Reads Bot Connector failures for the one retry policy (src/resilience).
 * Teams documents 429, 412, 502, 503 and 504 as transient; retry them with
 * exponential backoff and jitter, honouring Retry-After (learn.microsoft.com,
 * "Optimize your bot with rate limiting and best practices in Microsoft Teams").
 */
export const RETRYABLE = new Set([412, 429, 502, 503, 504]);

export function statusOf(e: unknown): number | undefined {
  const x = e as { statusCode?: number; status?: number; response?: { status?: number } };
  return x?.statusCode ?? x?.status ?? x?.response?.status;
}

export function retryAfterMs(e: unknown): number | undefined {
  const headers = (e as { response?: { headers?: { get?: (n: string) => string | undefined | null } } })?.response?.headers;
  return parseRetryAfter(headers?.get?.('retry-after'), Date.now());
}

export function readConnectorFailure(e: unknown): FailureReading {
  const status = statusOf(e);
  return status && RETRYABLE.has(status) ? { transient: true, retryAfterMs: retryAfterMs(e) } : { transient: false };
}

/**
 * Retries a connector call in-process. Only for calls that no job will retry:
 * replies inside a turn. A send from a job reports its failure instead, and
 * the job queue retries it (see the table in retry.policy.ts).
 */
export function withConnectorRetry<T>(call: () => Promise<T>, policy: RetryPolicy = connectorPolicy, hooks?: RetryHooks): Promise<T> {
  return retrying(policy, call, readConnectorFailure, hooks);
}
