import type { AccountRequest } from '../domain/account-request';
import { currentApprover, registerAccount } from '../domain/account-request';
import { SYSTEM_ACTOR, submitRequest, transition, type RequestEvent, type Transitioned } from '../domain/approval.workflow';
import { addSchoolDays } from '../domain/campaign';
import { ConflictError, domainError, ErrorCodes, type DomainError } from '../domain/errors';
import type { Actor, SchoolRole, StaffMember } from '../domain/people';
import { ScheduledJobs, type RequestMessage, type WorkflowSettings } from '../domain/request-effects';
import { requestRefusal, type Viewer } from '../domain/request-permissions';
import type { RequestListPage, RequestListQuery } from '../domain/request-list';
import { formValues, parseRequestForm, type FieldErrors, type RequestFormValues } from '../domain/request-form.schema';
import { err, ok, type Result } from '../domain/result';
import { routeRequest } from '../domain/routing';
import type { Clock } from '../ports/clock';
import type { Directory } from '../ports/directory';
import type { IdSource } from '../ports/ids';
import type { Job, JobQueue, ReceivedJob } from '../ports/job-queue';
import type { Notifier } from '../ports/notifier';
import type { AuditEntry, DecisionRecord, RegisteredAccount, Store } from '../ports/store';
import { schoolOf } from './actors';
import { backoffMs, jobsPolicy } from '../resilience/retry.policy';
import { deliverInOrder, type Send } from './job-deliveries';
import type { JobHandler, JobOutcome } from './job-runner';

export interface AccountRequestDeps {
  store: Store;
  directory: Directory;
  clock: Clock;
  ids: IdSource;
  notifier: Notifier;
  /** The durable queue every message and reminder leaves from. */
  jobs: JobQueue;
  /** The school's local date for a moment, YYYY-MM-DD. */
  localDate?: (d: Date) => string;
  /** School days a step may wait before its approver is reminded, and then before it goes to the deputy. */
  reminderSchoolDays?: { remind: number; escalate: number };
  /** Back-off for a message that failed for a passing reason, by attempt; default: the one jobs policy (src/resilience). */
  retryDelayMs?: (attempt: number) => number;
  log?: (msg: string) => void;
}

/** Job kinds this service owns. Stored in the queue, so never rename one. */
export const ApprovalJobs = {
  notify: 'request.notify',
  remind: ScheduledJobs.approvalRemind,
  escalate: ScheduledJobs.approvalEscalate,
  closure: ScheduledJobs.accountClosure,
  review: ScheduledJobs.accountReview,
  /** A person the directory sync marked as left: their undecided steps go to the deputy. Booked by the roster service. */
  approverLeft: 'approval.approver-left',
} as const;

/** Attempts of an approver-left job that does not yet find the person marked left (the roster write lands after the booking). */
const WAIT_FOR_LEAVER_ATTEMPTS = 10;
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

/** The messages one change implies, in the order they go. Kept in the job's payload with how far it got. */
interface NotifyPayload {
  requestId: string;
  changeId: string;
  deliveries: Array<{ to: string; message: RequestMessage }>;
  refresh: boolean;
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

  private get settings(): WorkflowSettings {
    return { remindAfterSchoolDays: this.deps.reminderSchoolDays?.remind ?? 3 };
  }

  private log(msg: string) {
    this.deps.log?.(msg);
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
      schoolId: request.schoolId,
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

  async submit(actor: Actor & { staff?: StaffMember }, input: unknown): Promise<Result<AccountRequest, FormRejection | DomainError>> {
    const { parsed, route: routeFor } = await this.parseAndRoute(actor, input);
    if (!parsed.ok) return err({ code: ErrorCodes.REQUEST_INVALID, fields: parsed.error, values: formValues(input) });
    const route = routeFor();
    if (!route.ok) return route;
    // The request belongs to the requester's school, as their staff record says; without one it belongs nowhere.
    const schoolId = schoolOf(actor);
    if (!schoolId) return err(domainError(ErrorCodes.ACTOR_UNKNOWN, "You are not in the school's staff directory, so Countersign can't act for you. Ask your ICT team to add you."));
    const at = this.deps.clock.now().toISOString();
    const opened = submitRequest(
      { id: this.deps.ids.next(), schoolId, reference: await this.deps.store.nextReference(), requester: actor, details: parsed.value, steps: route.value, at },
      this.settings,
    );
    const audit = this.audit(actor, opened.state, 'request.submit', undefined, at);
    // The store wakes this process's worker for the jobs it booked (JobQueue.booked), handing over those due now.
    const saved = await this.deps.store.saveRequestChange({ request: opened.state, audit, ...this.records(opened, audit.id, at) });
    return ok(saved.value);
  }

  /** A turn about this request has begun: its read can start now, beside the actor's (Store.prefetchRequest). */
  readAhead(requestId: string): void {
    this.deps.store.prefetchRequest?.(requestId);
  }

  async decide(actor: Actor, verb: DecisionVerb, input: DecisionInput): Promise<Result<AccountRequest, DomainError>> {
    return this.change(actor, input.requestId, `approval.${verb}`, () => ({
      type: verb,
      step: input.step,
      round: input.round,
      signature: input.signature,
      comment: input.comment,
      at: this.deps.clock.now().toISOString(),
    }));
  }

  async withdraw(actor: Actor, requestId: string): Promise<Result<AccountRequest, DomainError>> {
    return this.change(actor, requestId, 'request.withdraw', () => ({ type: 'withdraw', at: this.deps.clock.now().toISOString() }));
  }

  async resubmit(actor: Actor, requestId: string, input: unknown): Promise<Result<AccountRequest, DomainError | FormRejection>> {
    const { parsed, route: routeFor } = await this.parseAndRoute(actor, input);
    if (!parsed.ok) return err({ code: ErrorCodes.REQUEST_INVALID, fields: parsed.error, values: formValues(input), requestId });
    const route = routeFor();
    if (!route.ok) return route;
    return this.change(actor, requestId, 'request.resubmit', () => ({
      type: 'resubmit',
      details: parsed.value,
      steps: route.value,
      at: this.deps.clock.now().toISOString(),
    }));
  }

  /**
   * Load, transition, save guarded by the etag; on a lost race, reload and try
   * again, so the loser sees the winner's decision ("already decided by …").
   * The change and everything it implies (records, messages, reminders) are
   * saved as one unit by the store.
   */
  private async change(actor: Actor, requestId: string, action: string, makeEvent: () => RequestEvent): Promise<Result<AccountRequest, DomainError>> {
    for (let attempt = 0; ; attempt++) {
      const current = await this.deps.store.getRequest(requestId);
      if (!current) return err(domainError(ErrorCodes.REQUEST_NOT_FOUND, 'That request no longer exists.'));
      const event = makeEvent();
      const next = transition(current.value, event, actor, this.settings);
      if (!next.ok) return next;
      const audit = this.audit(actor, next.value.state, action, current.value, event.at);
      try {
        const saved = await this.deps.store.saveRequestChange({ request: next.value.state, expectedEtag: current.etag, audit, ...this.records(next.value, audit.id, event.at) });
        return ok(saved.value);
      } catch (e) {
        if (e instanceof ConflictError && attempt < MAX_CONFLICT_RETRIES) continue;
        throw e;
      }
    }
  }

  /**
   * Turns a transition's effects into what the store writes with the change:
   * the decision record, the register entry, and jobs. Every message the change
   * implies goes in one job keyed by the change, so saving the change twice
   * books it once, and the job sends each message at most once.
   */
  private records(t: Transitioned, changeId: string, at: string): { decision?: DecisionRecord; account?: RegisteredAccount; jobs: Job[] } {
    const r = t.state;
    let decision: DecisionRecord | undefined;
    let account: RegisteredAccount | undefined;
    const jobs: Job[] = [];
    const notify: NotifyPayload = { requestId: r.id, changeId, deliveries: [], refresh: false };
    for (const e of t.effects) {
      switch (e.kind) {
        case 'recordDecision':
          decision = { ...e.decision, id: this.deps.ids.next(), schoolId: r.schoolId, requestId: r.id, round: e.round, step: e.step, role: e.role };
          break;
        case 'registerAccount':
          account = registerAccount(r, this.deps.ids.next(), at);
          break;
        case 'notify':
          if (!notify.deliveries.some((d) => d.to === e.to && d.message === e.message)) notify.deliveries.push({ to: e.to, message: e.message });
          break;
        case 'refreshSentCards':
          notify.refresh = true;
          break;
        case 'schedule':
          jobs.push(this.job(e.job, e.key, e.payload, new Date(e.at), r.schoolId));
          break;
      }
    }
    if (notify.deliveries.length || notify.refresh) jobs.unshift(this.job(ApprovalJobs.notify, `notify:${changeId}`, { ...notify }, new Date(at), r.schoolId));
    return { decision, account, jobs };
  }

  /** `schoolId`: the school of the request or account the job is about. */
  private job(kind: string, key: string, payload: Record<string, unknown>, runAt: Date, schoolId: string): Job {
    return { id: this.deps.ids.next(), schoolId, kind, key, payload, runAt: runAt.toISOString(), attempts: 0 };
  }

  /** Job handlers for messages, reminders and escalations. Each reloads state and does nothing if the moment has passed. */
  handlers(): Record<string, JobHandler> {
    return {
      [ApprovalJobs.notify]: (job) => this.notify(job),
      [ApprovalJobs.remind]: (job) => this.remindApprover(job),
      [ApprovalJobs.escalate]: (job) => this.escalate(job),
      [ApprovalJobs.closure]: (job) => this.accountReminder(job, 'closure'),
      [ApprovalJobs.review]: (job) => this.accountReminder(job, 'review'),
      [ApprovalJobs.approverLeft]: (job) => this.approverLeft(job),
    };
  }

  private deliver(job: ReceivedJob, sends: Send[]): Promise<JobOutcome> {
    return deliverInOrder(this.deps.jobs, job, sends, (m) => this.log(m), this.deps.retryDelayMs ?? ((attempt) => backoffMs(jobsPolicy, attempt, Math.random())));
  }

  /**
   * Sends what one change implies, from the request as it is now. Cards already
   * in chats are edited first; an approver is asked only while the step is still theirs.
   */
  private async notify(job: ReceivedJob): Promise<JobOutcome> {
    const p = job.payload as unknown as NotifyPayload;
    const found = await this.deps.store.getRequest(String(p.requestId));
    if (!found) return { kind: 'done' };
    const r = found.value;
    const sends: Send[] = (Array.isArray(p.deliveries) ? p.deliveries : []).map((d) => (beforeSend) => {
      if (d.message === 'approvalNeeded' && currentApprover(r)?.approverId !== d.to) return Promise.resolve('skip' as const);
      return this.deps.notifier.aboutRequest(String(d.to), d.message, r, beforeSend);
    });
    // Edits first: repeating them is harmless, so a crash here leaves no message in doubt.
    if (p.refresh) await this.deps.notifier.refreshSentCards(r);
    return this.deliver(job, sends);
  }

  private async stillWaiting(job: ReceivedJob) {
    const found = await this.deps.store.getRequest(String(job.payload.requestId));
    const r = found?.value;
    return r && r.status === 'pending' && r.round === job.payload.round && r.currentStep === job.payload.step ? r : undefined;
  }

  private async remindApprover(job: ReceivedJob): Promise<JobOutcome> {
    const r = await this.stillWaiting(job);
    if (!r) return { kind: 'done' };
    const step = currentApprover(r)!;
    const outcome = await this.deliver(job, [(beforeSend) => this.deps.notifier.aboutRequest(step.approverId, 'approvalReminder', r, beforeSend)]);
    if (outcome.kind !== 'done') return outcome;
    const days = this.deps.reminderSchoolDays ?? { remind: 3, escalate: 2 };
    const escalate = addSchoolDays(this.deps.clock.now(), days.escalate);
    await this.deps.jobs.enqueue([this.job(ApprovalJobs.escalate, `approval-escalate:${r.id}:${r.round}:${r.currentStep}`, { requestId: r.id, round: r.round, step: r.currentStep }, escalate, r.schoolId)]);
    return { kind: 'done' };
  }

  private async escalate(job: ReceivedJob): Promise<JobOutcome> {
    if (!(await this.stillWaiting(job))) return { kind: 'done' };
    const [deputy] = await this.deps.directory.findByRole('deputyHead');
    if (!deputy) return { kind: 'done' };
    // A refusal here (the step moved on meanwhile, or no one else to take it) is a normal end, not a failure.
    await this.change(SYSTEM_ACTOR, String(job.payload.requestId), 'approval.escalate', () => ({
      type: 'escalate',
      step: Number(job.payload.step),
      round: Number(job.payload.round),
      to: { id: deputy.id, name: deputy.name },
      at: this.deps.clock.now().toISOString(),
    }));
    return { kind: 'done' };
  }

  /**
   * Hands a leaver's undecided steps to the deputy: every pending request of the school in which they
   * hold a step still to be decided, each as a workflow transition (the deputy gets the card from the
   * queue, the requester is told, the audit says why). Booked before the roster write that marks them
   * left, so it waits until that write is visible; a rejoined person keeps their steps.
   */
  private async approverLeft(job: ReceivedJob): Promise<JobOutcome> {
    const personId = String(job.payload.personId);
    // Read afresh: a cached record from just before the roster write would say they are still here.
    const person = await this.deps.directory.getStaffNow(personId);
    if (!person?.leftOn) {
      // The write follows the booking within moments (one transaction, or a few batches on SharePoint): look again soon.
      return job.attempts < WAIT_FOR_LEAVER_ATTEMPTS ? { kind: 'retry', afterMs: Math.min(2_000 * job.attempts, 60_000), error: 'not marked left yet' } : { kind: 'done' };
    }
    const deputy = (await this.deps.directory.findByRole('deputyHead')).find((d) => d.id !== personId);
    for (let after: RequestListQuery['after']; ; ) {
      const page = await this.deps.store.listRequestsPage({ schoolId: job.schoolId, statuses: ['pending'], after, limit: 100 });
      for (const r of page.items) {
        if (!r.steps.some((s, i) => i >= r.currentStep && !s.decision && s.approverId === personId)) continue;
        if (!deputy) {
          this.log(`request ${r.reference} waits for ${person.name}, who has left, and there is no deputy head to hand it to`);
          continue;
        }
        const done = await this.change(SYSTEM_ACTOR, r.id, 'approval.approver-left', () => ({
          type: 'approverLeft',
          round: r.round,
          from: personId,
          to: { id: deputy.id, name: deputy.name },
          at: this.deps.clock.now().toISOString(),
        }));
        if (!done.ok) this.log(`request ${r.reference}: ${person.name}'s step was not handed over (${done.error.message})`);
      }
      if (!page.next) break;
      after = page.next;
    }
    return { kind: 'done' };
  }

  /** Finds the account by its request (jobs booked since effects became data) or by its own id (jobs booked before). */
  private async accountFor(job: ReceivedJob): Promise<RegisteredAccount | undefined> {
    const accounts = await this.deps.store.listAccounts();
    return accounts.find((a) => (job.payload.requestId && a.requestId === job.payload.requestId) || (job.payload.accountId && a.id === job.payload.accountId));
  }

  private async accountReminder(job: ReceivedJob, kind: 'closure' | 'review'): Promise<JobOutcome> {
    const account = await this.accountFor(job);
    if (!account) return { kind: 'done' };
    const to = kind === 'closure' ? account.administrators.map((a) => a.id) : (await this.deps.directory.findByRole('ictLeader')).map((s) => s.id);
    const sends: Send[] = to.map((userId) => async (beforeSend) => {
      if (!(await beforeSend())) return 'skip';
      const [result] = await this.deps.notifier.accountReminder(account, kind, [userId]);
      return result ?? 'skip';
    });
    const outcome = await this.deliver(job, sends);
    if (outcome.kind !== 'done') return outcome;
    if (kind === 'review' && (!account.closure || account.closure > this.today())) {
      const year = Number(job.payload.year ?? 1) + 1;
      const payload = { requestId: account.requestId, year };
      await this.deps.jobs.enqueue([this.job(ApprovalJobs.review, `account-review:${account.requestId}:${year}`, payload, new Date(this.deps.clock.now().getTime() + 365 * DAY), account.schoolId)]);
    }
    return { kind: 'done' };
  }

  /** A request as `viewer` may see it: who may see what is the domain's rule (requestRefusal). */
  async view(viewer: Viewer, requestId: string): Promise<Result<AccountRequest, DomainError>> {
    const found = await this.deps.store.getRequest(requestId);
    if (!found) return err(domainError(ErrorCodes.REQUEST_NOT_FOUND, 'That request no longer exists.'));
    const refused = requestRefusal(found.value, viewer, 'view');
    return refused ? err(refused) : ok(found.value);
  }

  /**
   * A request with its whole history as `viewer` may see it: every decision of every round (typed
   * signatures, times, comments) and the audit trail of submissions, withdrawals and escalations.
   */
  async history(viewer: Viewer, requestId: string): Promise<Result<{ request: AccountRequest; decisions: DecisionRecord[]; audit: AuditEntry[] }, DomainError>> {
    const found = await this.view(viewer, requestId);
    if (!found.ok) return found;
    const [decisions, audit] = await Promise.all([this.deps.store.listDecisions(requestId), this.deps.store.listAudit(requestId)]);
    return ok({ request: found.value, decisions, audit });
  }

  /** A page of the school's requests, for those who oversee them (the page rule says who). */
  async listSchool(query: RequestListQuery): Promise<RequestListPage> {
    return this.deps.store.listRequestsPage(query);
  }

  async listMine(actorId: string): Promise<AccountRequest[]> {
    return this.deps.store.listRequestsByRequester(actorId);
  }

  /** Requests waiting for this person's decision. */
  async listAwaiting(actorId: string): Promise<AccountRequest[]> {
    return this.deps.store.listRequestsAwaiting(actorId);
  }
}
