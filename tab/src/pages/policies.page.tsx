import {
  Badge,
  Body1,
  Button,
  Caption1,
  Card,
  Checkbox,
  Combobox,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Field,
  Input,
  Link,
  MessageBar,
  MessageBarBody,
  Option,
  Subtitle1,
  Text,
  Textarea,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useState, type FormEvent } from 'react';
import type { PoliciesList, PolicySummary, PolicyVersionRow, PublishVersionBody } from '../../../src/contract/policies';
import { settingsPaths, type PersonRoles } from '../../../src/contract/settings';
import { formatDay, formatMoment } from '../../../src/domain/display-dates';
import { api, ApiFailure, fieldMessage, query } from '../api-client';
import { Page } from '../components/page';
import { ReceiptDialog } from '../components/receipt-dialog';
import { useStaffSearch } from '../components/use-staff-search';
import { StackingTable, type StackingColumn } from '../components/stacking-table';
import { Empty, Failed, Loading } from '../components/states';
import { Pager, useCursorPages } from '../components/pager';
import { useLoad } from '../components/use-load';
import type { PageProps } from './page-props';

const useStyles = makeStyles({
  policy: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, minWidth: 0 },
  head: { display: 'flex', flexWrap: 'wrap', alignItems: 'center', justifyContent: 'space-between', gap: tokens.spacingHorizontalM },
  stack: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXXS, minWidth: 0 },
  hash: { fontFamily: tokens.fontFamilyMonospace, overflowWrap: 'anywhere', wordBreak: 'break-all' },
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, minWidth: 0 },
  dates: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalM, '& > *': { flex: '1 1 140px', minWidth: 0 } },
  surface: { maxWidth: 'min(640px, calc(100vw - 32px))', boxSizing: 'border-box' },
  muted: { color: tokens.colorNeutralForeground3 },
  summary: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS, minWidth: 0, overflowWrap: 'anywhere' },
  meterTrack: { height: '6px', borderRadius: tokens.borderRadiusMedium, backgroundColor: tokens.colorNeutralBackground5, overflow: 'hidden', minWidth: '80px' },
  meterFill: { height: '100%', backgroundColor: tokens.colorBrandBackground },
});

/**
 * How many have signed, as a bar. A measurement, not progress of a task: role
 * "meter" (ARIA 1.2), so nothing takes it for a loading indicator.
 */
function Coverage({ signed, of, label }: { signed: number; of: number; label: string }) {
  const s = useStyles();
  const pct = percent(signed, of);
  return (
    <div className={s.stack}>
      <div className={s.meterTrack} role="meter" aria-valuemin={0} aria-valuemax={of} aria-valuenow={signed} aria-valuetext={`${signed} of ${of} staff signed`} aria-label={label}>
        <div className={s.meterFill} style={{ width: `${pct}%` }} />
      </div>
      <Caption1>
        {signed} of {of} staff ({pct}%)
      </Caption1>
    </div>
  );
}

const percent = (signed: number, of: number) => (of ? Math.round((signed / of) * 100) : 0);

const FIELDS = ['title', 'versionLabel', 'effectiveDate', 'reviewDate', 'documentUrl', 'summary', 'statements', 'requireOpenBeforeSign'] as const;
type FormField = (typeof FIELDS)[number];

/** The message for a form field, with the line for one of the statements (`statements.2`). */
function fieldError(error: ApiFailure | undefined, field: FormField): string | undefined {
  const message = fieldMessage(error, field);
  const named = error?.body.field;
  return message && named?.startsWith(`${field}.`) && !error?.body.fields?.[field] ? `${message} (line ${Number(named.slice(field.length + 1)) + 1})` : message;
}

interface Draft {
  title: string;
  versionLabel: string;
  effectiveDate: string;
  reviewDate: string;
  documentUrl: string;
  summary: string;
  statements: string;
  requireOpenBeforeSign: boolean;
}

/** The form, pre-filled from the newest version so a new version starts from the last one's text. */
function PublishDialog({ policy, onClose, onPublished }: { policy: PolicySummary; onClose(): void; onPublished(v: PolicyVersionRow): void }) {
  const s = useStyles();
  const last = policy.versions[0];
  const [d, setD] = useState<Draft>({
    title: last?.title ?? policy.name,
    versionLabel: '',
    effectiveDate: '',
    reviewDate: '',
    documentUrl: last?.documentUrl ?? '',
    summary: last?.summary ?? '',
    statements: (last?.statements ?? []).join('\n'),
    requireOpenBeforeSign: last?.requireOpenBeforeSign ?? false,
  });
  /** The version as the server checked it (its hash), awaiting "Publish and freeze"; undefined while editing. */
  const [checked, setChecked] = useState<PolicyVersionRow | undefined>();
  const checking = !!checked;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiFailure | undefined>();
  const set = <K extends keyof Draft>(k: K) => (v: Draft[K]) => setD((x) => ({ ...x, [k]: v }));
  const body = (): PublishVersionBody => ({
    title: d.title,
    versionLabel: d.versionLabel,
    effectiveDate: d.effectiveDate,
    ...(d.reviewDate ? { reviewDate: d.reviewDate } : {}),
    documentUrl: d.documentUrl,
    summary: d.summary,
    statements: d.statements.split('\n').filter((line) => line.trim() !== ''),
    requireOpenBeforeSign: d.requireOpenBeforeSign,
  });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    const path = `/api/policies/${encodeURIComponent(policy.id)}/versions`;
    try {
      // First press: the server checks the form and answers the hash it would freeze; the second publishes (checked again).
      if (!checked) setChecked(await api.post<PolicyVersionRow>(path, { ...body(), dryRun: true }));
      else onPublished(await api.post<PolicyVersionRow>(path, body()));
    } catch (x) {
      setError(x as ApiFailure);
      setChecked(undefined);
    } finally {
      setBusy(false);
    }
  };
  const other = error && !FIELDS.some((f) => fieldError(error, f)) ? error : undefined;
  const text = (field: 'title' | 'versionLabel' | 'documentUrl', label: string, type: 'text' | 'url' = 'text') => (
    <Field label={label} required validationMessage={fieldError(error, field)}>
      <Input type={type} value={d[field]} onChange={(_, v) => set(field)(v.value)} disabled={checking} />
    </Field>
  );
  return (
    <Dialog open onOpenChange={(_, o) => !o.open && onClose()}>
      <DialogSurface className={s.surface}>
        <form onSubmit={submit}>
          <DialogBody>
            <DialogTitle>Publish a new version of {policy.name}</DialogTitle>
            <DialogContent className={s.form}>
              {other && <Failed error={other} />}
              {text('title', 'Title')}
              {text('versionLabel', 'Version label (e.g. 2027-28)')}
              <div className={s.dates}>
                <Field label="Effective from" required validationMessage={fieldError(error, 'effectiveDate')}>
                  <Input type="date" value={d.effectiveDate} onChange={(_, v) => set('effectiveDate')(v.value)} disabled={checking} />
                </Field>
                <Field label="Review by" hint="Optional: a year on if left empty" validationMessage={fieldError(error, 'reviewDate')}>
                  <Input type="date" value={d.reviewDate} onChange={(_, v) => set('reviewDate')(v.value)} disabled={checking} />
                </Field>
              </div>
              {text('documentUrl', 'Link to the full document (https)', 'url')}
              <Field label="Summary" required validationMessage={fieldError(error, 'summary')}>
                <Textarea value={d.summary} onChange={(_, v) => set('summary')(v.value)} resize="vertical" disabled={checking} />
              </Field>
              <Field label="Statements staff agree to" hint="One a line, e.g. “I will …”" required validationMessage={fieldError(error, 'statements')}>
                <Textarea value={d.statements} onChange={(_, v) => set('statements')(v.value)} resize="vertical" rows={5} disabled={checking} />
              </Field>
              <Checkbox checked={d.requireOpenBeforeSign} onChange={(_, v) => set('requireOpenBeforeSign')(!!v.checked)} label="Staff must open the full document before signing" disabled={checking} />
              {checking && (
                <MessageBar intent="warning">
                  <MessageBarBody>
                    The form is in order. Its content hash will be <span className={s.hash}>{checked?.contentHash}</span>. Once published, this version cannot be changed: a correction is a new version, and staff sign it again. Publish it now?
                  </MessageBarBody>
                </MessageBar>
              )}
            </DialogContent>
            <DialogActions>
              <Button appearance="secondary" onClick={checking ? () => setChecked(undefined) : onClose} disabled={busy}>
                {checking ? 'Back to editing' : 'Cancel'}
              </Button>
              <Button appearance="primary" type="submit" disabled={busy}>
                {busy ? (checking ? 'Publishing…' : 'Checking…') : checking ? 'Publish and freeze' : 'Check'}
              </Button>
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}

/**
 * A signature's receipt for anyone at the school: find the person, then the receipt (the server checks that
 * the one asking is a policy admin of the person's school, and says so when the person has not signed).
 */
function ReceiptFinder({ version, onClose }: { version: PolicyVersionRow; onClose(): void }) {
  const s = useStyles();
  const [q, setQ] = useState('');
  const [person, setPerson] = useState<PersonRoles | undefined>();
  const { choices, error } = useStaffSearch<PersonRoles>(settingsPaths.people, q, { whenEmpty: false });
  if (person) return <ReceiptDialog versionId={version.id} person={person.id} title={`Receipt: ${person.name}, version ${version.versionLabel}`} onClose={onClose} />;
  return (
    <Dialog open onOpenChange={(_, o) => !o.open && onClose()}>
      <DialogSurface className={s.surface}>
        <DialogBody>
          <DialogTitle>Receipt of a signature of {version.versionLabel}</DialogTitle>
          <DialogContent className={s.form}>
            <Field label="Whose signature?" hint="Search the staff list by name or e-mail." validationMessage={fieldMessage(error, 'q')}>
              <Combobox
                placeholder="Name or e-mail"
                freeform
                value={q}
                onInput={(e) => setQ((e.target as HTMLInputElement).value)}
                onOptionSelect={(_, d) => setPerson(choices.find((c) => c.id === d.optionValue))}
              >
                {choices.map((c) => (
                  <Option key={c.id} value={c.id} text={c.name}>
                    {`${c.name}, ${c.jobTitle}`}
                  </Option>
                ))}
              </Combobox>
            </Field>
          </DialogContent>
          <DialogActions>
            <Button appearance="secondary" onClick={onClose}>
              Cancel
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}

function PolicyCard({ policy, timeZone, onPublish, onReceipt }: { policy: PolicySummary; timeZone: string; onPublish(): void; onReceipt(v: PolicyVersionRow): void }) {
  const s = useStyles();
  const columns: StackingColumn<PolicyVersionRow>[] = [
    {
      key: 'version',
      label: 'Version',
      render: (v) => (
        <div className={s.stack}>
          <Text weight="semibold">
            {v.versionLabel}{' '}
            {v.current && (
              <Badge appearance="tint" color="success">
                current
              </Badge>
            )}
          </Text>
          <Text>{v.title}</Text>
          <Link href={v.documentUrl} target="_blank" rel="noopener noreferrer">
            Full document
          </Link>
        </div>
      ),
    },
    {
      key: 'dates',
      label: 'Dates',
      render: (v) => (
        <div className={s.stack}>
          <Text>Effective {formatDay(v.effectiveDate)}</Text>
          <Caption1>Review by {formatDay(v.reviewDate)}</Caption1>
          <Caption1 className={s.muted}>Published {formatMoment(v.publishedAt, timeZone)}</Caption1>
        </div>
      ),
    },
    {
      key: 'hash',
      label: 'Content hash (SHA-256)',
      render: (v) => (
        <Caption1 className={s.hash} title={v.contentHash}>
          {v.contentHash}
        </Caption1>
      ),
    },
    {
      key: 'coverage',
      label: 'Signed',
      render: (v) => (
        <div className={s.stack}>
          <Coverage signed={v.signed} of={policy.staffCount} label={`${v.versionLabel}: signatures`} />
          {v.signed > 0 && (
            <div>
              <Button size="small" onClick={() => onReceipt(v)} aria-label={`A receipt of someone’s signature of ${policy.name}, version ${v.versionLabel}`}>
                Receipt…
              </Button>
            </div>
          )}
        </div>
      ),
    },
  ];
  return (
    <Card className={s.policy}>
      <div className={s.head}>
        <Subtitle1 as="h2">{policy.name}</Subtitle1>
        <Button appearance="primary" onClick={onPublish} aria-label={`Publish a new version of ${policy.name}`}>
          Publish a new version
        </Button>
      </div>
      {policy.versions.length ? <StackingTable label={`Versions of ${policy.name}`} columns={columns} rows={policy.versions} rowKey={(v) => v.id} /> : <Empty title="No versions yet." />}
    </Card>
  );
}

export default function PoliciesPage({ me }: PageProps) {
  const s = useStyles();
  const pages = useCursorPages();
  const { data, error, loading, reload } = useLoad<PoliciesList>(`/api/policies${query({ cursor: pages.cursor })}`);
  const [publishing, setPublishing] = useState<PolicySummary | undefined>();
  const [published, setPublished] = useState<PolicyVersionRow | undefined>();
  const [receiptOf, setReceiptOf] = useState<PolicyVersionRow | undefined>();
  return (
    <Page title="Policies">
      <div className={s.summary}>
        <Body1>Each published version is frozen; its content hash is stored with every signature. Coverage counts the staff on the list today.</Body1>
      </div>
      {published && (
        <MessageBar intent="success">
          <MessageBarBody>
            Published {published.versionLabel}. Its content hash is {published.contentHash.slice(0, 12)}…
          </MessageBarBody>
        </MessageBar>
      )}
      {error && <Failed error={error} retry={reload} />}
      {loading && !data && <Loading label="Loading policies…" />}
      {data && data.items.length === 0 && <Empty title="No policies yet.">Policies appear here once a first version is published.</Empty>}
      {data?.items.map((p) => <PolicyCard key={p.id} policy={p} timeZone={me.school.timeZone} onPublish={() => setPublishing(p)} onReceipt={setReceiptOf} />)}
      {data && <Pager pages={pages} next={data.next} label="Pages of policies" />}
      {receiptOf && <ReceiptFinder version={receiptOf} onClose={() => setReceiptOf(undefined)} />}
      {publishing && (
        <PublishDialog
          policy={publishing}
          onClose={() => setPublishing(undefined)}
          onPublished={(v) => {
            setPublishing(undefined);
            setPublished(v);
            reload();
          }}
        />
      )}
    </Page>
  );
}
