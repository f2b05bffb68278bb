import { Button, Field, Input, Select, makeStyles, tokens } from '@fluentui/react-components';
import { useState } from 'react';
import type { RequestList } from '../../../src/contract/approvals';
import { approvalsPaths, requestStatuses, statusLabels } from '../../../src/contract/approvals';
import { query } from '../api-client';
import { Page } from '../components/page';
import { RequestPage, RequestTable } from '../components/request-views';
import { Empty, Failed, Loading } from '../components/states';
import { Pager, useCursorPages } from '../components/pager';
import { useLoad } from '../components/use-load';
import type { PageProps } from './page-props';

const useStyles = makeStyles({
  filters: { display: 'flex', flexWrap: 'wrap', alignItems: 'flex-end', gap: tokens.spacingHorizontalM, minWidth: 0 },
  field: { minWidth: 0, flex: '1 1 10rem', maxWidth: '16rem' },
  search: { minWidth: 0, flex: '2 1 12rem', maxWidth: '24rem' },
  control: { width: '100%', minWidth: 0 },
});

const PAGE_SIZE = 25;

/**
 * Approvals: every request of the school, filtered and paged on the server,
 * and each request's page at #/approvals/<id>.
 */
export default function ApprovalsPage({ me, path, theme, navigate }: PageProps) {
  if (path[0]) return <RequestPage id={path[0]} timeZone={me.school.timeZone} theme={theme} back={() => navigate('approvals')} backLabel="Back to Approvals" />;
  return <RequestList {...{ me, path, theme, navigate }} />;
}

function RequestList({ me, navigate }: PageProps) {
  const s = useStyles();
  const [status, setStatus] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [q, setQ] = useState('');
  const [search, setSearch] = useState('');
  const pages = useCursorPages();
  const list = useLoad<RequestList>(`${approvalsPaths.requests}${query({ status, from, to, q: search, cursor: pages.cursor, limit: PAGE_SIZE })}`);
  const restart = pages.restart;

  return (
    <Page title="Approvals">
      <form
        className={s.filters}
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setSearch(q.trim());
          restart();
        }}
      >
        <Field label="Status" className={s.field}>
          <Select
            value={status}
            select={{ className: s.control }}
            onChange={(_, d) => {
              setStatus(d.value);
              restart();
            }}
          >
            <option value="">Any status</option>
            {requestStatuses.map((st) => (
              <option key={st} value={st}>
                {statusLabels[st]}
              </option>
            ))}
          </Select>
        </Field>
        <Field label="Submitted from" className={s.field}>
          <Input
            type="date"
            className={s.control}
            value={from}
            onChange={(_, d) => {
              setFrom(d.value);
              restart();
            }}
          />
        </Field>
        <Field label="Submitted to" className={s.field}>
          <Input
            type="date"
            className={s.control}
            value={to}
            onChange={(_, d) => {
              setTo(d.value);
              restart();
            }}
          />
        </Field>
        <Field label="Search account or requester" className={s.search}>
          <Input className={s.control} value={q} maxLength={200} onChange={(_, d) => setQ(d.value)} />
        </Field>
        <Button type="submit" appearance="primary">
          Search
        </Button>
      </form>

      {list.error && <Failed error={list.error} retry={list.reload} />}
      {list.loading && !list.data && <Loading label="Loading requests…" />}
      {list.data && list.data.items.length === 0 && (
        <Empty title={pages.onFirst ? 'No requests match.' : 'No more requests.'}>{status || from || to || search ? 'Try other filters.' : 'Requests appear here once someone asks for an account.'}</Empty>
      )}
      {list.data && list.data.items.length > 0 && (
        <RequestTable items={list.data.items} timeZone={me.school.timeZone} open={(id) => navigate(`approvals/${encodeURIComponent(id)}`)} caption="Requests of the school" />
      )}
      {list.data && <Pager pages={pages} next={list.data.next} label="Pages of requests" />}
    </Page>
  );
}
