import { Body1, Button, Caption1, Field, Select, Spinner, Subtitle2, makeStyles, tokens } from '@fluentui/react-components';
import { useEffect, useRef, useState } from 'react';
import type { ListPage } from '../../../../src/contract/api';
import { campaignPaths, type NotSignedRow } from '../../../../src/contract/campaigns';
import { formatMoment } from '../../../../src/domain/display-dates';
import { api, query, type ApiFailure } from '../../api-client';
import { Empty, Failed } from '../../components/states';

const useStyles = makeStyles({
  section: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, minWidth: 0 },
  filter: { maxWidth: '320px', minWidth: 0 },
  select: { width: '100%', minWidth: 0 },
  list: { listStyle: 'none', margin: 0, padding: 0, display: 'flex', flexDirection: 'column', minWidth: 0 },
  row: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'baseline',
    columnGap: tokens.spacingHorizontalL,
    rowGap: tokens.spacingVerticalXXS,
    padding: `${tokens.spacingVerticalS} 0`,
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    minWidth: 0,
  },
  name: { flex: '1 1 180px', minWidth: 0, overflowWrap: 'anywhere', fontWeight: tokens.fontWeightSemibold },
  cell: { flex: '1 1 140px', minWidth: 0, overflowWrap: 'anywhere' },
});

const PAGE = 25;

/**
 * The named list of who has not signed, a page at a time from the server (cursor), optionally one
 * department. It starts again from the first page when the signed count changes (someone signed).
 */
export function NotSignedList({ campaignId, departments, signed, timeZone }: { campaignId: string; departments: string[]; signed: number; timeZone: string }) {
  const s = useStyles();
  const [department, setDepartment] = useState('');
  const [rows, setRows] = useState<NotSignedRow[]>([]);
  const [next, setNext] = useState<string | undefined>();
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<ApiFailure | undefined>();
  const seq = useRef(0);

  const load = async (cursor: string | undefined) => {
    const mine = ++seq.current;
    setLoading(true);
    setError(undefined);
    try {
      const page = await api.get<ListPage<NotSignedRow>>(`${campaignPaths.notSigned(campaignId)}${query({ department, cursor, limit: PAGE })}`);
      if (mine !== seq.current) return;
      setRows((r) => (cursor ? [...r, ...page.items] : page.items));
      setNext(page.next);
    } catch (e) {
      if (mine === seq.current) setError(e as ApiFailure);
    } finally {
      if (mine === seq.current) setLoading(false);
    }
  };

  useEffect(() => {
    setRows([]);
    setNext(undefined);
    void load(undefined);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [campaignId, department, signed]);

  return (
    <section className={s.section} aria-labelledby="not-signed-title" data-print="hide">
      <Subtitle2 as="h2" id="not-signed-title">
        Who has not signed
      </Subtitle2>
      <Field label="Department" className={s.filter}>
        <Select value={department} select={{ className: s.select }} onChange={(_, d) => setDepartment(d.value)}>
          <option value="">All departments</option>
          {departments.map((d) => (
            <option key={d} value={d}>
              {d}
            </option>
          ))}
        </Select>
      </Field>
      {error && <Failed error={error} retry={() => void load(rows.length ? next : undefined)} />}
      {!loading && !error && rows.length === 0 && <Empty title={department ? `Everyone in ${department} has signed.` : 'Everyone has signed.'} />}
      {rows.length > 0 && (
        <ul className={s.list} aria-label={department ? `Not signed in ${department}` : 'Not signed'}>
          {rows.map((r) => (
            <li key={r.userId} className={s.row}>
              <Body1 className={s.name}>{r.name}</Body1>
              <Caption1 className={s.cell}>{r.department}</Caption1>
              <Caption1 className={s.cell}>{r.status}</Caption1>
              <Caption1 className={s.cell}>
                {r.remindersSent === 0 ? 'No reminders yet' : r.remindersSent === 1 ? '1 reminder' : `${r.remindersSent} reminders`}
                {r.sentAt ? `; card sent ${formatMoment(r.sentAt, timeZone)}` : ''}
              </Caption1>
            </li>
          ))}
        </ul>
      )}
      {loading && <Spinner size="small" label="Loading names…" />}
      {!loading && next && (
        <div>
          <Button onClick={() => void load(next)}>Show more</Button>
        </div>
      )}
    </section>
  );
}
