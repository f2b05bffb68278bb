import type { SchoolRole, StaffMember } from '../domain/people';

/** Who works at the school. Embedded mode: the demo roster. Microsoft 365: Entra ID through Graph. */
export interface Directory {
  getStaff(id: string): Promise<StaffMember | undefined>;
  listStaff(): Promise<StaffMember[]>;
  findByRole(role: SchoolRole): Promise<StaffMember[]>;
}
