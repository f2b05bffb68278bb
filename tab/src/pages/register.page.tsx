import {
  Badge,
  Body1,
  Button,
  Caption1,
  Checkbox,
  Combobox,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  Option,
  Select,
  Text,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useState, type FormEvent } from 'react';
import type { HandoverBody, RegisterAccount, RegisterList, StaffChoice } from '../../../src/contract/register';
import { formatDay, formatMoment } from '../../../src/domain/display-dates';
import { api, ApiFailure, fieldMessage as fieldError, query, unexplained as general } from '../api-client';
import { FormDialog } from '../components/form-dialog';
import { Page } from '../components/page';
import { ConfirmDialog } from '../components/confirm-go-live';
import { StackingTable, type StackingColumn } from '../components/stacking-table';
import { Empty, Failed, Loading } from '../components/states';
import { Pager, useCursorPages } from '../components/pager';
import { useLoad } from '../components/use-load';
import { useStaffSearch } from '../components/use-staff-search';
import type { PageProps } from './page-props';

const useStyles = makeStyles({
  stack: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXXS, minWidth: 0 },
  actions: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS },
  warnings: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS, minWidth: 0 },
  muted: { color: tokens.colorNeutralForeground3 },
  filters: { display: 'flex', flexWrap: 'wrap', alignItems: 'flex-end', gap: tokens.spacingHorizontalM, minWidth: 0 },
  search: { minWidth: 0, flex: '2 1 12rem', maxWidth: '24rem' },
  control: { width: '100%', minWidth: 0 },
  /** A badge whose text may wrap: Fluent's badge has a fixed height for one line. */
  warning: { height: 'auto', minHeight: '20px', whiteSpace: 'normal', textAlign: 'start', justifyContent: 'flex-start', paddingTop: tokens.spacingVerticalXXS, paddingBottom: tokens.spacingVerticalXXS },
});

function People({ people, left }: { people: RegisterAccount['administrators']; left: string[] }) {
  const s = useStyles();
  return (
    <div className={s.stack}>
      {people.map((p) => (
        <Text key={p.id || p.name}>
          {p.name}
          {left.includes(p.id) && (
            <>
              {' '}
              <Badge appearance="tint" color="danger" size="small">
                left
              </Badge>
            </>
          )}
        </Text>
      ))}
    </div>
  );
}

function HandoverDialog({ account, onClose, onSaved, onStale }: { account: RegisterAccount; onClose(): void; onSaved(a: RegisterAccount): void; onStale(): void }) {
  const [fromId, setFromId] = useState(account.administrators.find((p) => account.left.includes(p.id))?.id ?? account.administrators[0]?.id ?? '');
  const [q, setQ] = useState('');
  const found = useStaffSearch<StaffChoice>('/api/register/staff', q);
  const choices = found.choices.filter((c) => !account.administrators.some((p) => p.id === c.id));
  const [to, setTo] = useState<StaffChoice | undefined>();
  const [busy, setBusy] = useState(false);
  const [saveError, setError] = useState<ApiFailure | undefined>();
  const error = saveError ?? found.error;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const body: HandoverBody = { etag: account.etag, fromId, toId: to?.id ?? '' };
      onSaved(await api.post<RegisterAccount>(`/api/register/${encodeURIComponent(account.id)}/handover`, body));
    } catch (x) {
      setError(x as ApiFailure);
    } finally {
      setBusy(false);
    }
  };
  const other = general(error, ['fromId', 'toId']);
  return (
    <FormDialog title={`Hand over: ${account.platform}`} submitLabel="Hand over" busy={busy} submitDisabled={!to} onSubmit={submit} onClose={onClose}>
      <Body1>Replace an administrator who is leaving by another member of staff. The account keeps its two administrators.</Body1>
      {other && <Failed error={other} retry={other.status === 409 ? onStale : undefined} />}
      <Field label="Administrator leaving" required validationMessage={fieldError(error, 'fromId')}>
        <Select value={fromId} onChange={(_, d) => setFromId(d.value)}>
          {account.administrators.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
              {account.left.includes(p.id) ? ' (left)' : ''}
            </option>
          ))}
        </Select>
      </Field>
      <Field label="Taking over" required validationMessage={fieldError(error, 'toId')}>
        <Combobox
          placeholder="Search staff by name"
          freeform
          value={to ? to.name : q}
          onInput={(e) => {
            setTo(undefined);
            setQ((e.target as HTMLInputElement).value);
          }}
          onOptionSelect={(_, d) => setTo(choices.find((c) => c.id === d.optionValue))}
        >
          {choices.map((c) => (
            <Option key={c.id} value={c.id} text={c.name}>
              {c.name}, {c.jobTitle}
            </Option>
          ))}
        </Combobox>
      </Field>
    </FormDialog>
  );
}

/** Accounts a page: a school's whole register usually fits on one. */
const PAGE_SIZE = 25;

export default function RegisterPage({ me }: PageProps) {
  const s = useStyles();
  const [q, setQ] = useState('');
  const [search, setSearch] = useState('');
  const [attention, setAttention] = useState(false);
  const pages = useCursorPages();
  const { data, error, loading, reload } = useLoad<RegisterList>(`/api/register${query({ q: search, attention: attention ? 'true' : undefined, cursor: pages.cursor, limit: PAGE_SIZE })}`);
  const filtered = !!search || attention;
  const [open, setOpen] = useState<{ kind: 'confirm' | 'handover'; account: RegisterAccount } | undefined>();
  const [saved, setSaved] = useState<string | undefined>();
  const tz = me.school.timeZone;

  const columns: StackingColumn<RegisterAccount>[] = [
    {
      key: 'account',
      label: 'Account',
      render: (a) => (
        <div className={s.stack}>
          <Text weight="semibold">{a.platform}</Text>
          <Text>{a.host}</Text>
          <Caption1 className={s.muted}>
            {a.department} · {a.reference}
          </Caption1>
        </div>
      ),
    },
    { key: 'admins', label: 'Administrators', render: (a) => <People people={a.administrators} left={a.left} /> },
    { key: 'mods', label: 'Moderators', render: (a) => <People people={a.moderators} left={a.left} /> },
    {
      key: 'golive',
      label: 'Go-live',
      render: (a) => (
        <div className={s.stack}>
          <Text>{formatDay(a.goLive)}</Text>
          {a.confirmation ? (
            <Caption1>
              Live on {formatDay(a.confirmation.liveOn)}; login held by {a.confirmation.networkManagerName} (confirmed by {a.confirmation.byName}, {formatMoment(a.confirmation.at, tz)})
            </Caption1>
          ) : (
            <Caption1 className={s.muted}>Not confirmed yet</Caption1>
          )}
        </div>
      ),
    },
    { key: 'closure', label: 'Closure', render: (a) => <Text>{a.closure ? formatDay(a.closure) : 'No closure date'}</Text> },
    { key: 'review', label: 'Review', render: (a) => <Text>{formatDay(a.reviewDate)}</Text> },
    {
      key: 'warnings',
      label: 'Warnings',
      render: (a) =>
        a.warnings.length ? (
          <div className={s.warnings}>
            {a.warnings.map((w) => (
              <Badge key={w.kind} className={s.warning} appearance="tint" color={w.kind.endsWith('Past') || w.kind.startsWith('few') ? 'danger' : 'warning'} shape="rounded">
                {w.message}
              </Badge>
            ))}
          </div>
        ) : (
          <Caption1 className={s.muted}>None</Caption1>
        ),
    },
    {
      key: 'actions',
      label: 'Actions',
      render: (a) =>
        a.may.confirm || a.may.handover ? (
          <div className={s.actions}>
            {a.may.confirm && (
              <Button size="small" onClick={() => setOpen({ kind: 'confirm', account: a })} aria-label={`Confirm go-live of ${a.platform} (${a.reference})`}>
                Confirm go-live
              </Button>
            )}
            {a.may.handover && (
              <Button size="small" onClick={() => setOpen({ kind: 'handover', account: a })} aria-label={`Hand over ${a.platform} (${a.reference})`}>
                Hand over
              </Button>
            )}
          </div>
        ) : (
          <Caption1 className={s.muted}>None for you</Caption1>
        ),
    },
  ];

  const done = (a: RegisterAccount, what: string) => {
    setOpen(undefined);
    setSaved(`${what}: ${a.platform} (${a.reference}).`);
    reload();
  };

  // Someone changed the account meanwhile: show the register as it is now; the person starts again from there.
  const stale = () => {
    setOpen(undefined);
    reload();
  };

  return (
    <Page title="Account register">
      <Body1>Every approved school social media account. The review date is a year after final approval, when the annual review reminder is sent.</Body1>
      {saved && (
        <MessageBar intent="success">
          <MessageBarBody>{saved}</MessageBarBody>
        </MessageBar>
      )}
      {error && <Failed error={error} retry={reload} />}
      {loading && !data && <Loading label="Loading the register…" />}
      {(filtered || !!data?.items.length) && (
        <form
          className={s.filters}
          role="search"
          onSubmit={(e) => {
            e.preventDefault();
            setSearch(q.trim());
            pages.restart();
          }}
        >
          <Field label="Search platform, address, department or person" className={s.search}>
            <Input className={s.control} value={q} maxLength={200} onChange={(_, d) => setQ(d.value)} />
          </Field>
          <Button type="submit" appearance="primary">
            Search
          </Button>
          <Checkbox
            label="Only accounts with a warning"
            checked={attention}
            onChange={(_, d) => {
              setAttention(!!d.checked);
              pages.restart();
            }}
          />
        </form>
      )}
      {data && data.items.length === 0 && (
        <Empty title={filtered ? 'No accounts match.' : 'No accounts yet.'}>
          {filtered ? 'Try other words, or show every account.' : 'An account enters the register when the head teacher approves its request.'}
        </Empty>
      )}
      {data && data.items.length > 0 && (
        <>
          <Caption1 className={s.muted} role="status">
            {data.total === 1 ? '1 account' : `${data.total} accounts`}
            {filtered ? ' match' : ' in the register'}
            {data.total !== undefined && data.total > data.items.length ? `; this page shows ${data.items.length}` : ''}.
          </Caption1>
          <StackingTable label="Approved accounts" columns={columns} rows={data.items} rowKey={(a) => a.id} />
        </>
      )}
      {data && <Pager pages={pages} next={data.next} label="Pages of the register" />}
      {open?.kind === 'confirm' && <ConfirmDialog account={open.account} onClose={() => setOpen(undefined)} onSaved={(a) => done(a, 'Go-live confirmed')} onStale={stale} />}
      {open?.kind === 'handover' && <HandoverDialog account={open.account} onClose={() => setOpen(undefined)} onSaved={(a) => done(a, 'Handed over')} onStale={stale} />}
    </Page>
  );
}
