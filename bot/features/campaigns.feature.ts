import { campaignLaunchCard, campaignStatusCard } from '../../src/cards/campaign.card';
import { Verbs } from '../../src/cards/verbs';
import { addDays } from '../../src/domain/calendar-date';
import type { Campaign } from '../../src/domain/campaign';
import { campaignLaunchData, campaignRef } from '../card-data';
import type { Feature, FeatureDeps } from './feature';
import { notice } from './request-replies';

/** The deadline the launch form suggests: three weeks from today. */
const DEFAULT_DEADLINE_DAYS = 21;

/** Kept in step with CampaignService's refusal; the service is what enforces the rule. */
const NOT_ADMIN = 'Campaigns are for policy admins. Ask your school’s policy admin if you need one.';

/** A name that is safe as a file name and says what the export is. */
const exportFileName = (c: Campaign, today: string) => `campaign-${c.versionLabel}-${today}-${c.id.slice(0, 8)}.csv`.replace(/[^\w.-]/g, '-');

/**
 * Policy admins launch an acknowledgement campaign, follow it and export it for governors.
 * To add a command: a verb handler below and, if it can be typed, a word in `commands.campaign.sub`.
 */
export function campaignsFeature({ campaigns, declarations, saveExport, today, log }: Pick<FeatureDeps, 'campaigns' | 'declarations' | 'saveExport' | 'today' | 'log'>): Feature {
  const launchForm = async (extra: Pick<Parameters<typeof campaignLaunchCard>[0], 'values' | 'errors'> = {}) =>
    campaignLaunchCard({ versions: await declarations.currentVersions(), today: today(), defaultDeadline: addDays(today(), DEFAULT_DEADLINE_DAYS), ...extra });

  return {
    commands: {
      // A bare `campaign`, or a word we do not know after it, shows the latest campaign's status.
      campaign: { verb: Verbs.campaignStatus, sub: { launch: Verbs.campaignNew, status: Verbs.campaignStatus, export: Verbs.campaignExport } },
    },
    verbs: {
      [Verbs.campaignNew]: async ({ policyAdmin }) => (policyAdmin ? launchForm() : notice(NOT_ADMIN)),

      [Verbs.campaignLaunch]: async ({ actor }, data) => {
        const parsed = campaignLaunchData.safeParse(data);
        const input = parsed.success ? parsed.data : { versionId: '', deadline: '', reminderEveryDays: NaN };
        const result = await campaigns.launch(actor, input);
        if (!result.ok) {
          if (result.error.code === 'CAMPAIGN.NOT_ADMIN') return notice(result.error.message);
          return launchForm({
            values: { versionId: String(data.versionId ?? ''), deadline: String(data.deadline ?? ''), reminderEveryDays: String(data.reminderEveryDays ?? '') },
            errors: result.error.fields ?? { versionId: result.error.message },
          });
        }
        const { campaign, recipients, alreadySigned } = result.value;
        const progress = await campaigns.progress(actor, campaign.id);
        const banner = `Launched to ${recipients} people${alreadySigned ? ` (${alreadySigned} had already signed)` : ''}. Cards are on their way.`;
        return progress.ok ? campaignStatusCard(progress.value.campaign, progress.value.progress, { banner }) : notice(banner);
      },

      [Verbs.campaignStatus]: async ({ actor }, data) => {
        const { campaignId } = campaignRef.parse(data);
        const result = await campaigns.progress(actor, campaignId);
        return result.ok ? campaignStatusCard(result.value.campaign, result.value.progress) : notice(result.error.message);
      },

      [Verbs.campaignExport]: async ({ actor, share }, data) => {
        const { campaignId } = campaignRef.parse(data);
        const result = await campaigns.export(actor, campaignId);
        if (!result.ok) return notice(result.error.message);
        const { campaign, progress, csv, summary } = result.value;
        const file = exportFileName(campaign, today());
        const saved = saveExport(file, csv);
        log(`export written to ${saved.path}`);
        share({ contentType: 'text/csv', url: saved.link, name: file });
        return campaignStatusCard(campaign, progress, { summary, exportLink: saved.link, banner: `Export ready: ${file} (${progress.total} rows).` });
      },
    },
  };
}
