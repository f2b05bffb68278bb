/**
 * No password of any social media account is ever stored: every field of the request form and of the
 * register's go-live confirmation refuses something shaped like one. The fields are enumerated from the
 * schema (requestFieldLabels / requestFieldKinds), so a field added later is covered without editing this.
 */
import { describe, expect, it } from 'vitest';
import { demoStaff } from '../../src/adapters/demo-school';
import { confirmGoLive, GO_LIVE_FIELD_LABELS } from '../../src/domain/account-register';
import { registerAccount, type RequestDetails } from '../../src/domain/account-request';
import { NO_PASSWORD_MESSAGE } from '../../src/domain/no-secrets';
import { parseRequestForm, requestFieldKinds, requestFieldLabels, requestTextFields, type RequestField } from '../../src/domain/request-form.schema';
import { validForm } from '../support/forms';

const ctx = { today: new Date().toISOString().slice(0, 10), staff: new Map(demoStaff.map((s) => [s.id, s])) };
const PASSWORDS = ['P@ssw0rd1', 'pwd=letmein', 'password: Summer2024'];
const fields = Object.keys(requestFieldLabels) as RequestField[];

describe('the request form never takes a password', () => {
  it('a valid form passes (so each refusal below is the field’s own)', () => {
    expect(parseRequestForm(validForm(), ctx).ok).toBe(true);
  });

  it('has free-text fields to check, and classes every field', () => {
    expect(requestTextFields.length).toBeGreaterThan(10);
    expect(Object.keys(requestFieldKinds).sort()).toEqual([...fields].sort());
  });

  for (const field of fields) {
    it.each(PASSWORDS)(`${field} refuses %j, naming the field`, (secret) => {
      const r = parseRequestForm(validForm({ [field]: secret }), ctx);
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(Object.keys(r.error)).toEqual([field]);
      // Free text gets the password message; choices, people and dates refuse it as not a choice, person or date.
      if (requestFieldKinds[field] === 'text') expect(r.error[field]).toBe(`${requestFieldLabels[field]}: ${NO_PASSWORD_MESSAGE}`);
    });
  }

  it('keeps ordinary words about logins and passwords', () => {
    const r = parseRequestForm(validForm({ security: 'Strong passwords, changed termly; the login is held by the network manager in the school safe.', host: '@larkfield_y6' }), ctx);
    expect(r.ok).toBe(true);
  });
});

describe('the register’s go-live confirmation never takes a password', () => {
  const owner = demoStaff[5]!;
  const account = registerAccount(
    { id: 'r1', schoolId: 'larkfield', reference: 'CS-0001', requesterId: owner.id, requesterName: owner.name, details: (parseRequestForm(validForm(), ctx) as { ok: true; value: RequestDetails }).value, status: 'approved', steps: [], currentStep: 0, round: 1, createdAt: '', updatedAt: '' },
    'acc-1',
    '2026-01-01T10:00:00.000Z',
  );
  const input = { liveOn: account.goLive, networkManagerName: 'Sam Reid', at: '2026-02-01T10:00:00.000Z' };

  it('takes a name or a role for who holds the login', () => {
    for (const name of ['Sam Reid', 'the network manager', 'Network manager (Sam Reid)']) expect(confirmGoLive(account, { ...input, networkManagerName: name }, owner).ok).toBe(true);
  });

  // Every free-text input of the confirmation: the ones whose labels the form shows and that are text (not a date or a tick).
  const textInputs = (Object.keys(input) as Array<keyof typeof input>).filter((k): k is 'networkManagerName' => k in GO_LIVE_FIELD_LABELS && k !== 'liveOn');
  it('has a free-text input to check', () => expect(textInputs).toEqual(['networkManagerName']));
  for (const key of textInputs) {
    it.each(PASSWORDS)(`${key} refuses %j, naming the field`, (secret) => {
      const r = confirmGoLive(account, { ...input, [key]: secret }, owner);
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.error.fields?.[key]).toBe(`${GO_LIVE_FIELD_LABELS[key]}: ${NO_PASSWORD_MESSAGE}`);
    });
  }
});
