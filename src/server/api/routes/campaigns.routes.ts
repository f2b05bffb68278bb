import { z } from 'zod';
import type { CampaignDashboard, CampaignExport, CampaignListItem, CampaignOptions, CampaignSummary, CampaignCompletion, NotSignedRow } from '../../../contract/campaigns';
import type { ListPage } from '../../../contract/api';
import { addDays } from '../../../domain/calendar-date';
import { campaignExportFileName, DEFAULT_DEADLINE_DAYS, type AudienceSpec, type Campaign, type Progress } from '../../../domain/campaign';
import { remindNowRefusal } from '../../../domain/campaign-permissions';
import { localDay } from '../../../domain/display-dates';
import { recipientStateWords } from '../../../domain/campaign';
import { DEFAULT_REMINDER_DAYS } from '../../../services/campaigns.service';
import type { ApiDeps } from '../api-deps';
import { unwrap } from '../api-error';
import { cursorParam, encodeCursor, limitParam } from '../paging';
import { ApiReply, route, type ApiContext, type ApiRoute } from '../router';

const id = z.string().min(1, { message: 'required' }).max(100);
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'a date as YYYY-MM-DD' });
const campaignRef = z.object({ id });

const launchInput = z.object({
  versionId: z.string({ message: 'choose a policy version' }).min(1, { message: 'choose a policy version' }).max(100),
  deadline: day,
  reminderEveryDays: z.coerce.number({ message: 'a whole number of days from 1 to 90' }).int({ message: 'a whole number of days from 1 to 90' }).min(1, { message: 'a whole number of days from 1 to 90' }).max(90, { message: 'a whole number of days from 1 to 90' }),
  audience: z
    .discriminatedUnion('kind', [
      z.object({ kind: z.literal('all') }),
      z.object({ kind: z.literal('departments'), departments: z.array(z.string().trim().min(1).max(200), { message: 'choose one or more departments' }).min(1, { message: 'choose one or more departments' }).max(200) }),
      z.object({ kind: z.literal('joinedSince'), since: day }),
      z.object({ kind: z.literal('team'), teamId: z.string({ message: 'choose a team' }).trim().min(1, { message: 'choose a team' }).max(200, { message: 'choose a team' }) }),
    ], { message: 'all staff, one or more departments, people who joined since a date, or the members of a team' })
    .default({ kind: 'all' }),
});

const campaignListInput = z.object({ cursor: cursorParam(([launchedAt]) => !Number.isNaN(Date.parse(launchedAt))), limit: limitParam(20, 50) });

const notSignedInput = campaignRef.extend({
  department: z.string().max(200).optional(),
  cursor: z.string().max(300).optional(),
  limit: z.coerce.number({ message: 'a number from 1 to 200' }).int().min(1, { message: 'a number from 1 to 200' }).max(200, { message: 'a number from 1 to 200' }).default(50),
});

/** The campaign as the tab shows it: nothing the page does not need (no ids of people). */
function summary(c: Campaign): CampaignSummary {
  return {
    id: c.id,
    title: c.title,
    versionId: c.versionId,
    versionLabel: c.versionLabel,
    audience: c.audience,
    deadline: c.deadline,
    reminderEveryDays: c.reminderEveryDays,
    launchedAt: c.launchedAt,
    launchedByName: c.launchedByName,
    ...(c.closed ? { closed: { at: c.closed.at, byName: c.closed.byName } } : {}),
    ...(c.remindedOn ? { remindedOn: c.remindedOn } : {}),
  };
}

/** The campaigns page's API: thin handlers over CampaignService (the same the bot's `campaign` command calls). */
export function campaignsRoutes(d: ApiDeps): ApiRoute[] {
  const admin = (ctx: ApiContext) => ({ ...ctx.actor, staff: ctx.me });
  const today = () => localDay(d.clock.now().toISOString(), d.timeZone);
  const dashboard = (c: Campaign, progress: Progress): CampaignDashboard => {
    const t = today();
    const refused = remindNowRefusal(c, t);
    return { campaign: summary(c), progress, remind: refused ? { allowed: false, why: refused.message } : { allowed: true }, today: t };
  };

  return [
    route({
      method: 'get',
      path: '/campaigns',
      page: 'campaigns',
      input: campaignListInput,
      // Newest first, a page at a time; progress is counted only for the campaigns on the page.
      async handle(ctx, q: z.infer<typeof campaignListInput>): Promise<ListPage<CampaignListItem>> {
        const all = unwrap(await d.campaigns.list(admin(ctx)));
        const from = q.cursor ? all.findIndex((c) => c.launchedAt === q.cursor![0] && c.id === q.cursor![1]) + 1 : 0;
        const page = all.slice(from, from + q.limit);
        const items: CampaignListItem[] = [];
        for (const c of page) items.push({ campaign: summary(c), progress: unwrap(await d.campaigns.progress(admin(ctx), c.id)).progress });
        const last = page.at(-1);
        return { items, total: all.length, ...(last && from + q.limit < all.length ? { next: encodeCursor([last.launchedAt, last.id]) } : {}) };
      },
    }),
    route({
      method: 'get',
      path: '/campaigns/options',
      page: 'campaigns',
      async handle(ctx): Promise<CampaignOptions> {
        const { departments, joinDays, teams } = unwrap(await d.campaigns.audienceChoices(admin(ctx)));
        const versions = (await d.declarations.currentVersions()).map((v) => ({ id: v.id, title: v.title, versionLabel: v.versionLabel, effectiveDate: v.effectiveDate }));
        const t = today();
        return { versions, departments, joinDays, teams, today: t, defaultDeadline: addDays(t, DEFAULT_DEADLINE_DAYS), defaultReminderEveryDays: DEFAULT_REMINDER_DAYS };
      },
    }),
    route({
      method: 'post',
      path: '/campaigns',
      page: 'campaigns',
      input: launchInput,
      async handle(ctx, input: z.infer<typeof launchInput>) {
        const audience: AudienceSpec = input.audience.kind === 'all' ? { kind: 'roster' } : input.audience;
        const { campaign } = unwrap(await d.campaigns.launch(admin(ctx), { versionId: input.versionId, deadline: input.deadline, reminderEveryDays: input.reminderEveryDays, audience }));
        const { progress } = unwrap(await d.campaigns.progress(admin(ctx), campaign.id));
        // Launch answers at once: the audience is read and booked by a job; the page follows it by polling.
        return new ApiReply(201, dashboard(campaign, progress));
      },
    }),
    route({
      method: 'get',
      path: '/campaigns/:id',
      page: 'campaigns',
      input: campaignRef,
      async handle(ctx, input: { id: string }): Promise<CampaignDashboard> {
        const { campaign, progress } = unwrap(await d.campaigns.progress(admin(ctx), input.id));
        return dashboard(campaign, progress);
      },
    }),
    route({
      method: 'get',
      path: '/campaigns/:id/completion',
      page: 'campaigns',
      input: campaignRef,
      async handle(ctx, input: { id: string }): Promise<CampaignCompletion> {
        return { byDay: unwrap(await d.campaigns.completion(admin(ctx), input.id)).byDay };
      },
    }),
    route({
      method: 'get',
      path: '/campaigns/:id/not-signed',
      page: 'campaigns',
      input: notSignedInput,
      async handle(ctx, input: z.infer<typeof notSignedInput>): Promise<ListPage<NotSignedRow>> {
        const page = unwrap(await d.campaigns.notSigned(admin(ctx), input.id, { department: input.department || undefined, cursor: input.cursor, limit: input.limit }));
        const items = page.items.map((r): NotSignedRow => ({
          userId: r.userId,
          name: r.name,
          department: r.department,
          state: r.state as NotSignedRow['state'],
          status: recipientStateWords(r),
          remindersSent: r.remindersSent,
          sentAt: r.sentAt,
        }));
        return { items, ...(page.next ? { next: page.next } : {}) };
      },
    }),
    route({
      method: 'post',
      path: '/campaigns/:id/remind',
      page: 'campaigns',
      input: campaignRef,
      async handle(ctx, input: { id: string }): Promise<CampaignDashboard> {
        unwrap(await d.campaigns.remindNow(admin(ctx), input.id));
        const { campaign, progress } = unwrap(await d.campaigns.progress(admin(ctx), input.id));
        return dashboard(campaign, progress);
      },
    }),
    route({
      method: 'post',
      path: '/campaigns/:id/close',
      page: 'campaigns',
      input: campaignRef,
      async handle(ctx, input: { id: string }): Promise<CampaignDashboard> {
        const { campaign, progress } = unwrap(await d.campaigns.close(admin(ctx), input.id));
        return dashboard(campaign, progress);
      },
    }),
    route({
      method: 'post',
      path: '/campaigns/:id/export',
      page: 'campaigns',
      input: campaignRef,
      async handle(ctx, input: { id: string }): Promise<CampaignExport> {
        const { campaign, progress, csv, summary: text } = unwrap(await d.campaigns.export(admin(ctx), input.id));
        const file = campaignExportFileName(campaign, today());
        const saved = d.saveExport(file, csv);
        d.log(`export written to ${saved.path}`);
        return { file, link: saved.link, rows: progress.total, summary: text };
      },
    }),
  ];
}
