import { campaignAlreadyOpenCard, campaignLaunchCard, campaignStatusCard } from '../../src/cards/campaign.card';
import { campaignRefusal } from '../../src/domain/campaign-permissions';
import { viewerOf } from '../../src/services/actors';
import { Verbs } from '../../src/cards/verbs';
import { addDays } from '../../src/domain/calendar-date';
import { campaignExportFileName as exportFileName, DEFAULT_DEADLINE_DAYS } from '../../src/domain/campaign';
import { campaignLaunchData, campaignRef } from '../card-data';
import type { Feature, FeatureDeps, Turn } from './feature';
import { notice } from './request-replies';



/**
 * Policy admins launch an acknowledgement campaign, follow it and export it for governors.
 * To add a command: a verb handler below and, if it can be typed, a word in `commands.campaign.sub`.
 */
export function campaignsFeature({ campaigns, declarations, saveExport, today, log, timeZone }: Pick<FeatureDeps, 'campaigns' | 'declarations' | 'saveExport' | 'today' | 'log' | 'timeZone'>): Feature {
  const launchForm = async (actor: Turn['actor'], extra: Pick<Parameters<typeof campaignLaunchCard>[0], 'values' | 'errors'> = {}) => {
    const teams = await campaigns.teamChoices(actor);
    return campaignLaunchCard({ versions: await declarations.currentVersions(), teams: teams.ok ? teams.value : [], today: today(), defaultDeadline: addDays(today(), DEFAULT_DEADLINE_DAYS), ...extra });
  };

  return {
    commands: {
      // A bare `campaign`, or a word we do not know after it, shows the latest campaign's status.
      campaign: {
        verb: Verbs.campaignStatus,
        sub: { launch: Verbs.campaignNew, status: Verbs.campaignStatus, export: Verbs.campaignExport, close: Verbs.campaignClose, recount: Verbs.campaignRecount },
      },
    },
    verbs: {
      [Verbs.campaignNew]: async ({ actor }) => {
        const refused = campaignRefusal(viewerOf(actor), 'launch');
        return refused ? notice(refused.message) : launchForm(actor);
      },

      [Verbs.campaignLaunch]: async ({ actor }, data) => {
        const parsed = campaignLaunchData.safeParse(data);
        const input = parsed.success ? parsed.data : { versionId: '', deadline: '', reminderEveryDays: NaN };
        // 'team:<id>' is the members of a team (the service looks the team up); anything else, all staff.
        const team = /^team:(.+)$/s.exec(parsed.success ? (parsed.data.audience ?? '') : '');
        const result = await campaigns.launch(actor, { ...input, audience: team ? { kind: 'team', teamId: team[1]! } : { kind: 'roster' } });
        if (!result.ok) {
          if (result.error.code === 'CAMPAIGN.NOT_ADMIN') return notice(result.error.message);
          if (result.error.openCampaign) return campaignAlreadyOpenCard(result.error.openCampaign, result.error.message);
          return launchForm(actor, {
            values: { versionId: String(data.versionId ?? ''), deadline: String(data.deadline ?? ''), reminderEveryDays: String(data.reminderEveryDays ?? ''), audience: String(data.audience ?? 'roster').slice(0, 300) },
            errors: result.error.fields ?? { versionId: result.error.message },
          });
        }
        const { campaign } = result.value;
        const progress = await campaigns.progress(actor, campaign.id);
        const banner = 'Launched. Preparing the audience: cards go out as each page of the directory is read. Refresh to follow progress.';
        return progress.ok ? campaignStatusCard(progress.value.campaign, progress.value.progress, { banner, timeZone }) : notice(banner);
      },

      [Verbs.campaignStatus]: async ({ actor }, data) => {
        const { campaignId } = campaignRef.parse(data);
        const result = await campaigns.progress(actor, campaignId);
        return result.ok ? campaignStatusCard(result.value.campaign, result.value.progress, { timeZone }) : notice(result.error.message);
      },

      [Verbs.campaignClose]: async ({ actor }, data) => {
        const { campaignId } = campaignRef.parse(data);
        const result = await campaigns.close(actor, campaignId);
        if (!result.ok) return notice(result.error.message);
        const banner = 'Closed. No more cards or reminders will be sent; the figures were counted again from the records.';
        return campaignStatusCard(result.value.campaign, result.value.progress, { banner, timeZone });
      },

      [Verbs.campaignRecount]: async ({ actor }, data) => {
        const { campaignId } = campaignRef.parse(data);
        const result = await campaigns.recount(actor, campaignId);
        return result.ok ? campaignStatusCard(result.value.campaign, result.value.progress, { banner: 'Counted again from the records.', timeZone }) : notice(result.error.message);
      },

      [Verbs.campaignExport]: async ({ actor }, data) => {
        const { campaignId } = campaignRef.parse(data);
        const result = await campaigns.export(actor, campaignId);
        if (!result.ok) return notice(result.error.message);
        const { campaign, progress, csv, summary } = result.value;
        const file = exportFileName(campaign, today());
        const saved = saveExport(file, csv);
        log(`export written to ${saved.path}`);
        // The card links to the file. A bot can send a file into a personal chat only through Teams' file
        // consent flow (learn.microsoft.com/microsoftteams/platform/bots/how-to/bots-filesv4); a plain
        // text/csv attachment is refused ("unknown attachment type").
        return campaignStatusCard(campaign, progress, { summary, exportLink: saved.link, banner: `Export ready: ${file} (${progress.total} rows).`, timeZone });
      },
    },
  };
}
