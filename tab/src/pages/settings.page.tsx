import {
  Badge,
  Body1,
  Button,
  Caption1,
  Checkbox,
  Combobox,
  Field,
  MessageBar,
  MessageBarBody,
  Option,
  Subtitle2,
  Text,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useState, type FormEvent } from 'react';
import { settingsPaths, type PersonRoles, type RoleInfo, type RolesOverview, type SetRolesBody, type SubjectAccessAnswer, type SubjectAccessBody } from '../../../src/contract/settings';
import { formatDay } from '../../../src/domain/display-dates';
import type { SchoolRole } from '../../../src/domain/people';
import { api, ApiFailure, fieldMessage, unexplained } from '../api-client';
import { FormDialog } from '../components/form-dialog';
import { Page } from '../components/page';
import { StackingTable, type StackingColumn } from '../components/stacking-table';
import { Failed, Loading } from '../components/states';
import { useLoad } from '../components/use-load';
import { useStaffSearch } from '../components/use-staff-search';
import type { PageProps } from './page-props';

const useStyles = makeStyles({
  section: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS, minWidth: 0 },
  stack: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXXS, minWidth: 0 },
  badges: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalXS, minWidth: 0 },
  roleList: { listStyle: 'none', margin: 0, padding: 0, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS, minWidth: 0 },
  muted: { color: tokens.colorNeutralForeground3 },
  find: { display: 'flex', flexWrap: 'wrap', alignItems: 'flex-end', gap: tokens.spacingHorizontalM, minWidth: 0 },
  findField: { minWidth: 0, flex: '1 1 14rem', maxWidth: '24rem' },
  wrap: { overflowWrap: 'anywhere' },
  roles: {
    display: 'flex',
    flexDirection: 'column',
    minWidth: 0,
    margin: 0,
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalS}`,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke1}`,
    borderRadius: tokens.borderRadiusMedium,
  },
  error: { color: tokens.colorPaletteRedForeground1 },
  actions: { display: 'flex', flexWrap: 'wrap', alignItems: 'center', gap: tokens.spacingHorizontalS, minWidth: 0 },
  counts: { margin: 0, paddingLeft: tokens.spacingHorizontalL, minWidth: 0 },
});

/** Saves text as a file in the browser: the export is already in hand, so no second (audited) request. */
function saveFile(name: string, text: string, type: string) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * A subject access request (UK GDPR, Article 15): find the person (leavers too), export everything
 * Countersign holds about them, then save it as JSON and as CSV. Each export is recorded in the audit trail.
 */
function SubjectAccess() {
  const s = useStyles();
  const [q, setQ] = useState('');
  const [chosen, setChosen] = useState<PersonRoles | undefined>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiFailure | undefined>();
  const [done, setDone] = useState<SubjectAccessAnswer | undefined>();
  const { choices, error: searchError } = useStaffSearch<PersonRoles>(settingsPaths.subjectAccessPeople, q, { whenEmpty: false });
  const run = async () => {
    if (!chosen) return;
    setBusy(true);
    setError(undefined);
    setDone(undefined);
    try {
      const body: SubjectAccessBody = { personId: chosen.id };
      setDone(await api.post<SubjectAccessAnswer>(settingsPaths.subjectAccess, body));
    } catch (x) {
      setError(x as ApiFailure);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className={s.section} aria-labelledby="settings-subject-access">
      <Subtitle2 as="h2" id="settings-subject-access">
        Subject access request
      </Subtitle2>
      <Body1>
        Everything Countersign holds about one person, for a request under UK GDPR: their staff record, requests, decisions, signatures, campaign records and audit entries. Other people’s answers are left out. Each export is recorded in the audit trail.
      </Body1>
      <div className={s.find}>
        <Field label="Person" hint="Search by name or e-mail; people who have left are included." className={s.findField} validationMessage={fieldMessage(searchError, 'q') ?? fieldMessage(error, 'personId')}>
          <Combobox
            placeholder="Name or e-mail"
            freeform
            value={q}
            onInput={(e) => {
              setQ((e.target as HTMLInputElement).value);
              setChosen(undefined);
              setDone(undefined);
            }}
            onOptionSelect={(_, d) => {
              const p = choices.find((c) => c.id === d.optionValue);
              if (!p) return;
              setChosen(p);
              setQ(p.name);
              setDone(undefined);
              setError(undefined);
            }}
          >
            {choices.map((c) => (
              <Option key={c.id} value={c.id} text={c.name}>
                {`${c.name}, ${c.jobTitle}${c.leftOn ? ` (left ${formatDay(c.leftOn)})` : ''}`}
              </Option>
            ))}
          </Combobox>
        </Field>
        <Button appearance="primary" disabled={!chosen || busy} onClick={run} aria-label={chosen ? `Export the data of ${chosen.name}` : 'Export the data of the chosen person'}>
          {busy ? 'Exporting…' : 'Export their data'}
        </Button>
      </div>
      {error && !fieldMessage(error, 'personId') && <Failed error={error} retry={run} />}
      {done && (
        <MessageBar intent="success">
          <MessageBarBody className={s.stack}>
            <Text className={s.wrap}>{`Exported the data of ${done.person.name}${done.person.email ? ` (${done.person.email})` : ''}.`}</Text>
            <ul className={s.counts}>
              {done.counts.map((c) => (
                <li key={c.kind}>{`${c.kind}: ${c.count}`}</li>
              ))}
            </ul>
            <div className={s.actions}>
              <Button onClick={() => saveFile(`${done.fileBase}.json`, done.json, 'application/json')} aria-label={`Download the data of ${done.person.name} as JSON`}>
                Download JSON
              </Button>
              <Button onClick={() => saveFile(`${done.fileBase}.csv`, done.csv, 'text/csv;charset=utf-8')} aria-label={`Download the data of ${done.person.name} as CSV`}>
                Download CSV
              </Button>
            </div>
            <Caption1>The files hold personal data: send them to the person securely, and delete your copies when the request is answered.</Caption1>
          </MessageBarBody>
        </MessageBar>
      )}
    </section>
  );
}

/** Who holds each role, in a sentence an admin reads at a glance; a role approvals need and nobody holds is said plainly. */
function RoleSummary({ info, holders }: { info: RoleInfo; holders: PersonRoles[] }) {
  const s = useStyles();
  const names = holders.filter((h) => h.roles.includes(info.role)).map((h) => h.name);
  return (
    <li className={s.stack}>
      <Text weight="semibold">{info.label}</Text>
      {names.length ? <Text className={s.wrap}>{names.join(', ')}</Text> : info.singleHolder ? <Text>Nobody yet: approvals that need this role cannot be routed.</Text> : <Text className={s.muted}>Nobody</Text>}
      <Caption1 className={s.muted}>{info.duties}</Caption1>
    </li>
  );
}

function RolesDialog({ person, roles, onClose, onSaved }: { person: PersonRoles; roles: RoleInfo[]; onClose(): void; onSaved(p: PersonRoles): void }) {
  const s = useStyles();
  const [chosen, setChosen] = useState<SchoolRole[]>(person.roles);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiFailure | undefined>();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const body: SetRolesBody = { roles: chosen };
      onSaved(await api.put<PersonRoles>(settingsPaths.personRoles(person.id), body));
    } catch (x) {
      setError(x as ApiFailure);
      setBusy(false);
    }
  };
  const other = unexplained(error, ['roles']);
  const rolesError = fieldMessage(error, 'roles');
  return (
    <FormDialog title={`Roles of ${person.name}`} submitLabel="Save roles" busy={busy} onSubmit={submit} onClose={onClose}>
      <Body1>
        {person.jobTitle}, {person.department}. A change applies at once: their next action is checked with these roles.
      </Body1>
      {other && <Failed error={other} />}
      {/* A fieldset, not a Field: a Field gives its one control id to every checkbox inside it, so each label would tick the first. */}
      <fieldset className={s.roles} aria-describedby={rolesError ? 'settings-roles-error' : undefined}>
        <legend>Roles</legend>
        {roles.map((r) => (
          <Checkbox
            key={r.role}
            checked={chosen.includes(r.role)}
            label={`${r.label}: ${r.duties}`}
            onChange={(_, d) => setChosen((c) => (d.checked ? [...c, r.role] : c.filter((x) => x !== r.role)))}
          />
        ))}
      </fieldset>
      {rolesError && (
        <Text id="settings-roles-error" role="alert" className={s.error}>
          {rolesError}
        </Text>
      )}
    </FormDialog>
  );
}

/** Search the staff list for someone to give a role to. */
function FindPerson({ onPick }: { onPick(p: PersonRoles): void }) {
  const s = useStyles();
  const [q, setQ] = useState('');
  const { choices, error } = useStaffSearch<PersonRoles>(settingsPaths.people, q, { whenEmpty: false });
  return (
    <div className={s.find}>
      <Field label="Give someone a role" hint="Search the staff list by name or e-mail." className={s.findField} validationMessage={fieldMessage(error, 'q')}>
        <Combobox
          placeholder="Name or e-mail"
          freeform
          value={q}
          onInput={(e) => setQ((e.target as HTMLInputElement).value)}
          onOptionSelect={(_, d) => {
            const p = choices.find((c) => c.id === d.optionValue);
            if (p) onPick(p);
          }}
        >
          {choices.map((c) => (
            <Option key={c.id} value={c.id} text={c.name}>
              {c.name}, {c.jobTitle}
            </Option>
          ))}
        </Combobox>
      </Field>
    </div>
  );
}

/** Settings (policy admins): who holds each role, and changing anyone's roles. */
export default function SettingsPage(_: PageProps) {
  const s = useStyles();
  const { data, error, loading, reload } = useLoad<RolesOverview>(settingsPaths.roles);
  const [editing, setEditing] = useState<PersonRoles | undefined>();
  const [saved, setSaved] = useState<string | undefined>();

  const label = (role: SchoolRole) => data?.roles.find((r) => r.role === role)?.label ?? role;
  const columns: StackingColumn<PersonRoles>[] = [
    {
      key: 'person',
      label: 'Person',
      render: (p) => (
        <div className={s.stack}>
          <Text weight="semibold">{p.name}</Text>
          <Caption1 className={s.muted}>
            {p.jobTitle}, {p.department}
          </Caption1>
        </div>
      ),
    },
    {
      key: 'roles',
      label: 'Roles',
      render: (p) => (
        <div className={s.badges}>
          {p.roles.map((r) => (
            <Badge key={r} appearance="tint" shape="rounded">
              {label(r)}
            </Badge>
          ))}
        </div>
      ),
    },
    {
      key: 'change',
      label: 'Change',
      render: (p) => (
        <Button size="small" onClick={() => setEditing(p)} aria-label={`Change the roles of ${p.name}`}>
          Change roles
        </Button>
      ),
    },
  ];

  return (
    <Page title="Settings">
      <Body1>Roles decide who approves account requests, who keeps the account register and who runs campaigns. Only policy admins can change them.</Body1>
      {saved && (
        <MessageBar intent="success">
          <MessageBarBody>{saved}</MessageBarBody>
        </MessageBar>
      )}
      {error && <Failed error={error} retry={reload} />}
      {loading && !data && <Loading label="Loading the roles…" />}
      {data && (
        <>
          <section className={s.section} aria-labelledby="settings-roles">
            <Subtitle2 as="h2" id="settings-roles">
              Who holds each role
            </Subtitle2>
            <ul className={s.roleList}>
              {data.roles.map((r) => (
                <RoleSummary key={r.role} info={r} holders={data.holders} />
              ))}
            </ul>
          </section>
          <section className={s.section} aria-labelledby="settings-people">
            <Subtitle2 as="h2" id="settings-people">
              People with a role
            </Subtitle2>
            <FindPerson onPick={setEditing} />
            <StackingTable label="People with a role" columns={columns} rows={data.holders} rowKey={(p) => p.id} />
          </section>
          <SubjectAccess />
        </>
      )}
      {editing && data && (
        <RolesDialog
          person={editing}
          roles={data.roles}
          onClose={() => setEditing(undefined)}
          onSaved={(p) => {
            setEditing(undefined);
            setSaved(p.roles.length ? `${p.name} now holds: ${p.roles.map(label).join(', ')}.` : `${p.name} now holds no role.`);
            reload();
          }}
        />
      )}
    </Page>
  );
}
