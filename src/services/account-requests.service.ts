import type { AccountRequest } from '../domain/account-request';
import { currentApprover, registerAccount } from '../domain/account-request';
import { openRequest, SYSTEM_ACTOR, transition, type RequestEvent } from '../domain/approval.workflow';
import { addSchoolDays } from '../domain/campaign';
import { ConflictError, domainError, ErrorCodes, type DomainError } from '../domain/errors';
import type { Actor, SchoolRole, StaffMember } from '../domain/people';
import { formValues, parseRequestForm, type FieldErrors, type RequestFormValues } from '../domain/request-form.schema';
import { err, ok, type Result } from '../domain/result';
import { routeRequest } from '../domain/routing';
import type { Background } from '../ports/background';
import type { Clock } from '../ports/clock';
import type { Directory } from '../ports/directory';
import type { IdSource } from '../ports/ids';
import type { Job, JobQueue } from '../ports/job-queue';
import type { JobHandler, JobOutcome } from './job-runner';
import type { Notifier } from '../ports/notifier';
import type { AuditEntry, RegisteredAccount, Store } from '../ports/store';

export interface AccountRequestDeps {
  store: Store;
  directory: Directory;
  clock: Clock;
  ids: IdSource;
  notifier: Notifier;
  background: Background;
  /** The school's local date for a moment, YYYY-MM-DD. */
  localDate?: (d: Date) => string;
  /** Durable delayed work: approval reminders, escalations, account reminders. */
  jobs?: JobQueue;
  /** School days a step may wait before its approver is reminded, and then before it goes to the deputy. */
  reminderSchoolDays?: { remind: number; escalate: number };
}

export const ApprovalJobs = {
  remind: 'approval.remind',
  escalate: 'approval.escalate',
  closure: 'account.closure-reminder',
  review: 'account.annual-review',
} as const;
const DAY = 86_400_000;

/** A form that did not validate: the field errors, and what the person typed, so nothing is lost. */
export interface FormRejection {
  code: typeof ErrorCodes.REQUEST_INVALID;
  fields: FieldErrors;
  values: RequestFormValues;
  requestId?: string;
}

export type DecisionVerb = 'approve' | 'reject' | 'return';

export interface DecisionInput {
  requestId: string;
  step: number;
  round: number;
  signature: string;
  comment: string;
}

/** How many times a change is retried after losing an optimistic-concurrency race before giving up. */
const MAX_CONFLICT_RETRIES = 5;

const snapshot = (r: AccountRequest | undefined) =>
  r ? JSON.stringify({ status: r.status, step: r.currentStep, round: r.round, approverId: currentApprover(r)?.approverId ?? null }) : null;

/** Use cases for social media account requests: submit, decide, resubmit, withdraw, view. */
export class AccountRequestService {
  constructor(private readonly deps: AccountRequestDeps) {}

  private today(): string {
    const now = this.deps.clock.now();
    return this.deps.localDate ? this.deps.localDate(now) : now.toISOString().slice(0, 10);
  }

  /** What a blank or pre-filled form needs: the staff who can be named, and today's date. */
  async formContext(): Promise<{ staff: StaffMember[]; today: string }> {
    const staff = await this.deps.directory.listStaff();
    return { staff, today: this.today() };
  }

  /**
   * Validates the form and routes it, from one read of the roster: the form
   * checks named staff against it and routing picks the role holders from it.
   * (It used to be read four times per submission; on SharePoint each read pages the whole roster.)
   */
  private async parseAndRoute(actor: Actor, input: unknown) {
    const staff = await this.deps.directory.listStaff();
    const parsed = parseRequestForm(input, { today: this.today(), staff: new Map(staff.map((s) => [s.id, s])) });
    const holder = (role: SchoolRole) => staff.find((s) => s.roles.includes(role));
    const route = () => routeRequest(actor.id, { ictLeader: holder('ictLeader'), headTeacher: holder('headTeacher'), deputy: holder('deputyHead') });
    return { parsed, route };
  }

  private audit(actor: Actor, request: AccountRequest, action: string, before: AccountRequest | undefined, at: string): AuditEntry {
    return {
      id: this.deps.ids.next(),
      entityType: 'request',
      entityId: request.id,
      actorId: actor.id,
      actorName: actor.name,
      action,
      at,
      before: snapshot(before),
      after: snapshot(request),
    };
  }

  async submit(actor: Actor, input: unknown): Promise<Result<AccountRequest, FormRejection | DomainError>> {
    const { parsed, route: routeFor } = await this.parseAndRoute(actor, input);
    if (!parsed.ok) return err({ code: ErrorCodes.REQUEST_INVALID, fields: parsed.error, values: formValues(input) });
    const route = routeFor();
    if (!route.ok) return route;
    const at = this.deps.clock.now().toISOString();
    const request = openRequest({
      id: this.deps.ids.next(),
      reference: await this.deps.store.nextReference(),
      requester: actor,
      details: parsed.value,
      steps: route.value,
      at,
    });
    const saved = await this.deps.store.saveRequestChange({ request, audit: this.audit(actor, request, 'request.submit', undefined, at), jobs: this.schedule(request) });
    this.afterChange(actor, saved.value);
    return ok(saved.value);
  }

  async decide(actor: Actor, verb: DecisionVerb, input: DecisionInput): Promise<Result<AccountRequest, DomainError>> {
    return this.change(actor, input.requestId, `approval.${verb}`, async () => ({
      type: verb,
      step: input.step,
      round: input.round,
      signature: input.signature,
      comment: input.comment,
      at: this.deps.clock.now().toISOString(),
    }));
  }

  async withdraw(actor: Actor, requestId: string): Promise<Result<AccountRequest, DomainError>> {
    return this.change(actor, requestId, 'request.withdraw', async () => ({ type: 'withdraw', at: this.deps.clock.now().toISOString() }));
  }

  async resubmit(actor: Actor, requestId: string, input: unknown): Promise<Result<AccountRequest, DomainError | FormRejection>> {
    const { parsed, route: routeFor } = await this.parseAndRoute(actor, input);
    if (!parsed.ok) return err({ code: ErrorCodes.REQUEST_INVALID, fields: parsed.error, values: formValues(input), requestId });
    const route = routeFor();
    if (!route.ok) return route;
    return this.change(actor, requestId, 'request.resubmit', async () => ({
      type: 'resubmit',
      details: parsed.value,
      steps: route.value,
      at: this.deps.clock.now().toISOString(),
    }));
  }

  /**
   * Load, transition, save guarded by the etag; on a lost race, reload and try
   * again, so the loser sees the winner's decision ("already decided by …").
   */
  private async change(
    actor: Actor,
    requestId: string,
    action: string,
    makeEvent: () => Promise<RequestEvent>,
  ): Promise<Result<AccountRequest, DomainError>> {
    for (let attempt = 0; ; attempt++) {
      const current = await this.deps.store.getRequest(requestId);
      if (!current) return err(domainError(ErrorCodes.REQUEST_NOT_FOUND, 'That request no longer exists.'));
      const event = await makeEvent();
      const next = transition(current.value, event, actor);
      if (!next.ok) return next;
      const request = next.value;
      const decisionStep = current.value.currentStep;
      const decision =
        event.type === 'approve' || event.type === 'reject' || event.type === 'return'
          ? { ...request.steps[decisionStep].decision!, id: this.deps.ids.next(), requestId, round: request.round, step: decisionStep, role: request.steps[decisionStep].role }
          : undefined;
      const account = request.status === 'approved' ? registerAccount(request, this.deps.ids.next(), event.at) : undefined;
      try {
        const saved = await this.deps.store.saveRequestChange({
          request,
          expectedEtag: current.etag,
          decision,
          account,
          audit: this.audit(actor, request, action, current.value, event.at),
          jobs: this.schedule(request, account),
        });
        this.afterChange(actor, saved.value, account);
        return ok(saved.value);
      } catch (e) {
        if (e instanceof ConflictError && attempt < MAX_CONFLICT_RETRIES) continue;
        throw e;
      }
    }
  }

  /** Fan-out after the change is stored: the clicking user already has their answer. */
  private afterChange(actor: Actor, request: AccountRequest, account?: RegisteredAccount) {
    const { notifier, background } = this.deps;
    background.run(`notify ${request.reference} ${request.status}`, async () => {
      await notifier.refreshSentCards(request);
      if (request.status === 'pending') await notifier.approvalNeeded(request);
      // The requester hears of changes other people make; their own actions are answered in place.
      if (actor.id !== request.requesterId) await notifier.requesterUpdated(request);
      if (account) await notifier.accountApproved(account, request);
    });
  }

  private job(kind: string, key: string, payload: Record<string, unknown>, runAt: Date): Job {
    return { id: this.deps.ids.next(), kind, key, payload, runAt: runAt.toISOString(), attempts: 0 };
  }

  /** The delayed work a change implies, written with the change. Keys make it idempotent: a retried change books nothing twice. */
  private schedule(r: AccountRequest, account?: RegisteredAccount): Job[] {
    if (!this.deps.jobs) return [];
    const now = this.deps.clock.now();
    const days = this.deps.reminderSchoolDays ?? { remind: 3, escalate: 2 };
    const out: Job[] = [];
    if (r.status === 'pending') {
      const where = { requestId: r.id, round: r.round, step: r.currentStep };
      out.push(this.job(ApprovalJobs.remind, `approval-remind:${r.id}:${r.round}:${r.currentStep}`, where, addSchoolDays(now, days.remind)));
    }
    if (account) {
      if (account.closure) {
        const closure = new Date(`${account.closure}T08:00:00Z`).getTime() - 14 * DAY;
        out.push(this.job(ApprovalJobs.closure, `account-closure:${account.id}`, { accountId: account.id, requestId: r.id }, new Date(Math.max(closure, now.getTime()))));
      }
      out.push(this.job(ApprovalJobs.review, `account-review:${account.id}:1`, { accountId: account.id, requestId: r.id, year: 1 }, new Date(now.getTime() + 365 * DAY)));
    }
    return out;
  }

  /** Job handlers for reminders and escalations. Each reloads state and does nothing if the moment has passed. */
  handlers(): Record<string, JobHandler> {
    return {
      [ApprovalJobs.remind]: (job) => this.remindApprover(job),
      [ApprovalJobs.escalate]: (job) => this.escalate(job),
      [ApprovalJobs.closure]: (job) => this.accountReminder(job, 'closure'),
      [ApprovalJobs.review]: (job) => this.accountReminder(job, 'review'),
    };
  }

  private async stillWaiting(job: Job) {
    const found = await this.deps.store.getRequest(String(job.payload.requestId));
    const r = found?.value;
    return r && r.status === 'pending' && r.round === job.payload.round && r.currentStep === job.payload.step ? r : undefined;
  }

  private async remindApprover(job: Job): Promise<JobOutcome> {
    const r = await this.stillWaiting(job);
    if (!r) return { kind: 'done' };
    const result = await this.deps.notifier.approvalReminder(r);
    if (result.kind === 'throttled') return { kind: 'retry', afterMs: result.retryAfterMs, error: 'throttled' };
    const days = this.deps.reminderSchoolDays ?? { remind: 3, escalate: 2 };
    await this.deps.jobs?.enqueue([
      this.job(ApprovalJobs.escalate, `approval-escalate:${r.id}:${r.round}:${r.currentStep}`, job.payload, addSchoolDays(this.deps.clock.now(), days.escalate)),
    ]);
    return { kind: 'done' };
  }

  private async escalate(job: Job): Promise<JobOutcome> {
    if (!(await this.stillWaiting(job))) return { kind: 'done' };
    const [deputy] = await this.deps.directory.findByRole('deputyHead');
    if (!deputy) return { kind: 'done' };
    // A refusal here (the step moved on meanwhile, or no one else to take it) is a normal end, not a failure.
    await this.change(SYSTEM_ACTOR, String(job.payload.requestId), 'approval.escalate', async () => ({
      type: 'escalate',
      step: Number(job.payload.step),
      round: Number(job.payload.round),
      to: { id: deputy.id, name: deputy.name },
      at: this.deps.clock.now().toISOString(),
    }));
    return { kind: 'done' };
  }

  private async accountReminder(job: Job, kind: 'closure' | 'review'): Promise<JobOutcome> {
    const account = (await this.deps.store.listAccounts()).find((a) => a.id === job.payload.accountId);
    if (!account) return { kind: 'done' };
    const to = kind === 'closure' ? account.administrators.map((a) => a.id) : (await this.deps.directory.findByRole('ictLeader')).map((s) => s.id);
    await this.deps.notifier.accountReminder(account, kind, to);
    if (kind === 'review' && (!account.closure || account.closure > this.today())) {
      const year = Number(job.payload.year ?? 1) + 1;
      await this.deps.jobs?.enqueue([this.job(ApprovalJobs.review, `account-review:${account.id}:${year}`, { ...job.payload, year }, new Date(this.deps.clock.now().getTime() + 365 * DAY))]);
    }
    return { kind: 'done' };
  }

  /** A request as `viewer` may see it: the requester and its approvers only. */
  async view(viewerId: string, requestId: string): Promise<Result<AccountRequest, DomainError>> {
    const found = await this.deps.store.getRequest(requestId);
    if (!found) return err(domainError(ErrorCodes.REQUEST_NOT_FOUND, 'That request no longer exists.'));
    const r = found.value;
    const involved = r.requesterId === viewerId || r.steps.some((s) => s.approverId === viewerId);
    if (!involved) return err(domainError(ErrorCodes.APPROVAL_NOT_APPROVER, 'This request is not yours to see.'));
    return ok(r);
  }

  async listMine(actorId: string): Promise<AccountRequest[]> {
    return this.deps.store.listRequestsByRequester(actorId);
  }

  /** Requests waiting for this person's decision. */
  async listAwaiting(actorId: string): Promise<AccountRequest[]> {
    return this.deps.store.listRequestsAwaiting(actorId);
  }
}
