import { campaignProgress, countRecipients, inAudience, isOpen, recipientStateWords, RECIPIENT_STATE_LABELS, signaturesByDay, unreachableReason, type AudienceSpec, type Campaign, type Progress } from '../domain/campaign';
import { formatDay, formatMoment, localDay } from '../domain/display-dates';
import { campaignRefusal, remindNowRefusal } from '../domain/campaign-permissions';
import { ConflictError, domainError, ErrorCodes, type DomainError } from '../domain/errors';
import type { Actor, StaffMember } from '../domain/people';
import { currentVersion } from '../domain/policy';
import { newRecipient, REMINDABLE, transitionRecipient, type Recipient, type RecipientEvent, type RecipientState } from '../domain/recipient.workflow';
import { err, ok, type Result } from '../domain/result';
import type { CampaignStore } from '../ports/campaign-store';
import type { Clock } from '../ports/clock';
import type { Directory } from '../ports/directory';
import type { IdSource } from '../ports/ids';
import type { Job, JobQueue } from '../ports/job-queue';
import type { Notifier } from '../ports/notifier';
import type { PolicyStore } from '../ports/policy-store';
import type { TeamRoster } from '../ports/team-roster';
import type { Versioned } from '../ports/store';
import { schoolOf } from './actors';
import { csvRow } from './csv';
import type { JobHandler, JobOutcome } from './job-runner';
import { backoffMs, jobsPolicy } from '../resilience/retry.policy';
import { NO_DEPARTMENT } from '../domain/roster';

export interface CampaignDeps {
  campaigns: CampaignStore;
  policies: PolicyStore;
  jobs: JobQueue;
  directory: Directory;
  notifier: Notifier;
  /** The teams Countersign is in and their members, for an audience of a team's members. Absent: no team audiences. */
  teamRoster?: TeamRoster;
  clock: Clock;
  ids: IdSource;
  localDate: (d: Date) => string;
  /** The school's time zone (config `timeZone`): the CSV and the summary give times as the school reads them. */
  timeZone: string;
  /** Send attempts per recipient before it is marked failed. */
  maxAttempts?: number;
  /** Called after jobs are queued so a worker can start at once. */
  onQueued?: () => void;
}

export interface LaunchInput {
  versionId: string;
  deadline: string;
  reminderEveryDays?: number;
  audience?: AudienceSpec;
}

/** A refused launch: when another campaign for the version is open, it is named so the admin can see its status. */
export type LaunchError = DomainError & { openCampaign?: Campaign };

type AdminActor = Actor & { staff?: StaffMember };

export const DEFAULT_REMINDER_DAYS = 7;
/** People per audience page: one directory read, one declarations read and one booking per page. */
export const AUDIENCE_PAGE = 500;
const PAGE = 500;
/** Staff records read at once while checking a team page's members (on SharePoint, each is a Graph request). */
const STAFF_LOOKUPS_AT_ONCE = 16;
const DAY = 86_400_000;
/** Attempts of an audience job that finds no campaign yet (SharePoint books the job before the campaign item). */
const WAIT_FOR_CAMPAIGN_ATTEMPTS = 6;

export const JobKinds = {
  send: 'campaign.send',
  remindRun: 'campaign.remind-run',
  remindOne: 'campaign.remind-one',
  /** Reads one page of the audience and books its recipients and sends, then the next page. */
  expand: 'campaign.expand',
} as const;


/** The annual acknowledgement campaign: launch, fan-out, reminders, progress, closing and export. */
export class CampaignService {
  constructor(private readonly d: CampaignDeps) {}

  private today() {
    return this.d.localDate(this.d.clock.now());
  }

  /** Who may run campaigns is the domain's rule (campaign-permissions.ts); roles come from the directory. */
  private requireAdmin(actor: AdminActor): DomainError | undefined {
    return campaignRefusal({ id: actor.id, roles: actor.staff?.roles ?? [] }, 'view');
  }

  /** `schoolId`: the campaign's. */
  private sendJob(campaignId: string, userId: string, at: string, schoolId: string): Job {
    return { id: this.d.ids.next(), schoolId, kind: JobKinds.send, key: `send:${campaignId}:${userId}`, payload: { campaignId, userId }, runAt: at, attempts: 0 };
  }

  private remindRunJob(c: Campaign, n: number, at: Date): Job {
    return { id: this.d.ids.next(), schoolId: c.schoolId, kind: JobKinds.remindRun, key: `remind-run:${c.id}:${n}`, payload: { campaignId: c.id, n }, runAt: at.toISOString(), attempts: 0 };
  }

  /** `pass`: 'launch', or `r<n>` for the joiners' pass of reminder run n. The key makes each page booked once. */
  private expandJob(c: Pick<Campaign, 'id' | 'schoolId'>, pass: string, after: string, at: string): Job {
    return { id: this.d.ids.next(), schoolId: c.schoolId, kind: JobKinds.expand, key: `expand:${c.id}:${pass}:${after}`, payload: { campaignId: c.id, pass, after }, runAt: at, attempts: 0 };
  }

  /**
   * A team audience's next page: Teams' continuation token in the payload (opaque and long, so the key
   * numbers the page instead), so a crash resumes from the page it was reading.
   */
  private teamPageJob(c: Pick<Campaign, 'id' | 'schoolId'>, pass: string, page: number, token: string, at: string): Job {
    return { id: this.d.ids.next(), schoolId: c.schoolId, kind: JobKinds.expand, key: `expand:${c.id}:${pass}:team-page-${page}`, payload: { campaignId: c.id, pass, after: '', page, token }, runAt: at, attempts: 0 };
  }

  private alreadyOpen(open: Campaign): LaunchError {
    return {
      ...domainError(
        ErrorCodes.CAMPAIGN_ALREADY_OPEN,
        `${open.title} (${open.versionLabel}) already has an open campaign: launched ${formatDay(localDay(open.launchedAt, this.d.timeZone))} by ${open.launchedByName}, deadline ${formatDay(open.deadline)}. ` +
          'There can be one open campaign per policy version: see its status, or close it first (“campaign close”) to launch again.',
      ),
      openCampaign: open,
    };
  }

  /**
   * Books the campaign and ONE job that reads the audience in pages and books the sends, so the
   * answer comes at once whatever the audience's size (Azure Bot Service gives up on a turn after
   * 10–15 s). At most one open campaign per version: a second launch is refused, naming the first.
   */
  async launch(actor: AdminActor, input: LaunchInput): Promise<Result<{ campaign: Campaign }, LaunchError>> {
    const denied = this.requireAdmin(actor);
    if (denied) return err(denied);
    const fields: Record<string, string> = {};
    const version = await this.d.policies.getVersion(input.versionId);
    if (!version) fields.versionId = 'Policy version: choose one from the list.';
    const today = this.today();
    if (!/^\d{4}-\d{2}-\d{2}$/.test(input.deadline ?? '')) fields.deadline = 'Deadline: pick a date from the calendar.';
    else if (input.deadline < today) fields.deadline = `Deadline: it is in the past; choose ${today} or later.`;
    const every = input.reminderEveryDays ?? DEFAULT_REMINDER_DAYS;
    if (!Number.isInteger(every) || every < 1 || every > 90) fields.reminderEveryDays = 'Reminder every: a whole number of days from 1 to 90.';
    let audience: AudienceSpec = input.audience ?? { kind: 'roster' };
    if (audience.kind === 'departments') {
      const named = [...new Set(audience.departments.map((x) => x.trim()).filter(Boolean))];
      if (!named.length) fields.audience = 'Audience: choose at least one department, or all staff.';
      else audience.departments = named;
    }
    if (audience.kind === 'joinedSince') {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(audience.since ?? '') || Number.isNaN(Date.parse(audience.since))) fields.audience = 'Audience: pick the first join date from the calendar.';
      else if (audience.since > today) fields.audience = `Audience: the join date is in the future; choose ${today} or earlier.`;
    }
    if (audience.kind === 'team') {
      // The team is looked up here, never taken from the client: its name is the one Teams gave.
      const team = audience.teamId && this.d.teamRoster ? await this.d.teamRoster.team(audience.teamId) : undefined;
      if (!team || team.removed) fields['audience.teamId'] = 'Audience: choose one of the teams Countersign is in (add Countersign to the team first).';
      else audience = { kind: 'team', teamId: team.id, teamName: team.name };
    }
    if (version) {
      const current = currentVersion(await this.d.policies.listVersions(version.policyId), today);
      if (current && current.id !== version.id) fields.versionId = `Policy version: ${version.versionLabel} has been replaced by ${current.versionLabel}; launch the current one.`;
    }
    if (Object.keys(fields).length || !version) return err(domainError(ErrorCodes.CAMPAIGN_INVALID, Object.values(fields).join(' '), { fields }));

    const now = this.d.clock.now();
    const at = now.toISOString();
    const open = await this.d.campaigns.openCampaignFor(version.id);
    if (open && isOpen(open, today)) return err(this.alreadyOpen(open));
    // One past its deadline is over in all but name: close it, so the new one can be the open one.
    if (open) await this.closeAndRecount(open, { at, by: actor.id, byName: actor.name });

    const campaign: Campaign = {
      id: this.d.ids.next(),
      // The launching admin's school (requireAdmin has checked they have a staff record).
      schoolId: schoolOf(actor) ?? version.schoolId,
      policyId: version.policyId,
      versionId: version.id,
      versionLabel: version.versionLabel,
      title: version.title,
      audience,
      deadline: input.deadline,
      reminderEveryDays: every,
      launchedBy: actor.id,
      launchedByName: actor.name,
      launchedAt: at,
      audienceStatus: 'preparing',
    };
    const created = await this.d.campaigns.createCampaign(campaign, [], [this.expandJob(campaign, 'launch', '', at)]);
    if (!created.created) return err(this.alreadyOpen(created.open));
    this.d.onQueued?.();
    return ok({ campaign });
  }

  async latest(): Promise<Campaign | undefined> {
    return (await this.d.campaigns.listCampaigns())[0];
  }

  private async find(campaignId?: string): Promise<Result<Campaign, DomainError>> {
    const campaign = campaignId ? await this.d.campaigns.getCampaign(campaignId) : await this.latest();
    return campaign ? ok(campaign) : err(domainError(ErrorCodes.CAMPAIGN_NOT_FOUND, 'There is no campaign yet. Type “campaign launch” to start one.'));
  }

  async progress(actor: AdminActor, campaignId?: string): Promise<Result<{ campaign: Campaign; progress: Progress }, DomainError>> {
    const denied = this.requireAdmin(actor);
    if (denied) return err(denied);
    const found = await this.find(campaignId);
    if (!found.ok) return found;
    const campaign = found.value;
    return ok({ campaign, progress: campaignProgress(campaign, await this.d.campaigns.countRecipients(campaign.id), this.today()) });
  }

  private async closeAndRecount(c: Campaign, closed: NonNullable<Campaign['closed']>) {
    const after = (await this.d.campaigns.closeCampaign(c.id, closed)) ?? { ...c, closed };
    // Closing is when the figures become the record: count them again from the recipients themselves.
    const counts = await this.d.campaigns.recountRecipients(c.id);
    return { campaign: after, progress: campaignProgress(after, counts, this.today()) };
  }

  /**
   * Closes a campaign early: no more cards and no more reminders (pending jobs find it closed and stop),
   * and its counters are rebuilt from the recipient records. Without an id, the latest campaign.
   */
  async close(actor: AdminActor, campaignId?: string): Promise<Result<{ campaign: Campaign; progress: Progress }, DomainError>> {
    const denied = this.requireAdmin(actor);
    if (denied) return err(denied);
    const found = await this.find(campaignId);
    if (!found.ok) return found;
    const c = found.value;
    if (c.closed) {
      return err(domainError(ErrorCodes.CAMPAIGN_CLOSED, `This campaign was already closed by ${c.closed.byName} on ${formatDay(localDay(c.closed.at, this.d.timeZone))}.`));
    }
    return ok(await this.closeAndRecount(c, { at: this.d.clock.now().toISOString(), by: actor.id, byName: actor.name }));
  }

  /** Rebuilds the progress counters from the recipient records (a repair, on demand). */
  async recount(actor: AdminActor, campaignId?: string): Promise<Result<{ campaign: Campaign; progress: Progress }, DomainError>> {
    const denied = this.requireAdmin(actor);
    if (denied) return err(denied);
    const found = await this.find(campaignId);
    if (!found.ok) return found;
    const campaign = found.value;
    return ok({ campaign, progress: campaignProgress(campaign, await this.d.campaigns.recountRecipients(campaign.id), this.today()) });
  }

  /**
   * One CSV row per recipient, and a short summary for governors. Both come from the recipient
   * records read here, never from kept counters, so the summary always adds up to the rows.
   */
  async export(actor: AdminActor, campaignId?: string): Promise<Result<{ campaign: Campaign; progress: Progress; csv: string; summary: string }, DomainError>> {
    const denied = this.requireAdmin(actor);
    if (denied) return err(denied);
    const found = await this.find(campaignId);
    if (!found.ok) return found;
    const campaign = found.value;
    const tz = this.d.timeZone;
    // Column names and states in a governor's words; times in the school's zone, as the cards give them.
    const lines = [csvRow(['Name', 'Department', 'Status', `Signed on (${tz} time)`, 'Reminders sent', 'Technical detail'])];
    const rows: Recipient[] = [];
    for (let after = ''; ; ) {
      const page = await this.d.campaigns.listRecipients(campaign.id, { afterUserId: after, limit: PAGE });
      rows.push(...page);
      if (page.length < PAGE) break;
      after = page[page.length - 1].userId;
    }
    // By department, then name: how a governor or a head of department reads down the list.
    const byName = new Intl.Collator('en-GB', { sensitivity: 'base', numeric: true });
    const ordered = [...rows].sort((a, b) => byName.compare(a.department, b.department) || byName.compare(a.name, b.name));
    for (const r of ordered) {
      const signedOn = r.signedAt ? formatMoment(r.signedAt, tz) : '';
      lines.push(csvRow([r.name, r.department, recipientStateWords(r), signedOn, String(r.remindersSent), r.state === 'failed' ? (r.failureReason ?? '') : '']));
    }
    const progress = campaignProgress(campaign, countRecipients(rows), this.today());
    const s = progress.byState;
    const pct = (n: number) => `${Math.round((n / Math.max(progress.total, 1)) * 100)}%`;
    const day = (iso: string) => formatDay(localDay(iso, tz));
    // Why people could not be reached, counted with the same words as the CSV's Status column.
    const why = new Map<string, number>();
    for (const r of rows) if (r.state === 'failed') why.set(unreachableReason(r.failureReason), (why.get(unreachableReason(r.failureReason)) ?? 0) + 1);
    const W = RECIPIENT_STATE_LABELS;
    const summary = [
      `${campaign.title}, version ${campaign.versionLabel}: acknowledgement campaign launched ${day(campaign.launchedAt)} by ${campaign.launchedByName}, deadline ${formatDay(campaign.deadline)}.`,
      ...(campaign.closed ? [`Closed on ${day(campaign.closed.at)} by ${campaign.closed.byName}.`] : []),
      `${s.signed} of ${progress.total} staff have signed (${pct(s.signed)}); ${s.sent + s.unconfirmed + s.queued} have not signed yet; ${s.failed} could not be reached.`,
      `${W.signed}: ${s.signed}. ${W.sent}: ${s.sent}.` +
        (s.unconfirmed ? ` ${W.unconfirmed.replace(': ', `: ${s.unconfirmed}; `)}.` : '') +
        (s.queued ? ` ${W.queued}: ${s.queued}.` : '') +
        (s.failed ? ` ${W.failed}: ${s.failed} (${[...why].map(([w, n]) => `${w}: ${n}`).join('; ')}).` : ''),
      ...progress.byDepartment.map((d) => `${d.department}: ${d.signed} of ${d.total} signed.`),
    ].join('\n');
    return ok({ campaign, progress, csv: lines.join('\r\n') + '\r\n', summary });
  }

  /**
   * "Remind now": books the same reminder run the schedule books (new joiners added, everyone who has not
   * signed reminded, signatures checked first), at once, at most once a school day (campaign-permissions.ts).
   * The store records the day atomically, so two presses at once book one run.
   */
  async remindNow(actor: AdminActor, campaignId: string): Promise<Result<{ campaign: Campaign }, DomainError>> {
    const denied = campaignRefusal({ id: actor.id, roles: actor.staff?.roles ?? [] }, 'remind');
    if (denied) return err(denied);
    const found = await this.find(campaignId);
    if (!found.ok) return found;
    const today = this.today();
    const refused = remindNowRefusal(found.value, today);
    if (refused) return err(refused);
    if (!(await this.d.campaigns.claimRemindDay(found.value.id, today))) return err(remindNowRefusal({ ...found.value, remindedOn: today }, today)!);
    const c = { ...found.value, remindedOn: today };
    const at = this.d.clock.now().toISOString();
    await this.d.jobs.enqueue([{ id: this.d.ids.next(), schoolId: c.schoolId, kind: JobKinds.remindRun, key: `remind-run:${c.id}:now-${today}`, payload: { campaignId: c.id, n: 0, now: today }, runAt: at, attempts: 0 }]);
    this.d.onQueued?.();
    return ok({ campaign: c });
  }

  /** The teams Countersign is in, by name: each can be a campaign's audience. */
  async teamChoices(actor: AdminActor): Promise<Result<Array<{ id: string; name: string }>, DomainError>> {
    const denied = this.requireAdmin(actor);
    if (denied) return err(denied);
    return ok(((await this.d.teamRoster?.teams()) ?? []).map((t) => ({ id: t.id, name: t.name })));
  }

  /** Every campaign, newest first. */
  async list(actor: AdminActor): Promise<Result<Campaign[], DomainError>> {
    const denied = this.requireAdmin(actor);
    if (denied) return err(denied);
    return ok(await this.d.campaigns.listCampaigns());
  }

  /**
   * What an admin can choose an audience from, read from the directory a page at a time: its
   * departments, and how many people joined on each day (for "joined since a date", so the form can
   * say how many that reaches). People who have left are not counted.
   */
  async audienceChoices(actor: AdminActor): Promise<Result<{ departments: string[]; joinDays: Array<{ day: string; people: number }>; teams: Array<{ id: string; name: string }> }, DomainError>> {
    const denied = this.requireAdmin(actor);
    if (denied) return err(denied);
    const departments = new Set<string>();
    const joined = new Map<string, number>();
    for (let after = ''; ; ) {
      const page = await this.d.directory.listStaffPage(after, AUDIENCE_PAGE);
      for (const p of page) {
        if (p.leftOn) continue;
        // Someone without a department is offered as "No department", the name reports group them under.
        departments.add(p.department.trim() || NO_DEPARTMENT);
        if (p.joinedOn) joined.set(p.joinedOn, (joined.get(p.joinedOn) ?? 0) + 1);
      }
      if (page.length < AUDIENCE_PAGE) break;
      after = page[page.length - 1].id;
    }
    return ok({
      departments: [...departments].sort((a, b) => a.localeCompare(b)),
      joinDays: [...joined].sort(([a], [b]) => (a < b ? -1 : 1)).map(([day, people]) => ({ day, people })),
      // The teams Countersign is in: a team audience reaches those of its members who are staff.
      teams: ((await this.d.teamRoster?.teams()) ?? []).map((t) => ({ id: t.id, name: t.name })),
    });
  }

  /** Cumulative signatures by school day, from the signed recipients' own signedAt (read a page at a time). */
  async completion(actor: AdminActor, campaignId: string): Promise<Result<{ campaign: Campaign; byDay: Array<{ day: string; signed: number }> }, DomainError>> {
    const denied = this.requireAdmin(actor);
    if (denied) return err(denied);
    const found = await this.find(campaignId);
    if (!found.ok) return found;
    const at: string[] = [];
    for (let after = ''; ; ) {
      const page = await this.d.campaigns.listRecipients(found.value.id, { state: 'signed', afterUserId: after, limit: PAGE });
      for (const r of page) if (r.signedAt) at.push(r.signedAt);
      if (page.length < PAGE) break;
      after = page[page.length - 1].userId;
    }
    return ok({ campaign: found.value, byDay: signaturesByDay(at, this.d.timeZone) });
  }

  /**
   * One page of the people who have not signed, state by state (NOT_SIGNED order) and by user id within a
   * state, optionally of one department. The cursor is "<state>:<last user id>". A department filter reads
   * at most a few store pages per call and may answer fewer than `limit` with a cursor to go on.
   */
  async notSigned(
    actor: AdminActor,
    campaignId: string,
    o: { department?: string; cursor?: string; limit: number },
  ): Promise<Result<{ campaign: Campaign; items: Recipient[]; next?: string }, DomainError>> {
    const denied = this.requireAdmin(actor);
    if (denied) return err(denied);
    const found = await this.find(campaignId);
    if (!found.ok) return found;
    const [state0, after0 = ''] = (o.cursor ?? '').split(/:(.*)/s);
    let i = Math.max(0, NOT_SIGNED.indexOf(state0 as RecipientState));
    let after = o.cursor ? after0 : '';
    const items: Recipient[] = [];
    for (let reads = 0; i < NOT_SIGNED.length && items.length < o.limit; reads++) {
      if (reads >= 8) return ok({ campaign: found.value, items, next: `${NOT_SIGNED[i]}:${after}` });
      const want = o.limit - items.length;
      const page = await this.d.campaigns.listRecipients(found.value.id, { state: NOT_SIGNED[i], afterUserId: after, limit: o.department ? Math.max(want, 100) : want });
      for (const r of page) {
        if (items.length === o.limit) break;
        after = r.userId;
        if (!o.department || r.department === o.department) items.push(r);
      }
      if (items.length === o.limit) break;
      if (page.length < (o.department ? Math.max(want, 100) : want)) {
        i++;
        after = '';
      }
    }
    // Full: there may be more after the last one given; a next page that turns out empty is harmless.
    const next = i < NOT_SIGNED.length && items.length === o.limit ? `${NOT_SIGNED[i]}:${after}` : undefined;
    return ok({ campaign: found.value, items, ...(next ? { next } : {}) });
  }

  /** The job handlers this service owns. */
  handlers(): Record<string, JobHandler> {
    return {
      [JobKinds.send]: (job) => this.send(String(job.payload.campaignId), String(job.payload.userId), job.attempts),
      [JobKinds.remindRun]: (job) => this.remindRun(String(job.payload.campaignId), Number(job.payload.n), job.payload.now ? String(job.payload.now) : undefined),
      [JobKinds.remindOne]: (job) => this.remindOne(String(job.payload.campaignId), String(job.payload.userId)),
      [JobKinds.expand]: (job) =>
        this.expand(String(job.payload.campaignId), String(job.payload.pass ?? 'launch'), String(job.payload.after ?? ''), job.attempts, job.runAt, {
          page: Number(job.payload.page ?? 0),
          token: job.payload.token ? String(job.payload.token) : undefined,
        }),
    };
  }

  /**
   * Moves a recipient on. `known` is the version the caller already holds (e.g. from its own last write),
   * which saves a read; if it has gone stale, the recipient is read once more and the event tried again.
   */
  private async apply(campaignId: string, userId: string, event: RecipientEvent, known?: Versioned<Recipient>): Promise<Versioned<Recipient> | undefined> {
    for (let fresh = !known; ; fresh = true) {
      const found = fresh ? await this.d.campaigns.getRecipient(campaignId, userId) : known;
      if (!found) return undefined;
      const next = transitionRecipient(found.value, event);
      if (!next.ok) return undefined;
      try {
        return await this.d.campaigns.updateRecipient(next.value, found.etag);
      } catch (e) {
        if (!(e instanceof ConflictError)) throw e;
        if (fresh) return undefined;
      }
    }
  }

  /**
   * One page of the audience: who is in it, who has signed already (one bulk read), then their
   * recipients, their sends and the next page's job, booked together. A crash resumes at this page
   * (the job runs again; recipients and job keys make booking twice harmless).
   */
  private async expand(campaignId: string, pass: string, after: string, attempts: number, runAt: string, team: { page: number; token?: string }): Promise<JobOutcome> {
    const campaign = await this.d.campaigns.getCampaign(campaignId);
    if (!campaign) {
      return attempts < WAIT_FOR_CAMPAIGN_ATTEMPTS ? { kind: 'retry', afterMs: backoff(attempts), error: 'campaign not stored yet' } : { kind: 'done' };
    }
    if (campaign.closed) return { kind: 'done' };
    if (campaign.audience.kind === 'team') return this.expandTeam(campaign, campaign.audience.teamId, pass, attempts, runAt, team);
    const now = this.d.clock.now();
    // A Graph group's roster arrives with the Microsoft 365 directory; the roster is everyone.
    const people = await this.d.directory.listStaffPage(after, AUDIENCE_PAGE);
    // A department audience takes its people from each page as it is read: still one page of the directory at a time.
    const members = people.filter((p) => inAudience(campaign.audience, p));
    const more = people.length === AUDIENCE_PAGE;
    const next = more
      ? // The next page keeps this page's due time, so it runs ahead of this page's sends (the queue is taken in due order)
        // and the whole audience is booked early, not after every card of the page before.
        this.expandJob(campaign, pass, people[people.length - 1].id, runAt)
      : undefined;
    await this.book(campaign, pass, members, next, now);
    return { kind: 'done' };
  }

  /**
   * One page of a team's roster, read from Teams (the paged members call, through the TeamRoster port):
   * of its members, the current staff (in the store, not left) are the audience, looked up by their id;
   * anyone else (a guest, a pupil, someone not in the staff group) is left out. Teams' continuation token
   * goes into the next page's job. A team Countersign has been removed from ends the reading there.
   */
  private async expandTeam(campaign: Campaign, teamId: string, pass: string, attempts: number, runAt: string, at: { page: number; token?: string }): Promise<JobOutcome> {
    if (!this.d.teamRoster) return { kind: 'failed', error: 'team audiences need Teams (no team roster configured)' };
    const read = await this.d.teamRoster.members(teamId, at.token);
    if (read.kind === 'throttled') return { kind: 'retry', afterMs: backoff(attempts, read.retryAfterMs), error: 'throttled reading the team roster' };
    if (read.kind === 'failed') {
      if (read.transient && attempts < (this.d.maxAttempts ?? 8)) return { kind: 'retry', afterMs: backoff(attempts), error: read.reason };
      return { kind: 'failed', error: read.reason };
    }
    const now = this.d.clock.now();
    if (read.kind === 'notFound') {
      // Nothing more can be read: the campaign keeps whom it has booked, and is ready.
      await this.book(campaign, pass, [], undefined, now);
      return { kind: 'done' };
    }
    const ids = [...new Set(read.members.map((m) => m.id))];
    const found: Array<StaffMember | undefined> = [];
    for (let i = 0; i < ids.length; i += STAFF_LOOKUPS_AT_ONCE) {
      found.push(...(await Promise.all(ids.slice(i, i + STAFF_LOOKUPS_AT_ONCE).map((id) => this.d.directory.getStaff(id)))));
    }
    const members = found.filter((p): p is StaffMember => !!p && !p.leftOn);
    const next = read.next ? this.teamPageJob(campaign, pass, at.page + 1, read.next, runAt) : undefined;
    await this.book(campaign, pass, members, next, now);
    return { kind: 'done' };
  }

  /**
   * Books one page of an audience: who has signed already (one bulk read), then their recipients, their
   * sends and the next page's job together. Without a next page, the launch pass books the first reminder
   * run and marks the audience ready.
   */
  private async book(campaign: Campaign, pass: string, members: StaffMember[], next: Job | undefined, now: Date) {
    const at = now.toISOString();
    const signed = members.length ? await this.d.policies.signedAmong(campaign.versionId, members.map((p) => p.id)) : new Map<string, string>();
    const recipients = members.map((p): Recipient => {
      const r = newRecipient(campaign.id, p, at, campaign.schoolId);
      const signedAt = signed.get(p.id);
      return signedAt ? { ...r, state: 'signed', signedAt } : r;
    });
    const extra = next ? [next] : pass === 'launch' ? [this.remindRunJob(campaign, 1, new Date(now.getTime() + campaign.reminderEveryDays * DAY))] : [];
    await this.d.campaigns.addRecipients(campaign.id, recipients, (r) => this.sendJob(campaign.id, r.userId, at, campaign.schoolId), extra);
    if (!next && pass === 'launch') await this.d.campaigns.markAudienceReady(campaign.id);
    this.d.onQueued?.();
  }

  /**
   * Sends one recipient's card. Checks first that they are still queued, so a
   * redelivered job never sends twice; records the attempt before sending, so a
   * crash mid-send is recognised on the next run.
   */
  private async send(campaignId: string, userId: string, jobAttempts: number): Promise<JobOutcome> {
    const campaign = await this.d.campaigns.getCampaign(campaignId);
    const found = await this.d.campaigns.getRecipient(campaignId, userId);
    // A closed campaign sends no more cards: its pending sends end here.
    if (!campaign || campaign.closed || !found || found.value.state !== 'queued') return { kind: 'done' };
    const now = () => this.d.clock.now().toISOString();
    if (found.value.sendingSince) {
      await this.apply(campaignId, userId, { type: 'assumedDelivered', at: now() });
      return { kind: 'done' };
    }
    const version = await this.d.policies.getVersion(campaign.versionId);
    if (!version) return { kind: 'failed', error: 'policy version missing' };
    // Each write hands its new version to the next, so a card costs no re-reads of its recipient.
    let current: Versioned<Recipient> = found;
    let attempting: Recipient | undefined;
    const result = await this.d.notifier.sendDeclaration(found.value, version, campaign, async () => {
      const v = await this.apply(campaignId, userId, { type: 'attempt', at: now() }, current);
      if (v) current = v;
      attempting = v?.value;
      return !!v;
    });
    if (result.kind === 'sent') {
      await this.apply(campaignId, userId, { type: 'delivered', conversationId: result.conversationId ?? '', activityId: result.activityId ?? '', at: now() }, current);
      return { kind: 'done' };
    }
    // Cancelled: another run of this job got there first; it owns the recipient now.
    if (result.kind === 'cancelled') return { kind: 'done' };
    if (attempting) current = (await this.apply(campaignId, userId, { type: 'attemptFailed', at: now() }, current)) ?? current;
    const attempts = Math.max(jobAttempts, attempting?.attempts ?? 0);
    const max = this.d.maxAttempts ?? 8;
    switch (result.kind) {
      case 'recipientNotFound':
        await this.apply(campaignId, userId, { type: 'failed', reason: result.reason, at: now() }, current);
        return { kind: 'done' };
      case 'throttled':
        return { kind: 'retry', afterMs: result.retryAfterMs, error: 'throttled' };
      case 'failed':
        if (!result.transient || attempts >= max) {
          await this.apply(campaignId, userId, { type: 'failed', reason: `${result.reason} (after ${attempts} attempts)`, at: now() }, current);
          return { kind: 'done' };
        }
        return { kind: 'retry', afterMs: backoff(attempts), error: result.reason };
    }
  }

  /**
   * A reminder run: a paged pass over the directory adds new joiners (they get the card), everyone
   * who has not signed (sent, or sent but unconfirmed) gets a reminder, and the next run is booked.
   * Declarations are checked per page, so a signature whose recipient update was lost still counts.
   */
  private async remindRun(campaignId: string, n: number, nowDay?: string): Promise<JobOutcome> {
    const campaign = await this.d.campaigns.getCampaign(campaignId);
    if (!campaign || !isOpen(campaign, this.today())) return { kind: 'done' };
    const at = this.d.clock.now().toISOString();
    // An admin's "Remind now" run is named by its day; it books no next run (the scheduled chain goes on as it was).
    const run = nowDay ? `now-${nowDay}` : String(n);
    const jobs: Job[] = [this.expandJob(campaign, `r${run}`, '', at)];
    for (const state of REMINDABLE) {
      for (let after = ''; ; ) {
        const page = await this.d.campaigns.listRecipients(campaign.id, { state, afterUserId: after, limit: PAGE });
        const signed = await this.d.policies.signedAmong(campaign.versionId, page.map((r) => r.userId));
        for (const r of page) {
          const signedAt = signed.get(r.userId);
          if (signedAt) await this.apply(campaign.id, r.userId, { type: 'signed', at: signedAt });
          else jobs.push({ id: this.d.ids.next(), schoolId: campaign.schoolId, kind: JobKinds.remindOne, key: `remind:${campaign.id}:${run}:${r.userId}`, payload: { campaignId: campaign.id, userId: r.userId }, runAt: at, attempts: 0 });
        }
        if (page.length < PAGE) break;
        after = page[page.length - 1].userId;
      }
    }
    const next = new Date(this.d.clock.now().getTime() + campaign.reminderEveryDays * DAY);
    if (!nowDay && this.d.localDate(next) <= campaign.deadline) jobs.push(this.remindRunJob(campaign, n + 1, next));
    await this.d.jobs.enqueue(jobs);
    this.d.onQueued?.();
    return { kind: 'done' };
  }

  /** One reminder. A person who has signed this version is never reminded: the declaration is checked, not only the recipient. */
  private async remindOne(campaignId: string, userId: string): Promise<JobOutcome> {
    const campaign = await this.d.campaigns.getCampaign(campaignId);
    const found = await this.d.campaigns.getRecipient(campaignId, userId);
    if (!campaign || !isOpen(campaign, this.today()) || !found || !REMINDABLE.includes(found.value.state)) return { kind: 'done' };
    const declaration = await this.d.policies.getDeclaration(userId, campaign.versionId);
    if (declaration) {
      await this.apply(campaignId, userId, { type: 'signed', at: declaration.signedAt });
      return { kind: 'done' };
    }
    const version = await this.d.policies.getVersion(campaign.versionId);
    if (!version) return { kind: 'done' };
    const result = await this.d.notifier.remindDeclaration(found.value, version, campaign);
    if (result.kind === 'sent') {
      await this.apply(campaignId, userId, { type: 'reminded', conversationId: result.conversationId, activityId: result.activityId, at: this.d.clock.now().toISOString() });
      return { kind: 'done' };
    }
    if (result.kind === 'throttled') return { kind: 'retry', afterMs: result.retryAfterMs, error: 'throttled' };
    if (result.kind === 'failed' && result.transient) return { kind: 'retry', afterMs: backoff(1), error: result.reason };
    return { kind: 'done' };
  }
}

/** Who has not signed, in the order an admin chases them: waiting first, then in doubt, not sent yet, and could not be reached. */
const NOT_SIGNED: readonly RecipientState[] = ['sent', 'unconfirmed', 'queued', 'failed'];

/** The one retry policy's wait for a job (src/resilience/retry.policy.ts). */
export const backoff = (attempt: number, retryAfterMs?: number): number => backoffMs(jobsPolicy, attempt, Math.random(), retryAfterMs);
