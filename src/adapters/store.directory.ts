import { hasLeft, type SchoolRole, type StaffMember } from '../domain/people';
import type { Directory } from '../ports/directory';
import type { Store } from '../ports/store';

/** The embedded mode's directory: the staff roster kept in the store (seeded with the demo school). */
export class StoreDirectory implements Directory {
  private readonly cache = new Map<string, { staff: StaffMember | undefined; at: number }>();
  /** Bumped by forget(): a read that began before a roster write must not cache what it read after the write. */
  private generation = 0;

  /** `ttlMs`: how long a person's record is trusted before it is read again (every invoke resolves its actor). */
  constructor(
    private readonly store: Store,
    private readonly ttlMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  async getStaff(id: string): Promise<StaffMember | undefined> {
    const hit = this.cache.get(id);
    if (hit && this.now() - hit.at < this.ttlMs) return hit.staff;
    const started = this.generation;
    const staff = await this.store.getStaff(id);
    if (this.cache.size > 50_000) this.cache.clear();
    this.remember(id, staff, started);
    return staff;
  }

  /** Current staff: people marked left stay in the store for the records that name them, but are no one's choice any more. */
  async listStaff(): Promise<StaffMember[]> {
    return (await this.store.listStaff()).filter((s) => !hasLeft(s));
  }

  async listStaffPage(after: string, limit: number): Promise<StaffMember[]> {
    return this.store.listStaffPage(after, limit);
  }

  /** Read afresh every time: roles decide what a person may do, and a change applies at once. */
  async findByRole(role: SchoolRole): Promise<StaffMember[]> {
    return (await this.store.listRoleHolders()).filter((s) => s.roles.includes(role) && !s.leftOn);
  }

  /** Read afresh every time, for the same reason: who is acting, and with which roles. */
  async getStaffNow(id: string): Promise<StaffMember | undefined> {
    const started = this.generation;
    const staff = await this.store.getStaff(id);
    this.remember(id, staff, started);
    return staff;
  }

  /** Drops what is cached, so the next read of each person is fresh (after a roster sync). */
  forget(): void {
    this.generation++;
    this.cache.clear();
  }

  private remember(id: string, staff: StaffMember | undefined, started: number) {
    // A forget() while this read was on its way means it may predate the roster write: use it, don't keep it.
    if (started === this.generation) this.cache.set(id, { staff, at: this.now() });
  }
}
