import { currentVersion, type Policy, type PolicyVersion } from '../domain/policy';
import type { Clock } from '../ports/clock';
import type { Directory } from '../ports/directory';
import type { PolicyStore } from '../ports/policy-store';

export interface PolicyOverviewDeps {
  policies: PolicyStore;
  directory: Directory;
  clock: Clock;
  /** The school's local date for a moment, YYYY-MM-DD. */
  localDate: (d: Date) => string;
}

export interface VersionCoverage {
  version: PolicyVersion;
  /** The version people should sign today. */
  current: boolean;
  /** Members of staff on the list now who have signed this version. */
  signed: number;
}

export interface PolicyOverview {
  policy: Policy;
  /** Newest first. */
  versions: VersionCoverage[];
  /** Members of staff on the list now: the denominator of every version's coverage. */
  staffCount: number;
}

/** Staff read a page at a time: a trust's roster is never held whole, and each page is one signedAmong per version. */
const PAGE = 500;

/** The Policies page's read side: each policy's versions with their hashes and signature coverage among current staff. */
export class PolicyOverviewService {
  constructor(private readonly d: PolicyOverviewDeps) {}

  /**
   * One page of policies in name order (then id), after `after`, each with every version: a school
   * has a handful of policies and a version a year, so the cost that paging bounds is the coverage,
   * counted only for the versions on the page.
   */
  async overview(q: { after?: readonly [string, string]; limit: number } = { limit: Number.MAX_SAFE_INTEGER }): Promise<{ items: PolicyOverview[]; next?: readonly [string, string] }> {
    const today = this.d.localDate(this.d.clock.now());
    const key = (p: { name: string; id: string }) => `${p.name.toLowerCase()}\u0000${p.id}`;
    const from = q.after ? key({ name: q.after[0], id: q.after[1] }) : '';
    const ordered = (await this.d.policies.listPolicies()).filter((p) => key(p) > from).sort((a, b) => (key(a) < key(b) ? -1 : 1));
    const policies = ordered.slice(0, q.limit);
    const last = policies.at(-1);
    const next = ordered.length > q.limit && last ? ([last.name, last.id] as const) : undefined;
    if (!policies.length) return { items: [] };
    const perPolicy = await Promise.all(policies.map(async (policy) => ({ policy, versions: await this.d.policies.listVersions(policy.id) })));
    const all = perPolicy.flatMap((p) => p.versions);
    const signed = new Map<string, number>(all.map((v) => [v.id, 0]));
    let staffCount = 0;
    for (let after = ''; ; ) {
      const page = await this.d.directory.listStaffPage(after, PAGE);
      if (!page.length) break;
      // People who have left are kept for the records that name them, not counted as staff.
      const ids = page.filter((s) => !s.leftOn).map((s) => s.id);
      staffCount += ids.length;
      if (ids.length) for (const v of all) signed.set(v.id, signed.get(v.id)! + (await this.d.policies.signedAmong(v.id, ids)).size);
      if (page.length < PAGE) break;
      after = page.at(-1)!.id;
    }
    const items = perPolicy.map(({ policy, versions }) => {
      const now = currentVersion(versions, today);
      return {
        policy,
        staffCount,
        versions: [...versions].reverse().map((version) => ({ version, current: version.id === now?.id, signed: signed.get(version.id) ?? 0 })),
      };
    });
    return { items, ...(next ? { next } : {}) };
  }
}
