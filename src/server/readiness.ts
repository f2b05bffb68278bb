/** What /healthz and /readyz answer: each check by name, and ok only if every one is. */
export interface ProbeAnswer {
  status: 'ok' | 'unavailable';
  checks: Record<string, 'ok' | 'unavailable'>;
}

export interface ReadinessOptions {
  /** How long an answer is reused: a load balancer probing every second costs one look per check per `cacheMs`. */
  cacheMs: number;
  /** A check that has not answered by then counts as unavailable (the Graph client may be retrying a 503 for long). */
  timeoutMs: number;
  /** Where a failing check's reason goes: the log, never the answer. */
  log: (msg: string) => void;
  now?: () => number;
}

/**
 * The readiness probe: runs every check at once (each a cheap read), at most once per `cacheMs` however
 * often it is asked; probes that arrive while a look is under way share it.
 */
export function readinessProbe(checks: Record<string, () => Promise<unknown>>, o: ReadinessOptions) {
  const now = o.now ?? Date.now;
  let last: { at: number; answer: Promise<ProbeAnswer> } | undefined;
  const look = async (): Promise<ProbeAnswer> => {
    const names = Object.keys(checks);
    const results = await Promise.all(names.map((name) => within(checks[name]!(), o.timeoutMs).then(() => undefined, (e: unknown) => e)));
    const answer: ProbeAnswer = { status: 'ok', checks: {} };
    names.forEach((name, i) => {
      const failure = results[i];
      answer.checks[name] = failure === undefined ? 'ok' : 'unavailable';
      if (failure !== undefined) {
        answer.status = 'unavailable';
        o.log(`readiness: ${name} unavailable: ${String((failure as Error)?.message ?? failure).split('\n')[0]}`);
      }
    });
    return answer;
  };
  return {
    check(): Promise<ProbeAnswer> {
      const t = now();
      if (!last || t - last.at >= o.cacheMs) last = { at: t, answer: look() };
      return last.answer;
    },
  };
}

function within<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, fail) => {
    timer = setTimeout(() => fail(new Error(`no answer within ${ms} ms`)), ms);
    timer.unref?.();
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}
