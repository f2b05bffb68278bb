import { afterEach, describe, expect, it } from 'vitest';
import { FakeConnector, TEAMS_LIMITS, type FakeConnectorOptions } from '../support/fake-connector';

// Drives the fake Bot Connector directly over HTTP, as botbuilder's ConnectorClient would.

const running: FakeConnector[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((c) => c.stop()));
});

async function connector(options?: FakeConnectorOptions) {
  const c = new FakeConnector(options);
  await c.start();
  running.push(c);
  return c;
}

interface Answer {
  status: number;
  retryAfter: string | null;
  body: any;
}

async function call(c: FakeConnector, method: string, path: string, body: unknown): Promise<Answer> {
  const res = await fetch(new URL(path, c.url), { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.json() };
}

const card = (dedupeKey?: string) => ({
  type: 'message',
  attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: { type: 'AdaptiveCard', version: '1.5', body: [] } }],
  ...(dedupeKey ? { channelData: { countersign: { dedupeKey } } } : {}),
});
const send = (c: FakeConnector, conversationId: string, activity: unknown = { type: 'message', text: 'hi' }) =>
  call(c, 'POST', `v3/conversations/${encodeURIComponent(conversationId)}/activities`, activity);
const reply = (c: FakeConnector, conversationId: string, replyTo: string, activity: unknown = card()) =>
  call(c, 'POST', `v3/conversations/${encodeURIComponent(conversationId)}/activities/${replyTo}`, activity);
const update = (c: FakeConnector, conversationId: string, activityId: string) =>
  call(c, 'PUT', `v3/conversations/${encodeURIComponent(conversationId)}/activities/${activityId}`, card());
const create = (c: FakeConnector, member: string) => call(c, 'POST', 'v3/conversations', { members: [{ id: member }] });
const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

describe('FakeConnector without options', () => {
  it('never throttles: 100 quick sends to one conversation all succeed and are recorded', async () => {
    const c = await connector();
    const answers = await Promise.all(Array.from({ length: 100 }, () => send(c, 'a:conv-u1')));
    expect(answers.map((a) => a.status)).toEqual(Array(100).fill(201));
    expect(c.calls).toHaveLength(100);
    expect(c.throttled).toBe(0);
    expect(c.faultsInjected).toBe(0);
    expect(c.rejections).toEqual([]);
  });
});

describe('Teams rate limits', () => {
  it('exports the documented Teams limits', () => {
    expect(TEAMS_LIMITS.perConversation).toEqual([
      { max: 7, windowMs: 1000 },
      { max: 8, windowMs: 2000 },
      { max: 60, windowMs: 30_000 },
      { max: 1800, windowMs: 3_600_000 },
    ]);
    expect(TEAMS_LIMITS.global).toEqual({ max: 50, windowMs: 1000 });
  });

  it('answers the 8th message within 1 s to one conversation with 429 + Retry-After and does not record it', async () => {
    const c = await connector({ limits: TEAMS_LIMITS });
    const answers: Answer[] = [];
    for (let i = 0; i < 8; i++) answers.push(await send(c, 'a:conv-u1', { type: 'message', text: `n${i}` }));
    expect(answers.slice(0, 7).map((a) => a.status)).toEqual(Array(7).fill(201));
    const last = answers[7];
    expect(last.status).toBe(429);
    expect(Number(last.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number.isInteger(Number(last.retryAfter))).toBe(true);
    expect(last.body.error.code).toBe('Throttled');
    expect(c.calls).toHaveLength(7);
    expect(c.calls.some((x) => x.activity?.text === 'n7')).toBe(false);
    expect(c.throttled).toBe(1);
    expect(c.violations.get('conversation 7/1000ms')).toBe(1);
    // Another conversation is unaffected by the first one's window.
    expect((await send(c, 'a:conv-u2')).status).toBe(201);
  });

  it('limits requests across conversations by the global 50/s, createConversation included', async () => {
    const c = await connector({ limits: TEAMS_LIMITS });
    const first = await Promise.all([
      ...Array.from({ length: 45 }, (_, i) => send(c, `a:conv-s${i}`)),
      ...Array.from({ length: 5 }, (_, i) => create(c, `c${i}`)),
    ]);
    expect(first.every((a) => a.status === 201)).toBe(true);
    const over = await Promise.all([send(c, 'a:conv-fresh'), create(c, 'c-late'), reply(c, 'a:conv-s0', 'm1')]);
    expect(over.map((a) => a.status)).toEqual([429, 429, 429]);
    for (const a of over) expect(Number(a.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(c.calls).toHaveLength(50);
    expect(c.calls.some((x) => x.memberId === 'c-late' || x.conversationId === 'a:conv-fresh')).toBe(false);
    expect(c.owners.has('a:conv-c-late')).toBe(false);
    expect(c.throttled).toBe(3);
    expect(c.violations.get('global 50/1000ms')).toBe(3);
  });

  it('lets a send through after waiting Retry-After', async () => {
    const c = await connector({ limits: { perConversation: [{ max: 3, windowMs: 300 }] } });
    for (let i = 0; i < 3; i++) expect((await send(c, 'a:conv-u1')).status).toBe(201);
    const refused = await send(c, 'a:conv-u1');
    expect(refused.status).toBe(429);
    expect(refused.retryAfter).toBe('1');
    await sleep(Number(refused.retryAfter) * 1000);
    const after = await send(c, 'a:conv-u1', { type: 'message', text: 'late' });
    expect(after.status).toBe(201);
    expect(c.calls.at(-1)?.activity?.text).toBe('late');
    expect(c.calls).toHaveLength(4);
  });

  it('computes Retry-After from when the window frees, and counts updates and replies', async () => {
    const c = await connector({ limits: { perConversation: [{ max: 2, windowMs: 2600 }] } });
    expect((await send(c, 'a:conv-u1')).status).toBe(201);
    expect((await reply(c, 'a:conv-u1', 'm1')).status).toBe(201);
    const refused = await update(c, 'a:conv-u1', 'm1');
    expect(refused.status).toBe(429);
    expect(refused.retryAfter).toBe('3');
    expect(c.calls.map((x) => x.kind)).toEqual(['send', 'reply']);
  });

  it('scale multiplies every max', async () => {
    const c = await connector({ limits: { perConversation: [{ max: 2, windowMs: 1000 }], global: { max: 4, windowMs: 1000 }, scale: 3 } });
    const one = [];
    for (let i = 0; i < 7; i++) one.push((await send(c, 'a:conv-u1')).status);
    expect(one).toEqual([201, 201, 201, 201, 201, 201, 429]);
    const others = [];
    for (let i = 0; i < 7; i++) others.push((await send(c, `a:conv-o${i}`)).status);
    // global max is 12: 6 used above, 6 more admitted.
    expect(others).toEqual([201, 201, 201, 201, 201, 201, 429]);
  });
});

describe('fault injection', () => {
  it('at rate 1.0 with [503] every call fails, is counted and is not recorded', async () => {
    const c = await connector({ faults: { rate: 1, statuses: [503] } });
    const answers = await Promise.all([
      ...Array.from({ length: 20 }, (_, i) => send(c, `a:conv-u${i % 3}`)),
      create(c, 'u9'),
      reply(c, 'a:conv-u1', 'm1'),
      update(c, 'a:conv-u1', 'm1'),
    ]);
    expect(answers.map((a) => a.status)).toEqual(Array(23).fill(503));
    expect(answers[0].body.error.code).toBe('ServiceUnavailable');
    expect(c.faultsInjected).toBe(23);
    expect(c.calls).toHaveLength(0);
    expect(c.throttled).toBe(0);
  });

  it('at rate 0.2 fails about a fifth of 500 calls, reproducibly for a fixed seed', async () => {
    const statuses = [500, 502, 503, 504, 412, 404, 403];
    const run = async () => {
      const c = await connector({ faults: { rate: 0.2, statuses, seed: 42 } });
      const seen: number[] = [];
      for (let batch = 0; batch < 10; batch++) {
        const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => send(c, `a:conv-u${i}`)));
        seen.push(...answers.map((a) => a.status));
      }
      return { c, seen };
    };
    const { c, seen } = await run();
    const failed = seen.filter((s) => s !== 201);
    expect(failed.length / 500).toBeGreaterThanOrEqual(0.12);
    expect(failed.length / 500).toBeLessThanOrEqual(0.28);
    expect(failed.every((s) => statuses.includes(s))).toBe(true);
    expect(new Set(failed).size).toBeGreaterThan(1);
    expect(c.faultsInjected).toBe(failed.length);
    expect(c.calls).toHaveLength(500 - failed.length);

    const again = await run();
    const tally = (xs: number[]) => xs.reduce<Record<number, number>>((t, s) => ((t[s] = (t[s] ?? 0) + 1), t), {});
    expect(tally(again.seen)).toEqual(tally(seen));
  });
});

describe('users who blocked or uninstalled the bot', () => {
  it('answers 403 ConversationBlockedByUser to create and send, and the set can change at run time', async () => {
    const c = await connector({ goneUsers: ['gone'] });
    const created = await create(c, 'gone');
    expect(created.status).toBe(403);
    expect(created.body).toMatchObject({ error: { code: 'ConversationBlockedByUser' } });

    expect((await create(c, 'later')).status).toBe(201);
    c.goneUsers.add('later');
    const sent = await send(c, 'a:conv-later', card());
    expect(sent.status).toBe(403);
    expect(sent.body.error.code).toBe('ConversationBlockedByUser');
    expect(c.deliveredTo('later')).toBe(0);

    c.goneUsers.delete('later');
    expect((await send(c, 'a:conv-later', card())).status).toBe(201);
    expect(c.deliveredTo('later')).toBe(1);
    expect(c.calls.map((x) => x.kind)).toEqual(['create', 'send']);
  });
});

describe('delivery helpers', () => {
  it('deliveredTo counts card-bearing sends and replies; countBy finds duplicates', async () => {
    const c = await connector();
    c.owners.set('a:conv-a', 'a');
    c.owners.set('a:conv-b', 'b');
    await send(c, 'a:conv-a', card('k1'));
    await send(c, 'a:conv-a', card('k1'));
    await reply(c, 'a:conv-a', 'm1', card('k2'));
    await send(c, 'a:conv-a', { type: 'message', text: 'no card' });
    await update(c, 'a:conv-a', 'm1');
    await send(c, 'a:conv-b', card('k1'));

    expect(c.deliveredTo('a')).toBe(3);
    expect(c.deliveredTo('b')).toBe(1);
    expect(c.deliveredTo('nobody')).toBe(0);

    const byKey = c.countBy((x) => {
      const key = x.activity?.channelData?.countersign?.dedupeKey;
      return x.kind === 'send' && key ? `${c.owners.get(x.conversationId)}|${key}` : undefined;
    });
    expect(Object.fromEntries(byKey)).toEqual({ 'a|k1': 2, 'b|k1': 1 });
  });
});

describe('team rosters (GET /v3/conversations/{id}/pagedmembers)', () => {
  const get = async (c: FakeConnector, path: string) => {
    const res = await fetch(new URL(path, c.url));
    return { status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.json() };
  };
  const team = '19:team-a@thread.tacv2';
  const roster = Array.from({ length: 1_120 }, (_, i) => ({ id: `29:u${i}`, name: `Member ${i}`, aadObjectId: `u${i}` }));
  const paged = (c: FakeConnector, q: string) => get(c, `v3/conversations/${encodeURIComponent(team)}/pagedmembers${q}`);

  it('pages a team as Teams does: at most 500, at least 50, 200 by default, with a token while more remain', async () => {
    const c = await connector();
    c.setTeamRoster(team, roster);
    const seen: string[] = [];
    let token: string | undefined;
    const sizes: number[] = [];
    do {
      const page = await paged(c, `?pageSize=900${token ? `&continuationToken=${encodeURIComponent(token)}` : ''}`);
      expect(page.status).toBe(200);
      sizes.push(page.body.members.length);
      seen.push(...page.body.members.map((m: any) => m.aadObjectId));
      token = page.body.continuationToken;
    } while (token);
    expect(sizes).toEqual([500, 500, 120]);
    expect(seen).toEqual(roster.map((m) => m.aadObjectId));
    expect((await paged(c, '?pageSize=10')).body.members).toHaveLength(50);
    expect((await paged(c, '')).body.members).toHaveLength(200);
    expect(c.rosterCalls('pagedmembers', team)).toHaveLength(5);
  });

  it('answers 404 for a conversation it does not know, 400 for a token that is not its own', async () => {
    const c = await connector();
    c.setTeamRoster(team, roster);
    expect((await get(c, 'v3/conversations/19%3Anope%40thread.tacv2/pagedmembers')).body.error.code).toBe('ConversationNotFound');
    expect((await paged(c, '?continuationToken=made-up')).status).toBe(400);
    expect(c.rosterCalls('pagedmembers')).toEqual([]);
  });

  it('counts roster reads against the per-conversation limits, and the legacy members call against its 5 a minute', async () => {
    const c = await connector({ limits: TEAMS_LIMITS });
    c.setTeamRoster(team, roster);
    const statuses = await Promise.all(Array.from({ length: 9 }, () => paged(c, '?pageSize=50').then((r) => r.status)));
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    const legacy: number[] = [];
    for (let i = 0; i < 6; i++) legacy.push((await get(c, `v3/conversations/${encodeURIComponent('19:other@thread.tacv2')}/members`)).status);
    expect(legacy.slice(5)).toEqual([429]);
  });
});
