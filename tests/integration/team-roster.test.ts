/**
 * Campaigns to "the members of a team": Countersign learns which teams it is in from the bot's own
 * conversationUpdate / installationUpdate, and reads a team's roster through the paged members call
 * (GET /v3/conversations/{team}/pagedmembers), never the legacy members call Teams throttles to 5 a minute.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { demoPolicyVersions } from '../../src/adapters/demo-policy';
import { demoPeople, demoSchool } from '../../src/adapters/demo-school';
import type { CampaignDashboard } from '../../src/contract/campaigns';
import { audienceWords } from '../../src/domain/campaign';
import { JobKinds } from '../../src/services/campaigns.service';
import type { StaffMember } from '../../src/domain/people';
import type { FakeTeamMember } from '../support/fake-connector';
import type { Harness } from '../support/harness';
import { STORES, appOn } from '../support/on-each-store';
import { apiAs } from '../support/tab-api';

interface TeamInfo {
  id: string;
  name: string;
  aadGroupId?: string;
}

const teamUpdate = (h: Harness, team: TeamInfo, change: 'added' | 'removed', extra: Record<string, unknown> = {}) => h.teamUpdate(team, change, extra);

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

    test('in chat, "campaign launch" offers the teams Countersign is in, and launches to one', async () => {
      const admin = demoPeople.policyAdmin;
      const [form] = await h.say(admin, 'campaign launch');
      const audience = JSON.stringify(form).match(/"id":"audience".*?"choices":(\[.*?\])/)?.[1];
      expect(JSON.parse(audience!)).toEqual([
        { title: 'All staff in the school directory', value: 'roster' },
        { title: 'Members of Year 6 team', value: `team:${y6.id}` },
      ]);
      const data = { versionId: demoPolicyVersions[1]!.id, deadline: '2099-12-31', reminderEveryDays: 7 };
      // A team Countersign is not in: the form again, saying so, and nothing launched.
      const refused = await h.invoke(admin, 'campaign.launch', { ...data, audience: 'team:19:not-ours@thread.tacv2' });
      expect(JSON.stringify(refused.card)).toMatch(/choose one of the teams Countersign is in/);
      expect(await h.app.store.campaigns.listCampaigns()).toEqual([]);
      await h.invoke(admin, 'campaign.launch', { ...data, audience: `team:${y6.id}` });
      const [campaign] = await h.app.store.campaigns.listCampaigns();
      expect(campaign?.audience).toEqual({ kind: 'team', teamId: y6.id, teamName: 'Year 6' });
      await h.settle();
    });

    test('someone joining a team Countersign is in gets no help card posted in the team\'s channel', async () => {
      const joining = { id: '29:new-teacher', aadObjectId: 'new-teacher', name: 'New Teacher' };
      const res = await h.post(h.teamUpdate(y6, 'added', { membersAdded: [joining] }));
      expect(res.status).toBe(200);
      expect(h.connector.calls.filter((c) => c.conversationId === y6.id && (c.kind === 'send' || c.kind === 'reply'))).toEqual([]);
    });

    test('installationUpdate remove also marks the team removed', async () => {
      const t: TeamInfo = { id: '19:office-xyz@thread.tacv2', name: 'Office' };
      await h.post(teamUpdate(h, t, 'added'));
      await h.post({ ...teamUpdate(h, t, 'removed'), type: 'installationUpdate', action: 'remove', membersRemoved: undefined });
      expect((await h.app.store.getTeam(t.id))?.removedAt).toEqual(expect.any(String));
    });
  });
}

/** A member of staff in the directory, with an id that sorts among the team's. */
const staff = (i: number, extra: Partial<StaffMember> = {}): StaffMember => ({
  id: `30000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  schoolId: demoSchool.id,
  name: `Team Test ${i}`,
  email: `t${i}@school.example`,
  department: `Year ${i % 7}`,
  jobTitle: 'Teacher',
  roles: [],
  ...extra,
});

/** How a member appears in Teams' roster. */
const member = (id: string, name: string): FakeTeamMember => ({ id: `29:${id}`, name, aadObjectId: id, email: `${id}@school.example`, userPrincipalName: `${id}@school.example` });

/** Campaign cards (those with the sign button) delivered to each person. */
const campaignCards = (h: Harness, campaignId: string) =>
  h.connector.countBy((c) => {
    const card = c.activity?.attachments?.[0]?.content;
    const sign = card?.actions?.find((a: any) => a.verb === 'declaration.sign');
    return (c.kind === 'send' || c.kind === 'reply') && sign?.data?.campaignId === campaignId ? h.connector.owners.get(c.conversationId) : undefined;
  });

for (const store of STORES) {
  describe(`a campaign to the members of a team, on the ${store} store`, () => {
    const h = appOn(store);
    const team: TeamInfo = { id: '19:year6-campaign@thread.tacv2', name: 'Year 6', aadGroupId: 'a1b2c3d4-0000-4000-8000-0000000000y6' };
    // 1,200 members, three pages of Teams' 500: 330 are staff (30 of whom have left), 870 are not in the
    // staff directory at all (pupils, guests), and one is a bot with no Entra id. 40 staff are not in the team.
    const inTeam = Array.from({ length: 330 }, (_, i) => staff(i, i < 30 ? { leftOn: '2026-07-31' } : {}));
    const notInTeam = Array.from({ length: 40 }, (_, i) => staff(1000 + i));
    const current = inTeam.filter((s) => !s.leftOn);
    const outsiders = Array.from({ length: 870 }, (_, i) => member(`40000000-0000-4000-8000-${String(i).padStart(12, '0')}`, `Pupil ${i}`));
    const roster: FakeTeamMember[] = [];
    beforeAll(async () => {
      await h.addStaff([...inTeam, ...notInTeam]);
      // Interleaved, as Teams orders members its own way, not by directory id.
      for (let i = 0; i < 1200; i++) {
        if (i % 3 === 0 && inTeam[i / 3]) roster.push(member(inTeam[i / 3]!.id, inTeam[i / 3]!.name));
        else if (outsiders.length) roster.push(outsiders.shift()!);
      }
      roster.push({ id: '28:another-bot', name: 'Another bot' });
      h.connector.setTeamRoster(team.id, roster);
      await h.post(h.teamUpdate(team, 'added'));
      // The bot learns where Teams is from the first message anyone writes to it.
      await h.say(demoPeople.policyAdmin, 'help');
    });

    let campaignId = '';

    test('reaches exactly the team members who are current staff, once each, reading the roster through pagedmembers only', async () => {
      expect(roster.length).toBe(1201);
      expect(roster.filter((m) => inTeam.some((s) => s.id === m.aadObjectId))).toHaveLength(330);
      const api = await apiAs(h, demoPeople.policyAdmin);
      const options = await api.get('/api/campaigns/options');
      expect(options.body.teams).toEqual([{ id: team.id, name: 'Year 6' }]);

      const launched = await api.post<CampaignDashboard>('/api/campaigns', { versionId: demoPolicyVersions[1]!.id, deadline: '2099-12-31', reminderEveryDays: 7, audience: { kind: 'team', teamId: team.id } });
      expect(launched.status).toBe(201);
      expect(launched.body.campaign.audience).toEqual({ kind: 'team', teamId: team.id, teamName: 'Year 6' });
      expect(audienceWords(launched.body.campaign.audience)).toBe('Members of Year 6 team');
      campaignId = launched.body.campaign.id;
      await h.settle();

      const cards = campaignCards(h, campaignId);
      expect([...cards.keys()].sort()).toEqual(current.map((s) => s.id).sort());
      expect([...cards.values()].every((n) => n === 1)).toBe(true);
      const dashboard = (await api.get<CampaignDashboard>(`/api/campaigns/${campaignId}`)).body;
      expect(dashboard.progress.total).toBe(current.length);
      expect(dashboard.progress.phase).not.toBe('preparing');

      // Three pages of 500, each after the last one's token; never the legacy call Teams throttles to 5 a minute.
      const paged = h.connector.rosterCalls('pagedmembers', team.id);
      expect(paged.map((c) => c.query?.pageSize)).toEqual(['500', '500', '500']);
      expect(paged[0]!.query?.continuationToken).toBeUndefined();
      expect(paged.slice(1).every((c) => !!c.query?.continuationToken)).toBe(true);
      expect(h.connector.rosterCalls('members')).toEqual([]);
    });

    test('a reminder run adds the team\'s new members who are staff, never the rest of the staff', async () => {
      const joiner = staff(2000);
      await h.addStaff([joiner]);
      h.connector.setTeamRoster(team.id, [...roster, member(joiner.id, joiner.name)]);
      const api = await apiAs(h, demoPeople.policyAdmin);
      const before = h.connector.rosterCalls('pagedmembers', team.id).length;
      // A scheduled reminder run, due now (the clock here is real: a week is not waited; the first run, booked at
      // launch, keeps its key and its due time). "Remind now" books the same run, but on SharePoint its
      // once-a-day claim is refused when the claim's reply is lost (see the report).
      await h.app.store.jobs.enqueue([
        { id: `due-run-${store}`, schoolId: demoSchool.id, kind: JobKinds.remindRun, key: `remind-run:${campaignId}:2`, payload: { campaignId, n: 2 }, runAt: new Date().toISOString(), attempts: 0 },
      ]);
      h.app.runner.nudge();
      await h.settle();
      const cards = campaignCards(h, campaignId);
      expect(cards.get(joiner.id)).toBe(1);
      for (const s of [...notInTeam, ...inTeam.filter((x) => x.leftOn)]) expect(cards.get(s.id), s.name).toBeUndefined();
      expect((await api.get<CampaignDashboard>(`/api/campaigns/${campaignId}`)).body.progress.total).toBe(current.length + 1);
      expect(h.connector.rosterCalls('pagedmembers', team.id).length - before).toBe(3);
      expect(h.connector.rosterCalls('members')).toEqual([]);
    });
  });
}
