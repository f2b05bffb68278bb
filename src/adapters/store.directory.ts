import type { SchoolRole, StaffMember } from '../domain/people';
import type { Directory } from '../ports/directory';
import type { Store } from '../ports/store';

/** The embedded mode's directory: the staff roster kept in the store (seeded with the demo school). */
export class StoreDirectory implements Directory {
  constructor(private readonly store: Store) {}

  async getStaff(id: string): Promise<StaffMember | undefined> {
    return this.store.getStaff(id);
  }

  async listStaff(): Promise<StaffMember[]> {
    return this.store.listStaff();
  }

  async findByRole(role: SchoolRole): Promise<StaffMember[]> {
    return (await this.store.listStaff()).filter((s) => s.roles.includes(role));
  }
}
