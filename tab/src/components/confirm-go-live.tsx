import { Body1, Checkbox, Field, Input } from '@fluentui/react-components';
import { useState, type FormEvent } from 'react';
import type { ConfirmGoLiveBody, RegisterAccount } from '../../../src/contract/register';
import { GO_LIVE_FIELD_LABELS as L } from '../../../src/domain/account-register';
import { api, fieldMessage as fieldError, unexplained as general, type ApiFailure } from '../api-client';
import { FormDialog } from './form-dialog';
import { Failed } from './states';

/** An account's administrator confirms it went live and that the network manager holds its login (a tick and a name, never a password). */
export function ConfirmDialog({ account, onClose, onSaved, onStale }: { account: RegisterAccount; onClose(): void; onSaved(a: RegisterAccount): void; onStale(): void }) {
  const [liveOn, setLiveOn] = useState(account.goLive);
  const [live, setLive] = useState(false);
  const [held, setHeld] = useState(false);
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiFailure | undefined>();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      // Ticks as given: the server refuses an unticked box by name, so the person sees which one.
      const body = { etag: account.etag, liveOn, live, loginHeldByNetworkManager: held, networkManagerName: name } as unknown as ConfirmGoLiveBody;
      onSaved(await api.post<RegisterAccount>(`/api/register/${encodeURIComponent(account.id)}/confirm`, body));
    } catch (x) {
      setError(x as ApiFailure);
    } finally {
      setBusy(false);
    }
  };
  const other = general(error, ['liveOn', 'live', 'loginHeldByNetworkManager', 'networkManagerName']);
  return (
    <FormDialog title={`Confirm go-live: ${account.platform}`} submitLabel="Confirm" busy={busy} onSubmit={submit} onClose={onClose}>
      <Body1>Confirm that the account is live and that the network manager holds its login. Never type a password here.</Body1>
      {other && <Failed error={other} retry={other.status === 409 ? onStale : undefined} />}
      <Field label={L.liveOn} required validationMessage={fieldError(error, 'liveOn')}>
        <Input type="date" value={liveOn} onChange={(_, d) => setLiveOn(d.value)} />
      </Field>
      <Field validationMessage={fieldError(error, 'live')}>
        <Checkbox checked={live} onChange={(_, d) => setLive(!!d.checked)} label={L.live} />
      </Field>
      <Field validationMessage={fieldError(error, 'loginHeldByNetworkManager')}>
        <Checkbox checked={held} onChange={(_, d) => setHeld(!!d.checked)} label={L.loginHeldByNetworkManager} />
      </Field>
      <Field label={L.networkManagerName} hint="Where the login is held: a name or a role, never the password itself." required validationMessage={fieldError(error, 'networkManagerName')}>
        <Input value={name} onChange={(_, d) => setName(d.value)} autoComplete="off" />
      </Field>
    </FormDialog>
  );
}

