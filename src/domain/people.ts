/** A member of staff, as the directory knows them. `id` is the Entra object id. */
export interface StaffMember {
  id: string;
  /**
   * The school this row belongs to; its roles are held for that school. In a
   * trust the same person in two schools is two rows (one per school).
   */
  schoolId: string;
  name: string;
  email: string;
  department: string;
  jobTitle: string;
  roles: SchoolRole[];
  /** First day at the school (YYYY-MM-DD), when the directory knows it (Graph: employeeHireDate): a campaign can reach people who joined since a date. */
  joinedOn?: string;
  /** The day the directory stopped listing them (YYYY-MM-DD): kept for the records they are named in, never an actor or an audience again. */
  leftOn?: string;
}

/**
 * Roles held per school. The workflows route on the first four; the network manager is the person
 * who holds the school accounts' logins (the register names them). A person may hold several.
 */
export type SchoolRole = 'ictLeader' | 'headTeacher' | 'deputyHead' | 'policyAdmin' | 'networkManager';

/** The identity of whoever caused an event, as established on the server. */
export interface Actor {
  id: string;
  name: string;
}

export const roleLabels: Record<SchoolRole, string> = {
  ictLeader: 'Computing/ICT subject leader',
  headTeacher: 'Head teacher',
  deputyHead: 'Deputy head teacher',
  policyAdmin: 'Policy admin',
  networkManager: 'Network manager',
};
