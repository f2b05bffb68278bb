import { ActivityEventNames, ActivityTypes, Channels, type Activity, type Middleware, type TurnContext } from 'botbuilder';
import { withConnectorRetry } from './connector-retry';
import type { RateGate } from './rate-gate';

/**
 * Puts every Bot Connector request made through a TurnContext under the rate
 * gate: chat replies, card updates and deletes, in a user's turn or in a
 * proactive one (continueConversation / createConversation run middleware
 * too). Teams counts all of them against the same per-conversation and
 * per-app limits (learn.microsoft.com, "Optimize your bot with rate limiting
 * in Teams"), so a gate that sees only our proactive sends lets replies push
 * a busy conversation into 429s.
 *
 * Each request acquires its slot right before it goes, so each retry counts
 * again. Retries happen here only in a user's own turn, where nothing else
 * would retry; a proactive turn comes from a job, and the job queue retries it
 * (one layer per failure, see src/resilience/retry.policy.ts).
 */
export class RateGateMiddleware implements Middleware {
  constructor(private readonly gate: RateGate) {}

  async onTurn(ctx: TurnContext, next: () => Promise<void>): Promise<void> {
    const retry = !isProactive(ctx.activity);
    const once = <T>(slots: number, send: () => Promise<T>) => async () => {
      const answered: Array<() => void> = [];
      try {
        // Several activities in one call go one after another once all slots are taken. Each slot but the last
        // counts from when the next is taken (a little early), so a batch longer than a window cannot wait on its
        // own slots; Countersign sends one activity per call, so this is a guard, not a path we rely on.
        for (let i = 0; i < slots; i++) {
          answered.pop()?.();
          answered.push(await this.gate.acquire(ctx.activity.conversation.id));
        }
        return await send();
      } finally {
        answered.forEach((a) => a());
      }
    };
    const run = <T>(slots: number, send: () => Promise<T>): Promise<T> => {
      if (!slots) return send();
      // Resending a batch that failed half-way would repeat what already went, so only single requests retry.
      return retry && slots === 1 ? withConnectorRetry(once(slots, send)) : once(slots, send)();
    };
    ctx.onSendActivities((_, activities, send) => run(activities.filter(reachesConnector).length, send));
    ctx.onUpdateActivity((_, __, send) => run(1, send));
    ctx.onDeleteActivity((_, __, send) => run(1, send));
    await next();
  }
}

/**
 * What the adapter turns into a connector request. An `invokeResponse` is
 * the HTTP answer to the invoke itself, `delay` is a pause, and `trace` goes
 * only to the Emulator (botbuilder-core CloudAdapterBase.sendActivities).
 */
export function reachesConnector(a: Partial<Activity>): boolean {
  if (a.type === ActivityTypes.InvokeResponse || a.type === 'delay') return false;
  if (a.type === ActivityTypes.Trace && a.channelId !== Channels.Emulator) return false;
  return true;
}

function isProactive(a: Activity): boolean {
  return a.type === ActivityTypes.Event && (a.name === ActivityEventNames.ContinueConversation || a.name === ActivityEventNames.CreateConversation);
}
