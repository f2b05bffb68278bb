/** A policy, e.g. "Acceptable use of ICT and social media". Its text lives in versions. */
export interface Policy {
  id: string;
  schoolId: string;
  name: string;
}

/** One published version. Frozen once published: its content hash is stored with every signature. */
export interface PolicyVersion {
  id: string;
  /** The policy's school. Not part of the content hash: what a signer agrees to is the text, not where it is stored. */
  schoolId: string;
  policyId: string;
  title: string;
  versionLabel: string;
  /** YYYY-MM-DD */
  effectiveDate: string;
  /** YYYY-MM-DD */
  reviewDate: string;
  documentUrl: string;
  summary: string;
  /** "I will …" statements. */
  statements: string[];
  /** When true, a person must open the full document through Countersign before signing. */
  requireOpenBeforeSign: boolean;
  publishedAt: string;
  /** SHA-256 (hex) over canonicalVersionContent(). */
  contentHash: string;
}

export type PolicyContent = Pick<
  PolicyVersion,
  'policyId' | 'title' | 'versionLabel' | 'effectiveDate' | 'reviewDate' | 'documentUrl' | 'summary' | 'statements' | 'requireOpenBeforeSign'
>;

/**
 * The canonical form that the content hash covers: the fields a signer agrees
 * to, in a fixed order, as JSON. Changing any of them changes the hash.
 */
export function canonicalVersionContent(v: PolicyContent): string {
  return JSON.stringify([
    'countersign.policy-version.v1',
    v.policyId,
    v.title.trim(),
    v.versionLabel.trim(),
    v.effectiveDate,
    v.reviewDate,
    v.documentUrl.trim(),
    v.summary.trim(),
    v.statements.map((s) => s.trim()),
    v.requireOpenBeforeSign,
  ]);
}

/** The version people should sign now: the newest effective one on or before today. */
export function currentVersion(versions: PolicyVersion[], today: string): PolicyVersion | undefined {
  return versions
    .filter((v) => v.effectiveDate <= today)
    .sort((a, b) => (a.effectiveDate === b.effectiveDate ? a.publishedAt.localeCompare(b.publishedAt) : a.effectiveDate.localeCompare(b.effectiveDate)))
    .at(-1);
}

/** A version's review date when none is given: the day before its effective date a year on (2025-09-01 → 2026-08-31). */
export function defaultReviewDate(effectiveDate: string): string {
  const d = new Date(`${effectiveDate}T12:00:00Z`);
  d.setUTCFullYear(d.getUTCFullYear() + 1);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
}
