import type { SchoolRole, StaffMember } from '../domain/people';

/** Who works at the school. Embedded mode: the demo roster. Microsoft 365: Entra ID through Graph. */
export interface Directory {
  /** A person as recently read (may be a minute old): for names and who has left. */
  getStaff(id: string): Promise<StaffMember | undefined>;
  /** A person as stored now: for who is acting and with which roles (a role change applies at once). */
  getStaffNow(id: string): Promise<StaffMember | undefined>;
  listStaff(): Promise<StaffMember[]>;
  /** One page of staff in id order, after `after` ('' for the first page): a large roster read without holding it all. */
  listStaffPage(after: string, limit: number): Promise<StaffMember[]>;
  /** Current holders of a role, read afresh (never cached). */
  findByRole(role: SchoolRole): Promise<StaffMember[]>;
}
