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
}

/** How many paced calls a late timer may release at once (see `pump`). */
const CATCH_UP = 25;

/**
 * The same counting for all of one conversation's windows over a single log
 * of answer times: a campaign meets 30,000 conversations once each, and one
 * short array apiece (not one per window) keeps the heap, and so the garbage
 * collector's work, small (bench:campaign).
 */
class ConversationLog {
  /** Answer times, ascending, kept for the longest window. */
  private stamps: number[] = [];
  private inFlight = 0;
  /** Callers waiting for this conversation, in arrival order. */
  readonly waiters: Array<(answered: () => void) => void> = [];
  constructor(private readonly windows: Window[]) {}

  waitMs(now: number): number {
    let wait = 0;
    for (const w of this.windows) {
      const first = firstAfter(this.stamps, now - w.windowMs);
      const inWindow = this.stamps.length - first;
      const over = inWindow + this.inFlight - w.max;
      if (over < 0) continue;
      wait = Math.max(wait, over < inWindow ? this.stamps[first + over]! + w.windowMs - now : Infinity);
    }
    return wait;
  }
  take() {
    this.inFlight++;
  }
  answered(now: number, longestMs: number) {
    this.inFlight--;
    this.stamps.push(Math.max(now, this.stamps.at(-1) ?? now));
    const gone = firstAfter(this.stamps, now - longestMs);
    if (gone) this.stamps.splice(0, gone);
  }
  /** Nothing waiting or in flight, and nothing answered within `longestMs`: forgetting it changes nothing. */
  forgettable(now: number, longestMs: number) {
    return !this.waiters.length && !this.inFlight && (this.stamps.at(-1) ?? -Infinity) <= now - longestMs;
  }
}

/** Index of the first stamp later than `t` (binary search; the stamps are ascending). */
function firstAfter(stamps: number[], t: number): number {
  let lo = 0;
  let hi = stamps.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (stamps[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
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
  private readonly conversations = new Map<string, ConversationLog>();
  /** The per-conversation windows with the margin, shared by every conversation's log. */
  private readonly windows: Window[];
  private readonly longestMs: number;
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
    this.windows = limits.perConversation.map((w) => ({ ...w, windowMs: w.windowMs + marginMs }));
    this.longestMs = Math.max(...this.windows.map((w) => w.windowMs));
    // Even pacing, half a per cent under the ceiling, so a window is not filled in one burst. Counting each
    // request until its answer already costs the answer's delay per window (the price of never being early),
    // so the pacing itself keeps only a little slack.
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

  private conversation(key: string): ConversationLog {
    let c = this.conversations.get(key);
    if (!c) this.conversations.set(key, (c = new ConversationLog(this.windows)));
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
        const wait = c.waitMs(now);
        if (wait === 0) {
          picked = i;
          break;
        }
        soonest = Math.min(soonest, wait);
      }
      if (picked < 0) return this.wakeIn(soonest, now);
      const [key] = this.ring.splice(picked, 1);
      const c = this.conversations.get(key!)!;
      this.global.take();
      c.take();
      let once = false;
      const answered = () => {
        if (once) return;
        once = true;
        const at = this.now();
        this.global.answered(at);
        c.answered(at, this.longestMs);
        this.pump();
      };
      // Keep to the schedule rather than to the timer: a timer that fires late (a garbage collection, a
      // synchronous SQLite write) lets the calls it held up go at once, up to CATCH_UP of them, so lateness
      // does not lower the rate. The windows above still cap any burst, counting each call from when it goes.
      // With a catch-up of 4 the campaign bench reached 0.94–0.96 of the ceiling; with 25, 0.985.
      this.lastGlobal = Math.max(now - CATCH_UP * this.spacingMs, this.lastGlobal + this.spacingMs);
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
    for (const [key, c] of this.conversations) if (c.forgettable(now, this.longestMs)) this.conversations.delete(key);
  }

  /** Conversations remembered now, for tests and diagnostics. */
  get remembered(): number {
    return this.conversations.size;
  }
}
