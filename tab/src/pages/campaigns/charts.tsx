import { Caption1, Subtitle2, makeStyles, tokens } from '@fluentui/react-components';
import { HorizontalBarChart, LineChart, type ChartProps } from '@fluentui/react-charts';
import { departmentWords, type Progress } from '../../../../src/domain/campaign';
import { formatDay } from '../../../../src/domain/display-dates';

const useStyles = makeStyles({
  figure: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS, margin: 0, minWidth: 0, overflow: 'hidden' },
  list: { margin: 0, paddingLeft: tokens.spacingHorizontalL, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXXS },
});

const noon = (day: string) => new Date(`${day}T12:00:00Z`);
/** Axis ticks are short ("23 Nov") so that they fit 320 px; the callouts and the sentence below give the full day. */
const tick = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });

/**
 * Cumulative signatures by day: from the launch day (none signed yet) to `lastDay` (today, or the day it
 * closed or its deadline), the running total held flat after the last day someone signed.
 */
export function CompletionOverTime({ byDay, launchDay, lastDay, total }: { byDay: Array<{ day: string; signed: number }>; launchDay: string; lastDay: string; total: number }) {
  const s = useStyles();
  const last = byDay[byDay.length - 1];
  const points = [
    ...(byDay[0]?.day !== launchDay ? [{ day: launchDay, signed: 0 }] : []),
    ...byDay,
    ...(lastDay > (last?.day ?? launchDay) ? [{ day: lastDay, signed: last?.signed ?? 0 }] : []),
  ];
  const words = last ? `${last.signed} of ${total} signed by ${formatDay(last.day)}.` : 'No one has signed yet.';
  const data: ChartProps = {
    chartTitle: 'Signatures over time',
    lineChartData: [{ legend: 'Signed (running total)', data: points.map((p) => ({ x: noon(p.day), y: p.signed, xAxisCalloutData: formatDay(p.day) })) }],
  };
  return (
    <figure className={s.figure} aria-label={`Completion over time. ${words}`}>
      <Subtitle2 as="h3">Completion over time</Subtitle2>
      {points.length > 1 ? (
        <LineChart data={data} height={220} yMinValue={0} yMaxValue={Math.max(total, 1)} hideLegend customDateTimeFormatter={(d) => tick.format(d)} />
      ) : null}
      <Caption1>{words}</Caption1>
    </figure>
  );
}

/** Each department's share signed, with its line in the status card's words beside it for screen readers and paper. */
export function CompletionByDepartment({ departments }: { departments: Progress['byDepartment'] }) {
  const s = useStyles();
  const data: ChartProps[] = departments.map((d) => ({
    chartTitle: d.department,
    chartData: [{ legend: 'Signed', horizontalBarChartdata: { x: d.signed, total: Math.max(d.total, 1) } }],
  }));
  return (
    <figure className={s.figure}>
      <Subtitle2 as="h3">By department</Subtitle2>
      <HorizontalBarChart data={data} chartDataMode="fraction" barHeight={12} hideTooltip />
      <ul className={s.list}>
        {departments.map((d) => (
          <li key={d.department}>
            <Caption1>
              <strong>{d.department}</strong>: {departmentWords(d)}
            </Caption1>
          </li>
        ))}
      </ul>
    </figure>
  );
}
