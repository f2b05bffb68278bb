import { isEmptyPlan, planRoster, rosterWrites, type RosterChanges, type RosterInput } from '../domain/roster';
import type { StaffMember } from '../domain/people';
import type { Clock } from '../ports/clock';
import type { IdSource } from '../ports/ids';
import type { Job, JobQueue } from '../ports/job-queue';
import type { Store } from '../ports/store';
import { ApprovalJobs } from './account-requests.service';

export interface RosterDeps {
  store: Store;
  jobs: JobQueue;
  ids: IdSource;
  clock: Clock;
  /** The school's local date for a moment, YYYY-MM-DD: a leaver's leftOn. */
  localDate: (d: Date) => string;
  /** The school whose roster this is. */
  schoolId: string;
  /** Called after a roster write, so cached people are read again (StoreDirectory.forget). */
  onSaved?: () => void;
}

export interface RosterOptions {
  /** Whether a full roster marks the stored people it does not list as left (see RosterContext). */
  markUnlistedLeft: boolean;
}

/** A delta naming at most this many people reads them one by one; more, and the whole roster is read once. */
const FEW = 50;

/**
 * Keeps the stored staff in step with the directory (the Graph sync, the CSV import). The app reads
 * people from the store only (StoreDirectory); this is the one writer of what the directory says.
 */
export class RosterService {
  constructor(private readonly d: RosterDeps) {}

  /** What `input` would change, without writing anything (the import's dry run). */
  async plan(input: RosterInput, o: RosterOptions): Promise<RosterChanges> {
    const stored = await this.storedFor(input);
    return planRoster(stored, input, { schoolId: this.d.schoolId, today: this.d.localDate(this.d.clock.now()), markUnlistedLeft: o.markUnlistedLeft });
  }

  /**
   * Plans and writes. The leavers' handover jobs are booked first, each keyed by the person and their
   * leaving date, then the records are written in one store call (one SQLite transaction; on SharePoint,
   * batches keyed by person id, so running the same sync again after a failure converges). A handover
   * job that runs before the write is visible waits for it (AccountRequestService.approverLeft); had
   * the write come first, a crash between the two would leave a leaver's steps with no one to move them.
   */
  async apply(input: RosterInput, o: RosterOptions): Promise<RosterChanges> {
    const plan = await this.plan(input, o);
    if (isEmptyPlan(plan)) return plan;
    if (plan.left.length) await this.d.jobs.enqueue(plan.left.map((l) => this.leaverJob(l.before, l.after.leftOn!)));
    await this.d.store.saveRoster(rosterWrites(plan));
    this.d.onSaved?.();
    return plan;
  }

  private leaverJob(person: StaffMember, leftOn: string): Job {
    return {
      id: this.d.ids.next(),
      schoolId: person.schoolId,
      kind: ApprovalJobs.approverLeft,
      key: `approver-left:${person.id}:${leftOn}`,
      payload: { personId: person.id },
      runAt: this.d.clock.now().toISOString(),
      attempts: 0,
    };
  }

  /** The stored records a plan needs: the few a small delta names, or the whole roster. */
  private async storedFor(input: RosterInput): Promise<StaffMember[]> {
    if (input.kind === 'delta') {
      const ids = [...new Set([...input.upserts.map((p) => p.id), ...input.removed])];
      if (ids.length <= FEW) return (await Promise.all(ids.map((id) => this.d.store.getStaff(id)))).filter((s): s is StaffMember => !!s);
    }
    return this.d.store.listStaff();
  }
}
