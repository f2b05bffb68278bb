import { hasLeft, type StaffMember } from '../domain/people';
import { planSummary, type DirectoryPerson, type RosterChanges } from '../domain/roster';
import type { Clock } from '../ports/clock';
import type { IdSource } from '../ports/ids';
import type { JobQueue, ReceivedJob } from '../ports/job-queue';
import type { StaffSource } from '../ports/staff-source';
import type { Store } from '../ports/store';
import type { JobHandler, JobOutcome } from './job-runner';
import type { RosterService } from './roster.service';

export interface RosterSyncDeps {
  source: StaffSource;
  store: Store;
  roster: RosterService;
  jobs: JobQueue;
  ids: IdSource;
  clock: Clock;
  schoolId: string;
  /** How often the roster is synced (DIRECTORY_SYNC_HOURS). */
  everyMs: number;
  log?: (msg: string) => void;
}

/** Job kinds this service owns. Stored in the queue, so never rename one. */
export const RosterJobs = { sync: 'directory.sync' } as const;

/** Where the sync's position (the Graph delta links) is kept in the store. */
export const SYNC_STATE = 'directory';

export interface SyncResult {
  /** 'full': the whole group was read (first sync, or Graph asked for it); 'changes': only what changed. */
  read: 'full' | 'changes';
  plan: RosterChanges;
}

/** A delta naming at most this many people reads them one by one; more, and the whole roster is read once. */
const FEW = 50;

/**
 * Syncs the staff group into the store: the whole group the first time, then only its changes
 * (delta queries), from the position kept in the store, so a restart carries on where it was.
 * Runs as a job on the queue, booked at start and then every `everyMs`, never in a user's request.
 */
export class RosterSyncService {
  constructor(private readonly d: RosterSyncDeps) {}

  private log(msg: string) {
    this.d.log?.(`directory sync: ${msg}`);
  }

  async sync(): Promise<SyncResult> {
    const cursor = await this.d.store.getSyncState(SYNC_STATE);
    if (cursor) {
      const changes = await this.d.source.readChanges(cursor);
      if (changes.kind === 'changes') {
        const upserts = [...changes.joined, ...(await this.currentStaffAmong(changes.changed))];
        const plan = await this.d.roster.apply({ kind: 'delta', upserts, removed: changes.left }, { markUnlistedLeft: false });
        // The position moves only once the changes are stored: a failure before reads the same changes again.
        await this.d.store.saveSyncState(SYNC_STATE, changes.cursor);
        this.log(`changes read: ${planSummary(plan)}`);
        return { read: 'changes', plan };
      }
      this.log(`reading the whole staff group again: ${changes.reason}`);
    }
    const all = await this.d.source.readAll();
    if (!all.people.length && (await this.d.store.listStaffPage('', 1)).some((s) => !hasLeft(s))) {
      // An empty group is far likelier a wrong STAFF_GROUP_ID or a missing permission than a school with no staff.
      throw new Error('the staff group has no members: nothing was changed (check STAFF_GROUP_ID and the app’s GroupMember.Read.All permission)');
    }
    const plan = await this.d.roster.apply({ kind: 'full', people: all.people }, { markUnlistedLeft: true });
    await this.d.store.saveSyncState(SYNC_STATE, all.cursor);
    this.log(`whole group read (${all.people.length} people): ${planSummary(plan)}`);
    return { read: 'full', plan };
  }

  /** Of the people whose details changed anywhere in the tenant, those who are current staff here. */
  private async currentStaffAmong(changed: DirectoryPerson[]): Promise<DirectoryPerson[]> {
    if (!changed.length) return [];
    const known = new Map<string, StaffMember>();
    if (changed.length <= FEW) {
      for (const s of await Promise.all(changed.map((p) => this.d.store.getStaff(p.id)))) if (s) known.set(s.id.toLowerCase(), s);
    } else {
      for (const s of await this.d.store.listStaff()) known.set(s.id.toLowerCase(), s);
    }
    return changed.filter((p) => {
      const s = known.get(p.id.toLowerCase());
      return s && s.schoolId === this.d.schoolId && !hasLeft(s);
    });
  }

  /** The sync job of the period `now` falls in: unique per period, so instances booking it at once book it once. */
  syncJob(now: Date, runAt = now) {
    const slot = Math.floor(now.getTime() / this.d.everyMs);
    return { id: this.d.ids.next(), schoolId: this.d.schoolId, kind: RosterJobs.sync, key: `directory-sync:${this.d.schoolId}:${slot}`, payload: { slot }, runAt: runAt.toISOString(), attempts: 0 };
  }

  /** Books a sync now (at start); it books the next one itself. */
  async bookNow(): Promise<void> {
    await this.d.jobs.enqueue([this.syncJob(this.d.clock.now())]);
  }

  handlers(): Record<string, JobHandler> {
    return { [RosterJobs.sync]: (job) => this.run(job) };
  }

  private async run(job: ReceivedJob): Promise<JobOutcome> {
    // The next period's run is booked first, so a sync that keeps failing never stops the ones after it.
    const nextSlot = Number(job.payload.slot) + 1;
    const nextAt = new Date(nextSlot * this.d.everyMs);
    await this.d.jobs.enqueue([this.syncJob(nextAt)]);
    try {
      await this.sync();
      return { kind: 'done' };
    } catch (e) {
      const error = (e as Error).message;
      this.log(`failed: ${error}`);
      return job.attempts < 5 ? { kind: 'retry', afterMs: Math.min(60_000 * 2 ** job.attempts, 30 * 60_000), error } : { kind: 'failed', error };
    }
  }
}
