import { Body1, Caption1, makeStyles, tokens } from '@fluentui/react-components';
import { COUNTING_AUDIENCE, countingAudience, RECIPIENT_STATE_LABELS as W, UNCONFIRMED_LABEL, UNCONFIRMED_MEANING, type Progress } from '../../../../src/domain/campaign';

const useStyles = makeStyles({
  grid: { display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(130px, 1fr))', gap: tokens.spacingHorizontalM, margin: 0, minWidth: 0 },
  tile: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalXXS,
    padding: tokens.spacingHorizontalM,
    borderRadius: tokens.borderRadiusMedium,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    backgroundColor: tokens.colorNeutralBackground1,
    minWidth: 0,
  },
  figure: { fontSize: tokens.fontSizeHero700, lineHeight: tokens.lineHeightHero700, fontWeight: tokens.fontWeightSemibold, margin: 0 },
  label: { margin: 0, overflowWrap: 'anywhere' },
});

const pct = (n: number, total: number) => `${total ? Math.round((n / total) * 100) : 0}%`;

/** The figures in the status card's words: signed, waiting, in doubt, not sent yet, could not be reached. */
export function CampaignStats({ progress: p, closed }: { progress: Progress; closed: boolean }) {
  const s = useStyles();
  if (countingAudience(p)) return <Body1>{COUNTING_AUDIENCE} The figures appear as soon as the first people are booked.</Body1>;
  const b = p.byState;
  const tiles: Array<{ label: string; value: string; note?: string }> = [
    { label: W.signed, value: `${b.signed} of ${p.total}`, note: pct(b.signed, p.total) },
    { label: W.sent, value: String(b.sent) },
    ...(b.unconfirmed ? [{ label: UNCONFIRMED_LABEL, value: String(b.unconfirmed), note: UNCONFIRMED_MEANING }] : []),
    { label: W.queued, value: String(b.queued), note: closed && b.queued ? 'not sent: the campaign is closed' : undefined },
    { label: W.failed, value: String(b.failed) },
  ];
  return (
    <dl className={s.grid}>
      {tiles.map((t) => (
        <div key={t.label} className={s.tile}>
          <dt className={s.label}>
            <Body1>{t.label}</Body1>
          </dt>
          <dd className={s.figure}>{t.value}</dd>
          {t.note && (
            <dd className={s.label}>
              <Caption1>{t.note}</Caption1>
            </dd>
          )}
        </div>
      ))}
    </dl>
  );
}
