import type { SchoolRole, StaffMember } from '../domain/people';
import type { Directory } from '../ports/directory';
import type { Store } from '../ports/store';

/** The embedded mode's directory: the staff roster kept in the store (seeded with the demo school). */
export class StoreDirectory implements Directory {
  private readonly cache = new Map<string, { staff: StaffMember | undefined; at: number }>();

  /** `ttlMs`: how long a person's record is trusted before it is read again (every invoke resolves its actor). */
  constructor(
    private readonly store: Store,
    private readonly ttlMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  async getStaff(id: string): Promise<StaffMember | undefined> {
    const hit = this.cache.get(id);
    if (hit && this.now() - hit.at < this.ttlMs) return hit.staff;
    const staff = await this.store.getStaff(id);
    if (this.cache.size > 50_000) this.cache.clear();
    this.cache.set(id, { staff, at: this.now() });
    return staff;
  }

  async listStaff(): Promise<StaffMember[]> {
    return this.store.listStaff();
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
    const staff = await this.store.getStaff(id);
    this.cache.set(id, { staff, at: this.now() });
    return staff;
  }
}
