/**
 * The Policies page's API shapes (types only; the tab imports them).
 *
 *   GET  /api/policies?cursor=&limit=         → PoliciesList (a page of policies in name order, each with every version)
 *   POST /api/policies/:policyId/versions     PublishVersionBody → 201 PolicyVersionRow
 *     with dryRun: every check and the row that would be published (its hash; publishedAt ''), 200, nothing stored
 *
 * Published versions are frozen. Publishing content, or a version label, that
 * a version of the policy already has is refused with 409: never a second
 * version, never a change to the first.
 */
import type { PolicyVersion } from '../domain/policy';
import type { ListPage } from './api';

export interface PolicyVersionRow extends Omit<PolicyVersion, 'schoolId' | 'policyId'> {
  /** The version people should sign today. */
  current: boolean;
  /** Members of staff now on the list who have signed it (out of the policy's staffCount). */
  signed: number;
}

export interface PolicySummary {
  id: string;
  name: string;
  staffCount: number;
  /** Newest first. */
  versions: PolicyVersionRow[];
}

export type PoliciesList = ListPage<PolicySummary>;

export interface PublishVersionBody {
  title: string;
  versionLabel: string;
  /** YYYY-MM-DD */
  effectiveDate: string;
  /** YYYY-MM-DD, after effectiveDate; default: the day before the effective date a year on. */
  reviewDate?: string;
  /** https only. */
  documentUrl: string;
  summary: string;
  /** The "I will …" statements, at least one. */
  statements: string[];
  requireOpenBeforeSign?: boolean;
  /** Check only: answer what would be published, store nothing. */
  dryRun?: boolean;
}
