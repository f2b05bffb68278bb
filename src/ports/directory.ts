import type { SchoolRole, StaffMember } from '../domain/people';

/**
 * Who works at the school: the roster kept in the store (embedded mode: the demo roster; Microsoft 365:
 * synced from the Entra staff group by the roster service, or imported from a CSV file).
 */
export interface Directory {
  /** A person's record as recently read (may be a minute old), leavers included (their leftOn says so): the records that name them still need their name. */
  getStaff(id: string): Promise<StaffMember | undefined>;
  /** A person as stored now: for who is acting and with which roles (a role change applies at once). */
  getStaffNow(id: string): Promise<StaffMember | undefined>;
  /** Current staff only: people marked left are not listed (getStaff still finds them, with their leftOn). */
  listStaff(): Promise<StaffMember[]>;
  /**
   * One page of staff in id order, after `after` ('' for the first page): a large roster read without holding it
   * all. Leavers included, so a short page still means the end; callers that want current staff skip them.
   */
  listStaffPage(after: string, limit: number): Promise<StaffMember[]>;
  /** Current holders of a role (leavers excluded), read afresh (never cached). */
  findByRole(role: SchoolRole): Promise<StaffMember[]>;
}
