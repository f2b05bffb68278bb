import type { SchoolRole, StaffMember } from '../domain/people';

/** Who works at the school. Embedded mode: the demo roster. Microsoft 365: Entra ID through Graph. */
export interface Directory {
  getStaff(id: string): Promise<StaffMember | undefined>;
  listStaff(): Promise<StaffMember[]>;
  /** One page of staff in id order, after `after` ('' for the first page): a large roster read without holding it all. */
  listStaffPage(after: string, limit: number): Promise<StaffMember[]>;
  findByRole(role: SchoolRole): Promise<StaffMember[]>;
}
