import { TeamsInfo, type CloudAdapter, type ConversationReference, type TeamsPagedMembersResult } from 'botbuilder';
import type { TeamMember, TeamRef, TeamRoster, TeamRosterPage } from '../src/ports/team-roster';
import type { TeamAddress } from '../src/ports/store';
import { retryAfterMs, RETRYABLE, statusOf } from './connector-retry';
import type { RateGate } from './rate-gate';
import { proactive } from './teams.notifier';

/**
 * Members per page asked of Teams. Teams treats a page size under 50 as 50 and caps one over 500 at 500
 * (learn.microsoft.com, "Get Teams specific context for your bot", Fetch the roster or user profile), so
 * 500 reads a team in the fewest calls.
 */
export const TEAM_ROSTER_PAGE_SIZE = 500;

export interface BotTeamRosterOptions {
  adapter: CloudAdapter;
  /** Empty in embedded mode, where the connector runs without auth. */
  botAppId: string;
  /** The stored team: where its General channel is (the bot's own conversationUpdate stored it). */
  findTeam: (teamId: string) => Promise<TeamAddress | undefined>;
  /** Every team stored, removed ones included. */
  listTeams: () => Promise<TeamAddress[]>;
  /** Paces the call under Teams' per-conversation limits, with the cards. */
  gate: RateGate;
  pageSize?: number;
}

/**
 * A team's roster through TeamsInfo.getPagedMembers inside continueConversationAsync, on the stored
 * reference to the team's General channel: GET /v3/conversations/{team id}/pagedmembers?pageSize=&continuationToken=.
 * Never TeamsInfo.getMembers / getTeamMembers (GET …/members), which Teams throttles to five requests a
 * minute and cuts off at 10,000 members (learn.microsoft.com, "Teams bot API changes to fetch team or chat members").
 */
export class BotTeamRoster implements TeamRoster {
  constructor(private readonly o: BotTeamRosterOptions) {}

  async teams(): Promise<TeamRef[]> {
    return (await this.o.listTeams()).filter((t) => !t.removedAt).map(refOf);
  }

  async team(teamId: string): Promise<TeamRef | undefined> {
    const t = await this.o.findTeam(teamId);
    return t && refOf(t);
  }

  async members(teamId: string, continuationToken?: string): Promise<TeamRosterPage> {
    const team = await this.o.findTeam(teamId);
    if (!team) return { kind: 'notFound', reason: 'Countersign was never added to this team' };
    if (team.removedAt) return { kind: 'notFound', reason: `Countersign was removed from ${team.name}` };
    let page: TeamsPagedMembersResult | undefined;
    const answered = await this.o.gate.acquire(team.teamId);
    try {
      const reference = JSON.parse(team.reference) as ConversationReference;
      await proactive((logic) => this.o.adapter.continueConversationAsync(this.o.botAppId, reference, logic), async (ctx) => {
        page = await TeamsInfo.getPagedMembers(ctx, this.o.pageSize ?? TEAM_ROSTER_PAGE_SIZE, continuationToken || undefined);
      });
    } catch (e) {
      const status = statusOf(e);
      if (status === 429) return { kind: 'throttled', retryAfterMs: retryAfterMs(e) ?? 1_000 };
      // 403: the bot is no longer in the team's roster; 404: no such conversation (the team was deleted).
      if (status === 403 || status === 404) return { kind: 'notFound', reason: `Teams answered ${status} for ${team.name}` };
      return { kind: 'failed', reason: `reading the members of ${team.name}: ${status ?? (e as Error).message}`, transient: status === undefined || RETRYABLE.has(status) || status >= 500 };
    } finally {
      answered();
    }
    const members: TeamMember[] = (page?.members ?? [])
      // Only people with an Entra id are staff the directory can know (bots and some guests have none).
      .filter((m) => typeof m.aadObjectId === 'string' && m.aadObjectId)
      .map((m) => ({ id: m.aadObjectId!, name: m.name ?? '', ...(m.email ? { email: m.email } : {}) }));
    return { kind: 'page', members, ...(page?.continuationToken ? { next: page.continuationToken } : {}) };
  }
}

const refOf = (t: TeamAddress): TeamRef => ({ id: t.teamId, name: t.name, ...(t.removedAt ? { removed: true } : {}) });
