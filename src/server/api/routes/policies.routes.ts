import { z } from 'zod';
import type { PoliciesList, PolicyVersionRow } from '../../../contract/policies';
import { localDay } from '../../../domain/display-dates';
import { currentVersion, defaultReviewDate } from '../../../domain/policy';
import { PolicyOverviewService, type VersionCoverage } from '../../../services/policy-overview.service';
import type { ApiDeps } from '../api-deps';
import { unwrap } from '../api-error';
import { cursorParam, encodeCursor, limitParam } from '../paging';
import { ApiReply, route, type ApiRoute } from '../router';

/** Policies a page: a school has a handful, each with a version a year. */
const listInput = z.object({ cursor: cursorParam(), limit: limitParam(10, 50) });

const text = (what: string, max: number) =>
  z
    .string({ message: `give the ${what}` })
    .trim()
    .min(1, { message: `give the ${what}` })
    .max(max, { message: `at most ${max} characters` });

const day = z
  .string({ message: 'give a date as YYYY-MM-DD' })
  .regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'give a date as YYYY-MM-DD' })
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), { message: 'this is not a real date' });

const httpsUrl = z
  .string({ message: 'give the link to the full document' })
  .trim()
  .max(2000, { message: 'at most 2000 characters' })
  .refine(
    (s) => {
      try {
        const u = new URL(s);
        return u.protocol === 'https:' && !!u.hostname && !u.username && !u.password;
      } catch {
        return false;
      }
    },
    { message: 'give an https:// link to the full document' },
  );

const publishInput = z
  .object({
    policyId: text('policy id', 200),
    title: text('title', 200),
    versionLabel: text('version label', 50),
    effectiveDate: day,
    reviewDate: day.optional(),
    documentUrl: httpsUrl,
    summary: text('summary', 4000),
    statements: z.array(text('statement', 500), { message: 'give at least one statement' }).min(1, { message: 'give at least one statement' }).max(30, { message: 'at most 30 statements' }),
    requireOpenBeforeSign: z.boolean({ message: 'answer yes or no' }).optional().default(false),
    dryRun: z.boolean({ message: 'answer yes or no' }).optional().default(false),
  })
  .refine((v) => !v.reviewDate || v.reviewDate > v.effectiveDate, { message: 'the review date must fall after the effective date', path: ['reviewDate'] });

const row = (c: VersionCoverage): PolicyVersionRow => {
  const v = c.version;
  return {
    id: v.id,
    title: v.title,
    versionLabel: v.versionLabel,
    effectiveDate: v.effectiveDate,
    reviewDate: v.reviewDate,
    documentUrl: v.documentUrl,
    summary: v.summary,
    statements: v.statements,
    requireOpenBeforeSign: v.requireOpenBeforeSign,
    publishedAt: v.publishedAt,
    contentHash: v.contentHash,
    current: c.current,
    signed: c.signed,
  };
};

/** The Policies page's API (src/contract/policies.ts): versions with their hashes and coverage, and publishing a new one. */
export function policiesRoutes(d: ApiDeps): ApiRoute[] {
  const overview = new PolicyOverviewService({ policies: d.store.policies, directory: d.directory, clock: d.clock, localDate: (t) => localDay(t.toISOString(), d.timeZone) });
  return [
    route({
      method: 'get',
      path: '/policies',
      page: 'policies',
      input: listInput,
      async handle(_ctx, q: z.infer<typeof listInput>): Promise<PoliciesList> {
        const page = await overview.overview({ after: q.cursor, limit: q.limit });
        return {
          items: page.items.map((p) => ({ id: p.policy.id, name: p.policy.name, staffCount: p.staffCount, versions: p.versions.map(row) })),
          ...(page.next ? { next: encodeCursor(page.next) } : {}),
        };
      },
    }),
    route({
      method: 'post',
      path: '/policies/:policyId/versions',
      page: 'policies',
      input: publishInput,
      async handle(_ctx, input: z.infer<typeof publishInput>) {
        const { policyId, reviewDate, dryRun, ...content } = input;
        const v = unwrap(await d.declarations.publishNew(policyId, { ...content, reviewDate: reviewDate ?? defaultReviewDate(content.effectiveDate) }, { dryRun }));
        if (dryRun) return row({ version: v, current: false, signed: 0 });
        const today = localDay(d.clock.now().toISOString(), d.timeZone);
        const current = currentVersion(await d.store.policies.listVersions(policyId), today)?.id === v.id;
        return new ApiReply(201, row({ version: v, current, signed: 0 }));
      },
    }),
  ];
}
