import { ActivityTypes, TestAdapter, type Activity } from 'botbuilder';
import { describe, expect, it } from 'vitest';
import { RateGate, TEAMS_RATE_LIMITS } from '../../bot/rate-gate';
import { RateGateMiddleware, reachesConnector } from '../../bot/rate-gate.middleware';

describe('RateGateMiddleware', () => {
  it('takes one slot per outgoing reply, update and delete, and none for an invoke response', async () => {
    const gate = new RateGate(TEAMS_RATE_LIMITS, 0);
    const adapter = new TestAdapter(async (ctx) => {
      if (ctx.activity.type === ActivityTypes.Invoke) {
        await ctx.sendActivity({ type: ActivityTypes.InvokeResponse, value: { status: 200 } });
        return;
      }
      const sent = await ctx.sendActivity('one');
      await ctx.sendActivities([{ type: 'message', text: 'two' }, { type: 'message', text: 'three' }]);
      await ctx.updateActivity({ type: 'message', id: sent!.id, text: 'one, edited' });
      await ctx.deleteActivity(sent!.id);
    });
    adapter.use(new RateGateMiddleware(gate));
    await adapter.send('hello');
    expect(gate.granted).toBe(5);
    await adapter.processActivity({ type: ActivityTypes.Invoke, name: 'adaptiveCard/action', value: {} } as Partial<Activity> as Activity);
    expect(gate.granted).toBe(5);
  });

  it('counts what reaches the connector', () => {
    expect(reachesConnector({ type: 'message' })).toBe(true);
    expect(reachesConnector({ type: ActivityTypes.InvokeResponse })).toBe(false);
    expect(reachesConnector({ type: 'delay' })).toBe(false);
    expect(reachesConnector({ type: ActivityTypes.Trace, channelId: 'msteams' })).toBe(false);
    expect(reachesConnector({ type: ActivityTypes.Trace, channelId: 'emulator' })).toBe(true);
  });

  it('retries a throttled reply in a user turn, each attempt taking a slot', async () => {
    const gate = new RateGate(TEAMS_RATE_LIMITS, 0);
    let failures = 1;
    const adapter = new TestAdapter(async (ctx) => {
      await ctx.sendActivity('reply');
    });
    adapter.use(new RateGateMiddleware(gate));
    // The connector answers the first send with 429 and Retry-After 0.
    adapter.use({
      onTurn: async (ctx, next) => {
        ctx.onSendActivities(async (_, __, send) => {
          if (failures-- > 0) throw Object.assign(new Error('throttled'), { statusCode: 429, response: { status: 429, headers: { get: () => '0' } } });
          return send();
        });
        await next();
      },
    });
    await adapter.send('hi').assertReply('reply');
    expect(gate.granted).toBe(2);
  });

  it('sends more activities in one call than a window holds without waiting on its own slots', async () => {
    const gate = new RateGate({ perConversation: [{ max: 2, windowMs: 50 }], global: { max: 100, windowMs: 1000 } }, 0);
    const adapter = new TestAdapter(async (ctx) => {
      await ctx.sendActivities([1, 2, 3, 4, 5].map((n) => ({ type: 'message', text: `m${n}` })));
    });
    adapter.use(new RateGateMiddleware(gate));
    await adapter.send('go').assertReply('m1').assertReply('m2').assertReply('m3').assertReply('m4').assertReply('m5');
    expect(gate.granted).toBe(5);
  });
});
