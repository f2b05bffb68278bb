/**
 * Paces Bot Connector calls under Teams' limits, so a campaign runs at the
 * ceiling instead of into 429s. Teams: per bot per conversation 7 / 1 s,
 * 8 / 2 s, 60 / 30 s, 1800 / 3600 s; per app per tenant 50 requests / s
 * (learn.microsoft.com, "Optimize your bot with rate limiting and best
 * practices in Microsoft Teams").
 */
export interface Window {
  max: number;
  windowMs: number;
}

export interface RateLimits {
  perConversation: Window[];
  global: Window;
}

export const TEAMS_RATE_LIMITS: RateLimits = {
  perConversation: [
    { max: 7, windowMs: 1000 },
    { max: 8, windowMs: 2000 },
    { max: 60, windowMs: 30_000 },
    { max: 1800, windowMs: 3_600_000 },
  ],
  global: { max: 50, windowMs: 1000 },
};

export function scaleLimits(l: RateLimits, factor: number): RateLimits {
  const s = (w: Window) => ({ ...w, max: Math.max(1, Math.round(w.max * factor)) });
  return { perConversation: l.perConversation.map(s), global: s(l.global) };
}

/** Sliding-window log: exact, and small because each log keeps at most `max` stamps. */
class SlidingLog {
  private stamps: number[] = [];
  constructor(readonly w: Window) {}
  /** Milliseconds until one more call fits (0 = now). */
  waitMs(now: number): number {
    while (this.stamps.length && this.stamps[0] <= now - this.w.windowMs) this.stamps.shift();
    return this.stamps.length < this.w.max ? 0 : this.stamps[0] + this.w.windowMs - now;
  }
  take(now: number) {
    this.stamps.push(now);
  }
  newest() {
    return this.stamps.at(-1) ?? 0;
  }
}

export class RateGate {
  private readonly global: SlidingLog;
  private readonly perConversation = new Map<string, SlidingLog[]>();
  private tail: Promise<void> = Promise.resolve();
  private calls = 0;
  private lastGlobal = -Infinity;
  private readonly spacingMs: number;

  /**
   * `marginMs` widens each window a little: our clock stamps a call before it
   * reaches Teams, so a window that is exactly full here could be one over there.
   */
  constructor(
    private readonly limits: RateLimits = TEAMS_RATE_LIMITS,
    private readonly marginMs = 15,
    private readonly now: () => number = Date.now,
  ) {
    this.global = new SlidingLog({ ...limits.global, windowMs: limits.global.windowMs + marginMs });
    // Even pacing, 1% under the ceiling: a window filled in one burst turns any delay between here
    // and Teams into 429s; evenly spaced calls leave room for a few milliseconds of jitter.
    this.spacingMs = (limits.global.windowMs / limits.global.max) * 1.01;
  }

  /** Resolves when a call to `conversationKey` may go. Callers are served in order. */
  acquire(conversationKey: string): Promise<void> {
    const turn = this.tail.then(() => this.wait(conversationKey));
    this.tail = turn.catch(() => undefined);
    return turn;
  }

  private logs(key: string): SlidingLog[] {
    let logs = this.perConversation.get(key);
    if (!logs) {
      logs = this.limits.perConversation.map((w) => new SlidingLog({ ...w, windowMs: w.windowMs + this.marginMs }));
      this.perConversation.set(key, logs);
    }
    return logs;
  }

  private async wait(key: string) {
    const logs = [this.global, ...this.logs(key)];
    for (;;) {
      const now = this.now();
      const wait = Math.max(this.lastGlobal + this.spacingMs - now, ...logs.map((l) => l.waitMs(now)));
      if (wait <= 0) {
        logs.forEach((l) => l.take(now));
        // Keep to the schedule rather than to the timer: a timer that fires late lets the next few
        // calls go at once (the windows above still cap them), so lateness does not lower the rate.
        this.lastGlobal = Math.max(now - 4 * this.spacingMs, this.lastGlobal + this.spacingMs);
        if (++this.calls % 10_000 === 0) this.prune(now);
        return;
      }
      await new Promise((r) => setTimeout(r, wait));
    }
  }

  /** Forgets conversations idle for longer than the longest window, so memory stays flat over big campaigns. */
  private prune(now: number) {
    const longest = Math.max(...this.limits.perConversation.map((w) => w.windowMs)) + this.marginMs;
    for (const [key, logs] of this.perConversation) if (Math.max(...logs.map((l) => l.newest())) < now - longest) this.perConversation.delete(key);
  }
}
