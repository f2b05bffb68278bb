import { Body1, Caption1, Link, makeStyles, tokens } from '@fluentui/react-components';
import type { ListPage } from '../../../../src/contract/api';
import { campaignPaths, type CampaignListItem } from '../../../../src/contract/campaigns';
import { audienceWords, campaignPhaseWords, COUNTING_AUDIENCE, countingAudience } from '../../../../src/domain/campaign';
import { formatDay } from '../../../../src/domain/display-dates';
import { Empty, Failed, Loading } from '../../components/states';
import { query } from '../../api-client';
import { Pager, useCursorPages } from '../../components/pager';
import { useLoad } from '../../components/use-load';

const useStyles = makeStyles({
  list: { listStyle: 'none', margin: 0, padding: 0, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS, minWidth: 0 },
  item: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalXXS,
    padding: tokens.spacingHorizontalM,
    borderRadius: tokens.borderRadiusMedium,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    backgroundColor: tokens.colorNeutralBackground1,
    minWidth: 0,
    overflowWrap: 'anywhere',
  },
});

/** Every campaign, newest first, each with its phase and how many have signed. */
export function CampaignList({ timeZone, open }: { timeZone: string; open(id: string): void }) {
  const s = useStyles();
  const pages = useCursorPages();
  const list = useLoad<ListPage<CampaignListItem>>(`${campaignPaths.list}${query({ cursor: pages.cursor })}`, { pollMs: 15_000 });
  if (list.error && !list.data) return <Failed error={list.error} retry={list.reload} />;
  if (!list.data) return <Loading label="Loading campaigns…" />;
  if (!list.data.items.length) return <Empty title="No campaigns yet.">Launch one to send the policy declaration to staff and follow who has signed.</Empty>;
  return (
    <>
      <ul className={s.list} aria-label="Campaigns, newest first">
        {list.data.items.map(({ campaign: c, progress: p }) => (
          <li key={c.id} className={s.item}>
            <Link
              href={`#/campaigns/${encodeURIComponent(c.id)}`}
              onClick={(e) => {
                e.preventDefault();
                open(c.id);
              }}
            >
              {`${c.title} (${c.versionLabel})`}
            </Link>
            <Body1>{countingAudience(p) ? COUNTING_AUDIENCE : `${p.byState.signed} of ${p.total} signed.`}</Body1>
            <Caption1>
              {campaignPhaseWords(c, p, timeZone)}. Deadline {formatDay(c.deadline)}. Audience: {audienceWords(c.audience)}.
            </Caption1>
          </li>
        ))}
      </ul>
      <Pager pages={pages} next={list.data.next} label="Pages of campaigns" />
    </>
  );
}
