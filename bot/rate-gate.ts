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

/**
 * Sliding-window log, exact, of requests as Teams may count them. A request
 * reaches Teams somewhere between the moment we let it go and the moment its
 * answer comes back. So it counts from the first moment (in flight) and goes
 * on counting for a whole window after the second (stamped at its answer):
 * whatever delay it met on the way (our event loop, the network, a busy
 * receiver), Teams cannot have seen it outside the span we count it in.
 */
class SlidingLog {
  /** Answer times, ascending. */
  private stamps: number[] = [];
  private inFlight = 0;
  constructor(readonly w: Window) {}
  /** Milliseconds until one more request fits (0 = now; Infinity = when one in flight is answered). */
  waitMs(now: number): number {
    while (this.stamps.length && this.stamps[0]! <= now - this.w.windowMs) this.stamps.shift();
    const over = this.stamps.length + this.inFlight - this.w.max;
    if (over < 0) return 0;
    return over < this.stamps.length ? this.stamps[over]! + this.w.windowMs - now : Infinity;
  }
  take() {
    this.inFlight++;
  }
  answered(now: number) {
    this.inFlight--;
    this.stamps.push(Math.max(now, this.stamps.at(-1) ?? now));
  }
  idleSince(now: number) {
    return this.inFlight ? now : (this.stamps.at(-1) ?? 0);
  }
}

interface Conversation {
  logs: SlidingLog[];
  /** Callers waiting for this conversation, in arrival order. */
  waiters: Array<(answered: () => void) => void>;
}

/** Call it when the request's answer (or failure) has come back. */
export type Answered = () => void;

/**
 * A fair gate. Each conversation has its own queue of callers; one scheduler
 * hands out slots round-robin among the conversations that may send now, at
 * the global pace. A conversation at its own limit waits alone: it never
 * holds up a caller for another conversation (a single FIFO would).
 *
 * Take the slot right before the request leaves, after any database write
 * (`run` does both ends): a slot counts from the moment it is granted until a
 * window after the answer, so the longer a caller holds it, the fewer others
 * get.
 */
export class RateGate {
  private readonly global: SlidingLog;
  private readonly conversations = new Map<string, Conversation>();
  /** Conversations with callers waiting, in round-robin order. Short: at most one per caller in flight. */
  private ring: string[] = [];
  private timer?: { at: number; handle: ReturnType<typeof setTimeout> };
  private calls = 0;
  private lastGlobal = -Infinity;
  private readonly spacingMs: number;

  /**
   * `marginMs` widens each window a little, for clocks that tick in whole
   * milliseconds; the in-flight counting above covers any delay on the way.
   */
  constructor(
    private readonly limits: RateLimits = TEAMS_RATE_LIMITS,
    private readonly marginMs = 1,
    private readonly now: () => number = Date.now,
  ) {
    this.global = new SlidingLog({ ...limits.global, windowMs: limits.global.windowMs + marginMs });
    // Even pacing, half a per cent under the ceiling, so a window is not filled in one burst. Counting each
    // request until its answer already costs the answer's delay per window (the price of never being early),
    // so the pacing itself keeps only a little slack (bench:campaign: 0.94 of the ceiling, no 429s).
    this.spacingMs = (limits.global.windowMs / limits.global.max) * 1.005;
  }

  /** Runs `send` in a slot of `conversationKey`, and counts it from its answer. */
  async run<T>(conversationKey: string, send: () => Promise<T>): Promise<T> {
    const answered = await this.acquire(conversationKey);
    try {
      return await send();
    } finally {
      answered();
    }
  }

  /** Resolves when one request to `conversationKey` may go: send it at once, then call the `Answered` it gives. */
  acquire(conversationKey: string): Promise<Answered> {
    return new Promise<Answered>((resolve) => {
      const c = this.conversation(conversationKey);
      c.waiters.push(resolve);
      if (c.waiters.length === 1) this.ring.push(conversationKey);
      this.pump();
    });
  }

  /** Slots granted so far, for tests and diagnostics. */
  get granted(): number {
    return this.calls;
  }

  /** Callers waiting, for tests and diagnostics. */
  get waiting(): number {
    let n = 0;
    for (const key of this.ring) n += this.conversations.get(key)!.waiters.length;
    return n;
  }

  private conversation(key: string): Conversation {
    let c = this.conversations.get(key);
    if (!c) {
      c = { logs: this.limits.perConversation.map((w) => new SlidingLog({ ...w, windowMs: w.windowMs + this.marginMs })), waiters: [] };
      this.conversations.set(key, c);
    }
    return c;
  }

  /** Grants every slot that is free now, fairly, then sleeps until the next one could be. */
  private pump() {
    for (;;) {
      if (!this.ring.length) return;
      const now = this.now();
      const globalWait = Math.max(this.lastGlobal + this.spacingMs - now, this.global.waitMs(now));
      if (globalWait > 0) return this.wakeIn(globalWait, now);
      // Round robin: the first conversation in ring order that its own windows allow.
      let soonest = Infinity;
      let picked = -1;
      for (let i = 0; i < this.ring.length; i++) {
        const c = this.conversations.get(this.ring[i]!)!;
        const wait = Math.max(...c.logs.map((l) => l.waitMs(now)), 0);
        if (wait === 0) {
          picked = i;
          break;
        }
        soonest = Math.min(soonest, wait);
      }
      if (picked < 0) return this.wakeIn(soonest, now);
      const [key] = this.ring.splice(picked, 1);
      const c = this.conversations.get(key!)!;
      const logs = [this.global, ...c.logs];
      for (const l of logs) l.take();
      let once = false;
      const answered = () => {
        if (once) return;
        once = true;
        const at = this.now();
        for (const l of logs) l.answered(at);
        this.pump();
      };
      // Keep to the schedule rather than to the timer: a timer that fires late lets the next few
      // calls go at once (the windows above still cap them), so lateness does not lower the rate.
      this.lastGlobal = Math.max(now - 4 * this.spacingMs, this.lastGlobal + this.spacingMs);
      c.waiters.shift()!(answered);
      if (c.waiters.length) this.ring.push(key!);
      if (++this.calls % 10_000 === 0) this.prune(now);
    }
  }

  private wakeIn(ms: number, now: number) {
    if (!Number.isFinite(ms)) return; // an answer will call pump
    const at = now + ms;
    if (this.timer && this.timer.at <= at) return;
    if (this.timer) clearTimeout(this.timer.handle);
    this.timer = {
      at,
      handle: setTimeout(() => {
        this.timer = undefined;
        this.pump();
      }, Math.max(1, Math.ceil(ms))),
    };
  }

  /** Forgets conversations idle for longer than the longest window, so memory stays flat over big campaigns. */
  private prune(now: number) {
    const longest = Math.max(...this.limits.perConversation.map((w) => w.windowMs)) + this.marginMs;
    for (const [key, c] of this.conversations) if (!c.waiters.length && Math.max(...c.logs.map((l) => l.idleSince(now))) < now - longest) this.conversations.delete(key);
  }
}
