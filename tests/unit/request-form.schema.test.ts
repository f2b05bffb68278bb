import { expect, test } from 'vitest';
import { demoStaff } from '../../src/adapters/demo-school';
import { parseRequestForm } from '../../src/domain/request-form.schema';
import { validForm } from '../support/forms';

const ctx = { today: new Date().toISOString().slice(0, 10), staff: new Map(demoStaff.map((s) => [s.id, s])) };

// Card data is untrusted: an answer that is not text (an object, a list, a number) is treated as missing, as
// the schema says, and the field error says what to do. It used to be turned into text, so a person read
// "Contributors: choose from the list (not “[object Object]”)."
test.each([
  ['an object', {}],
  ['a list', ['staff']],
  ['a number', 7],
  ['a boolean', true],
])('an answer that is %s is missing, and the error says so in words', (_kind, value) => {
  const r = parseRequestForm({ ...validForm(), contributors: value, aims: value }, ctx);
  expect(r.ok).toBe(false);
  if (r.ok) return;
  expect(r.error.contributors).toMatch(/Contributors is required|choose at least one/i);
  expect(r.error.aims).toMatch(/is required/);
  expect(JSON.stringify(r.error)).not.toMatch(/\[object Object\]|not “(true|7|staff)”/);
});
