import { z } from 'zod';
import type { RegisterAccount, RegisterList, StaffChoice } from '../../../contract/register';
import { localDay } from '../../../domain/display-dates';
import { AccountRegisterService, type AccountEntry } from '../../../services/account-register.service';
import type { ApiDeps } from '../api-deps';
import { unwrap } from '../api-error';
import { cursorParam, encodeCursor, limitParam } from '../paging';
import { route, type ApiRoute } from '../router';

const id = (what: string) => z.string({ message: `give the ${what}` }).trim().min(1, { message: `give the ${what}` }).max(200);
const etag = z.string({ message: 'give the etag of the account as you were shown it' }).min(1, { message: 'give the etag of the account as you were shown it' }).max(2000);
const day = z
  .string({ message: 'give a date as YYYY-MM-DD' })
  .regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'give a date as YYYY-MM-DD' })
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), { message: 'this is not a real date' });

/** Any field a schema does not name is refused, named: a password (or anything else) is never taken, not even ignored. */
const noOtherField = z.unknown().refine(() => false, { message: 'Countersign does not take this field (it never asks for a password)' });

/** The confirmation: two ticks and a name. No password field exists, and unknown fields are refused, so none can be sent. */
const confirmInput = z
  .object({
    accountId: id('account id'),
    etag,
    liveOn: day,
    live: z.literal(true, { message: 'tick to confirm the account is live' }),
    loginHeldByNetworkManager: z.literal(true, { message: 'tick to confirm the network manager holds the login' }),
    networkManagerName: z.string({ message: 'give the network manager’s name' }).trim().min(1, { message: 'give the network manager’s name' }).max(100, { message: 'at most 100 characters' }),
  })
  .catchall(noOtherField);

const handoverInput = z.object({ accountId: id('account id'), etag, fromId: id('administrator who is leaving'), toId: id('member of staff taking over') }).catchall(noOtherField);

const listInput = z.object({
  q: z.string().max(200, { message: 'at most 200 characters' }).optional(),
  attention: z.enum(['true', 'false'], { message: 'true or false' }).optional(),
  cursor: cursorParam(([approvedAt]) => !Number.isNaN(Date.parse(approvedAt))),
  limit: limitParam(25, 100),
});

const staffQuery = z.object({ q: z.string().max(100, { message: 'at most 100 characters' }).optional().default('') });

function view(e: AccountEntry): RegisterAccount {
  const a = e.account;
  return {
    id: a.id,
    reference: a.reference,
    department: a.department,
    platform: a.platform,
    host: a.host,
    visibility: a.visibility,
    administrators: a.administrators,
    moderators: a.moderators,
    goLive: a.goLive,
    closure: a.closure,
    reviewDate: e.reviewDate,
    approvedAt: a.approvedAt,
    ownerName: a.ownerName,
    ...(a.confirmation ? { confirmation: a.confirmation } : {}),
    warnings: e.warnings,
    left: e.left,
    may: e.may,
    etag: e.etag,
  };
}

const listed = (p: Awaited<ReturnType<AccountRegisterService['page']>>): RegisterList => ({
  items: p.items.map(view),
  total: p.total,
  ...(p.next ? { next: encodeCursor(p.next) } : {}),
});

/**
 * The Account register page's API (src/contract/register.ts). The register is
 * for those who keep it (the page rule); confirming go-live is for the
 * account's own administrators, who may be any member of staff, so that route
 * is open to every signed-in person and the domain's account rule decides.
 */
export function registerRoutes(d: ApiDeps): ApiRoute[] {
  const register = new AccountRegisterService({ store: d.store, directory: d.directory, clock: d.clock, ids: d.ids, localDate: (t) => localDay(t.toISOString(), d.timeZone) });
  return [
    route({
      method: 'get',
      path: '/register',
      page: 'register',
      input: listInput,
      async handle({ viewer }, q: z.infer<typeof listInput>): Promise<RegisterList> {
        return listed(await register.page(viewer, { search: q.q, needsAttention: q.attention === 'true', after: q.cursor, limit: q.limit }));
      },
    }),
    route({
      method: 'get',
      path: '/register/mine',
      page: 'any',
      input: listInput,
      async handle({ viewer }, q: z.infer<typeof listInput>): Promise<RegisterList> {
        return listed(await register.page(viewer, { administeredBy: viewer.id, search: q.q, needsAttention: q.attention === 'true', after: q.cursor, limit: q.limit }));
      },
    }),
    route({
      method: 'get',
      path: '/register/staff',
      page: 'register',
      input: staffQuery,
      async handle(_ctx, input: z.infer<typeof staffQuery>): Promise<StaffChoice[]> {
        return (await register.findStaff(input.q)).map((s) => ({ id: s.id, name: s.name, jobTitle: s.jobTitle, department: s.department }));
      },
    }),
    route({
      method: 'post',
      path: '/register/:accountId/confirm',
      page: 'any',
      input: confirmInput,
      async handle({ actor, viewer }, input: z.infer<typeof confirmInput>): Promise<RegisterAccount> {
        return view(unwrap(await register.confirm(actor, viewer, input)));
      },
    }),
    route({
      method: 'post',
      path: '/register/:accountId/handover',
      page: 'register',
      input: handoverInput,
      async handle({ actor, viewer }, input: z.infer<typeof handoverInput>): Promise<RegisterAccount> {
        return view(unwrap(await register.handover(actor, viewer, input)));
      },
    }),
  ];
}
