/**
 * Campaigns to "the members of a team": Countersign learns which teams it is in from the bot's own
 * conversationUpdate / installationUpdate, and reads a team's roster through the paged members call
 * (GET /v3/conversations/{team}/pagedmembers), never the legacy members call Teams throttles to 5 a minute.
 */
import { describe, expect, test } from 'vitest';
import type { Harness } from '../support/harness';
import { STORES, appOn } from '../support/on-each-store';

export interface TeamInfo {
  id: string;
  name: string;
  aadGroupId?: string;
}

/** What Teams sends when Countersign is added to or removed from a team: a conversationUpdate in its General channel. */
export function teamUpdate(h: Harness, team: TeamInfo, change: 'added' | 'removed', extra: Record<string, unknown> = {}) {
  const bot = { id: '28:countersign', name: 'Countersign' };
  return {
    id: `team-${team.id}-${change}-${Math.random().toString(36).slice(2, 8)}`,
    timestamp: new Date().toISOString(),
    type: 'conversationUpdate',
    channelId: 'msteams',
    serviceUrl: h.connector.url,
    from: { id: '29:someone-who-added-it', aadObjectId: 'someone-who-added-it' },
    recipient: bot,
    conversation: { id: team.id, conversationType: 'channel', isGroup: true, tenantId: h.tenantId },
    channelData: { tenant: { id: h.tenantId }, eventType: change === 'added' ? 'teamMemberAdded' : 'teamMemberRemoved', team },
    ...(change === 'added' ? { membersAdded: [bot] } : { membersRemoved: [bot] }),
    ...extra,
  };
}

for (const store of STORES) {
  describe(`where Countersign is, on the ${store} store`, () => {
    const h = appOn(store);
    const y6: TeamInfo = { id: '19:year6-abc@thread.tacv2', name: 'Year 6', aadGroupId: 'a1b2c3d4-0000-4000-8000-000000000006' };

    test('added to a team, it stores the team, its group and how to reach it; removed, it marks it removed', async () => {
      expect(await h.app.store.getTeam(y6.id)).toBeUndefined();
      expect((await h.post(teamUpdate(h, y6, 'added'))).status).toBe(200);
      const stored = await h.app.store.getTeam(y6.id);
      expect(stored).toMatchObject({ teamId: y6.id, aadGroupId: y6.aadGroupId, name: 'Year 6', serviceUrl: h.connector.url, tenantId: h.tenantId });
      expect(stored?.removedAt).toBeUndefined();
      expect(JSON.parse(stored!.reference)).toMatchObject({ conversation: { id: y6.id }, serviceUrl: h.connector.url });
      // Nothing is posted into the team's channel for being added.
      expect(h.connector.calls.filter((c) => c.conversationId === y6.id)).toEqual([]);

      // Teams sends installationUpdate as well: the same team, still one record, still in it.
      await h.post({ ...teamUpdate(h, y6, 'added'), type: 'installationUpdate', action: 'add', membersAdded: undefined, channelData: { tenant: { id: h.tenantId }, team: { id: y6.id } } });
      expect(await h.app.store.listTeams()).toHaveLength(1);
      expect(await h.app.store.getTeam(y6.id)).toMatchObject({ name: 'Year 6', aadGroupId: y6.aadGroupId });

      expect((await h.post(teamUpdate(h, y6, 'removed'))).status).toBe(200);
      expect((await h.app.store.getTeam(y6.id))?.removedAt).toEqual(expect.any(String));

      // Added again: in it once more.
      await h.post(teamUpdate(h, y6, 'added'));
      expect((await h.app.store.getTeam(y6.id))?.removedAt).toBeUndefined();
    });

    test('installationUpdate remove also marks the team removed', async () => {
      const t: TeamInfo = { id: '19:office-xyz@thread.tacv2', name: 'Office' };
      await h.post(teamUpdate(h, t, 'added'));
      await h.post({ ...teamUpdate(h, t, 'removed'), type: 'installationUpdate', action: 'remove', membersRemoved: undefined });
      expect((await h.app.store.getTeam(t.id))?.removedAt).toEqual(expect.any(String));
    });
  });
}
