import { campaignProgress, type AudienceSpec, type Campaign, type Progress } from '../domain/campaign';
import { ConflictError, domainError, ErrorCodes, type DomainError } from '../domain/errors';
import type { Actor, StaffMember } from '../domain/people';
import { currentVersion } from '../domain/policy';
import { newRecipient, transitionRecipient, type Recipient, type RecipientEvent } from '../domain/recipient.workflow';
import { err, ok, type Result } from '../domain/result';
import type { CampaignStore } from '../ports/campaign-store';
import type { Clock } from '../ports/clock';
import type { Directory } from '../ports/directory';
import type { IdSource } from '../ports/ids';
import type { Job, JobQueue } from '../ports/job-queue';
import type { Notifier } from '../ports/notifier';
import type { PolicyStore } from '../ports/policy-store';
import type { JobHandler, JobOutcome } from './job-runner';
import { backoffMs, jobsPolicy } from '../resilience/retry.policy';

export interface CampaignDeps {
  campaigns: CampaignStore;
  policies: PolicyStore;
  jobs: JobQueue;
  directory: Directory;
  notifier: Notifier;
  clock: Clock;
  ids: IdSource;
  localDate: (d: Date) => string;
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

export const DEFAULT_REMINDER_DAYS = 7;
const PAGE = 500;
const DAY = 86_400_000;

export const JobKinds = {
  send: 'campaign.send',
  remindRun: 'campaign.remind-run',
  remindOne: 'campaign.remind-one',
} as const;

/** The annual acknowledgement campaign: launch, fan-out, reminders, progress and export. */
export class CampaignService {
  constructor(private readonly d: CampaignDeps) {}

  private today() {
    return this.d.localDate(this.d.clock.now());
  }

  private requireAdmin(actor: Actor & { staff?: StaffMember }): DomainError | undefined {
    const roles = actor.staff?.roles ?? [];
    return roles.includes('policyAdmin') ? undefined : domainError(ErrorCodes.CAMPAIGN_NOT_ADMIN, 'Campaigns are for policy admins. Ask your school’s policy admin if you need one.');
  }

  private sendJob(campaignId: string, userId: string, at: string): Job {
    return { id: this.d.ids.next(), kind: JobKinds.send, key: `send:${campaignId}:${userId}`, payload: { campaignId, userId }, runAt: at, attempts: 0 };
  }

  private remindRunJob(c: Campaign, n: number, at: Date): Job {
    return { id: this.d.ids.next(), kind: JobKinds.remindRun, key: `remind-run:${c.id}:${n}`, payload: { campaignId: c.id, n }, runAt: at.toISOString(), attempts: 0 };
  }

  async launch(actor: Actor & { staff?: StaffMember }, input: LaunchInput): Promise<Result<{ campaign: Campaign; recipients: number; alreadySigned: number }, DomainError>> {
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
    if (version) {
      const current = currentVersion(await this.d.policies.listVersions(version.policyId), today);
      if (current && current.id !== version.id) fields.versionId = `Policy version: ${version.versionLabel} has been replaced by ${current.versionLabel}; launch the current one.`;
    }
    if (Object.keys(fields).length || !version) return err(domainError(ErrorCodes.CAMPAIGN_INVALID, Object.values(fields).join(' '), { fields }));

    const now = this.d.clock.now();
    const at = now.toISOString();
    const campaign: Campaign = {
      id: this.d.ids.next(),
      policyId: version.policyId,
      versionId: version.id,
      versionLabel: version.versionLabel,
      title: version.title,
      audience: input.audience ?? { kind: 'roster' },
      deadline: input.deadline,
      reminderEveryDays: every,
      launchedBy: actor.id,
      launchedByName: actor.name,
      launchedAt: at,
    };
    const people = await this.audience(campaign);
    const recipients: Recipient[] = [];
    const jobs: Job[] = [];
    let alreadySigned = 0;
    for (const p of people) {
      const signed = await this.d.policies.getDeclaration(p.id, version.id);
      const r = newRecipient(campaign.id, p, at);
      if (signed) {
        alreadySigned++;
        recipients.push({ ...r, state: 'signed', signedAt: signed.signedAt });
      } else {
        recipients.push(r);
        jobs.push(this.sendJob(campaign.id, p.id, at));
      }
    }
    jobs.push(this.remindRunJob(campaign, 1, new Date(now.getTime() + every * DAY)));
    await this.d.campaigns.createCampaign(campaign, recipients, jobs);
    this.d.onQueued?.();
    return ok({ campaign, recipients: recipients.length, alreadySigned });
  }

  private async audience(c: Campaign): Promise<StaffMember[]> {
    // Graph group and team rosters arrive with the Microsoft 365 directory; the roster is everyone.
    return this.d.directory.listStaff();
  }

  async latest(): Promise<Campaign | undefined> {
    return (await this.d.campaigns.listCampaigns())[0];
  }

  async progress(actor: Actor & { staff?: StaffMember }, campaignId?: string): Promise<Result<{ campaign: Campaign; progress: Progress }, DomainError>> {
    const denied = this.requireAdmin(actor);
    if (denied) return err(denied);
    const campaign = campaignId ? await this.d.campaigns.getCampaign(campaignId) : await this.latest();
    if (!campaign) return err(domainError(ErrorCodes.CAMPAIGN_NOT_FOUND, 'There is no campaign yet. Type “campaign launch” to start one.'));
    return ok({ campaign, progress: campaignProgress(campaign, await this.d.campaigns.countRecipients(campaign.id), this.today()) });
  }

  /** One CSV row per recipient, and a short summary for governors. */
  async export(actor: Actor & { staff?: StaffMember }, campaignId?: string): Promise<Result<{ campaign: Campaign; progress: Progress; csv: string; summary: string }, DomainError>> {
    const p = await this.progress(actor, campaignId);
    if (!p.ok) return p;
    const { campaign, progress } = p.value;
    const lines = ['Name,Department,State,Signed at,Reminders sent,Failure reason'];
    for (let after = ''; ; ) {
      const page = await this.d.campaigns.listRecipients(campaign.id, { afterUserId: after, limit: PAGE });
      for (const r of page) lines.push([r.name, r.department, r.state, r.signedAt ?? '', String(r.remindersSent), r.failureReason ?? ''].map(csvCell).join(','));
      if (page.length < PAGE) break;
      after = page[page.length - 1].userId;
    }
    const pct = (n: number) => `${Math.round((n / Math.max(progress.total, 1)) * 100)}%`;
    const summary = [
      `${campaign.title}, version ${campaign.versionLabel}: acknowledgement campaign launched ${campaign.launchedAt.slice(0, 10)} by ${campaign.launchedByName}, deadline ${campaign.deadline}.`,
      `${progress.byState.signed} of ${progress.total} staff have signed (${pct(progress.byState.signed)}); ${progress.byState.sent + progress.byState.queued} have not yet signed; ${progress.byState.failed} could not be reached.`,
      ...progress.byDepartment.map((d) => `${d.department}: ${d.signed} of ${d.total} signed.`),
    ].join('\n');
    return ok({ campaign, progress, csv: lines.join('\r\n') + '\r\n', summary });
  }

  /** The job handlers this service owns. */
  handlers(): Record<string, JobHandler> {
    return {
      [JobKinds.send]: (job) => this.send(String(job.payload.campaignId), String(job.payload.userId), job.attempts),
      [JobKinds.remindRun]: (job) => this.remindRun(String(job.payload.campaignId), Number(job.payload.n)),
      [JobKinds.remindOne]: (job) => this.remindOne(String(job.payload.campaignId), String(job.payload.userId)),
    };
  }

  private async apply(campaignId: string, userId: string, event: RecipientEvent): Promise<Recipient | undefined> {
    const found = await this.d.campaigns.getRecipient(campaignId, userId);
    if (!found) return undefined;
    const next = transitionRecipient(found.value, event);
    if (!next.ok) return undefined;
    try {
      return (await this.d.campaigns.updateRecipient(next.value, found.etag)).value;
    } catch (e) {
      if (e instanceof ConflictError) return undefined;
      throw e;
    }
  }

  /**
   * Sends one recipient's card. Checks first that they are still queued, so a
   * redelivered job never sends twice; records the attempt before sending, so a
   * crash mid-send is recognised on the next run.
   */
  private async send(campaignId: string, userId: string, jobAttempts: number): Promise<JobOutcome> {
    const campaign = await this.d.campaigns.getCampaign(campaignId);
    const found = await this.d.campaigns.getRecipient(campaignId, userId);
    if (!campaign || !found || found.value.state !== 'queued') return { kind: 'done' };
    const now = () => this.d.clock.now().toISOString();
    if (found.value.sendingSince) {
      await this.apply(campaignId, userId, { type: 'assumedDelivered', at: now() });
      return { kind: 'done' };
    }
    const version = await this.d.policies.getVersion(campaign.versionId);
    if (!version) return { kind: 'failed', error: 'policy version missing' };
    let attempting: Recipient | undefined;
    const result = await this.d.notifier.sendDeclaration(found.value, version, campaign, async () => {
      attempting = await this.apply(campaignId, userId, { type: 'attempt', at: now() });
      return !!attempting;
    });
    if (result.kind === 'sent') {
      await this.apply(campaignId, userId, { type: 'delivered', conversationId: result.conversationId ?? '', activityId: result.activityId ?? '', at: now() });
      return { kind: 'done' };
    }
    // Cancelled: another run of this job got there first; it owns the recipient now.
    if (result.kind === 'cancelled') return { kind: 'done' };
    if (attempting) await this.apply(campaignId, userId, { type: 'attemptFailed', at: now() });
    const attempts = Math.max(jobAttempts, attempting?.attempts ?? 0);
    const max = this.d.maxAttempts ?? 8;
    switch (result.kind) {
      case 'recipientNotFound':
        await this.apply(campaignId, userId, { type: 'failed', reason: result.reason, at: now() });
        return { kind: 'done' };
      case 'throttled':
        return { kind: 'retry', afterMs: result.retryAfterMs, error: 'throttled' };
      case 'failed':
        if (!result.transient || attempts >= max) {
          await this.apply(campaignId, userId, { type: 'failed', reason: `${result.reason} (after ${attempts} attempts)`, at: now() });
          return { kind: 'done' };
        }
        return { kind: 'retry', afterMs: backoff(attempts), error: result.reason };
    }
  }

  /** A reminder run: adds new joiners, reminds everyone who has not signed, and books the next run. */
  private async remindRun(campaignId: string, n: number): Promise<JobOutcome> {
    const campaign = await this.d.campaigns.getCampaign(campaignId);
    if (!campaign || this.today() > campaign.deadline) return { kind: 'done' };
    const at = this.d.clock.now().toISOString();
    const people = await this.audience(campaign);
    const joiners = people.map((p) => newRecipient(campaign.id, p, at));
    await this.d.campaigns.addRecipients(campaign.id, joiners, (r) => this.sendJob(campaign.id, r.userId, at));
    const jobs: Job[] = [];
    for (let after = ''; ; ) {
      const page = await this.d.campaigns.listRecipients(campaign.id, { state: 'sent', afterUserId: after, limit: PAGE });
      for (const r of page)
        jobs.push({ id: this.d.ids.next(), kind: JobKinds.remindOne, key: `remind:${campaign.id}:${n}:${r.userId}`, payload: { campaignId: campaign.id, userId: r.userId }, runAt: at, attempts: 0 });
      if (page.length < PAGE) break;
      after = page[page.length - 1].userId;
    }
    const next = new Date(this.d.clock.now().getTime() + campaign.reminderEveryDays * DAY);
    if (this.d.localDate(next) <= campaign.deadline) jobs.push(this.remindRunJob(campaign, n + 1, next));
    await this.d.jobs.enqueue(jobs);
    this.d.onQueued?.();
    return { kind: 'done' };
  }

  private async remindOne(campaignId: string, userId: string): Promise<JobOutcome> {
    const campaign = await this.d.campaigns.getCampaign(campaignId);
    const found = await this.d.campaigns.getRecipient(campaignId, userId);
    if (!campaign || !found || found.value.state !== 'sent') return { kind: 'done' };
    const version = await this.d.policies.getVersion(campaign.versionId);
    if (!version) return { kind: 'done' };
    const result = await this.d.notifier.remindDeclaration(found.value, version, campaign);
    if (result.kind === 'sent') {
      await this.apply(campaignId, userId, { type: 'reminded', at: this.d.clock.now().toISOString() });
      return { kind: 'done' };
    }
    if (result.kind === 'throttled') return { kind: 'retry', afterMs: result.retryAfterMs, error: 'throttled' };
    if (result.kind === 'failed' && result.transient) return { kind: 'retry', afterMs: backoff(1), error: result.reason };
    return { kind: 'done' };
  }
}

/** The one retry policy's wait for a job (src/resilience/retry.policy.ts). */
export const backoff = (attempt: number, retryAfterMs?: number): number => backoffMs(jobsPolicy, attempt, Math.random(), retryAfterMs);

function csvCell(v: string): string {
  // Guard against spreadsheet formula injection, then quote as RFC 4180 asks.
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
