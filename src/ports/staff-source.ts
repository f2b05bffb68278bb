import type { DirectoryPerson } from '../domain/roster';

/** Everyone in the staff group now, and where tracking its changes starts from. */
export interface StaffSnapshot {
  people: DirectoryPerson[];
  /** Opaque; kept in the store (saveSyncState) so a restart continues from it. */
  cursor: string;
}

/** What changed since a cursor. */
export interface StaffChanges {
  kind: 'changes';
  /** People who joined the staff group, with their details. */
  joined: DirectoryPerson[];
  /** Ids of people no longer in the group (removed, or their account deleted). */
  left: string[];
  /**
   * People whose details changed. May include people outside the staff group (the directory tracks
   * changes tenant-wide): the caller keeps only those it knows as current staff.
   */
  changed: DirectoryPerson[];
  cursor: string;
}

/**
 * The staff group as the school's directory holds it (Microsoft 365: an Entra group through Graph).
 * The roster sync reads it; the app never does (it reads the store).
 */
export interface StaffSource {
  readAll(): Promise<StaffSnapshot>;
  /** Changes since `cursor`, or `resync` when they cannot be had (the cursor expired, the group's nesting changed): read everything again. */
  readChanges(cursor: string): Promise<StaffChanges | { kind: 'resync'; reason: string }>;
}
