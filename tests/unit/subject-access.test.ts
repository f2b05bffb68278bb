import { describe, expect, it } from 'vitest';
import { partsIn, partsInAccount, subjectAccessFileBase } from '../../src/domain/subject-access';
import { makeRequest } from '../contract/store.contract';
import { registerAccount } from '../../src/domain/account-request';

describe('subject access: file names and parts', () => {
  it.each([
    [{ id: 'u-1', email: 'Pat.Kemp@larkfield.example' }, 'subject-access-pat-kemp-2026-11-25'],
    [{ id: 'u-1', email: "o'neill+dpo@larkfield.example" }, 'subject-access-o-neill-dpo-2026-11-25'],
    [{ id: '00000000-0000-4000-8000-000000000005', email: '' }, 'subject-access-00000000-0000-4000-8000-000000000005-2026-11-25'],
    [{ id: '../../etc', email: '' }, 'subject-access-etc-2026-11-25'],
  ])('names the files after the person and the day, safely: %j', (person, base) => {
    expect(subjectAccessFileBase(person, '2026-11-25')).toBe(base);
  });

  it('finds a person’s parts in a request they did not make, and in an account', () => {
    const r = makeRequest('r1', { id: 'u-req', name: 'Rae Quest' }, 0);
    expect(partsIn(r, 'u-a1')).toEqual(['administrator']);
    expect(partsIn(r, 'u-m2')).toEqual(['moderator']);
    expect(partsIn(r, 'u-ict')).toEqual(['approver']);
    expect(partsIn(r, 'u-none')).toEqual([]);
    const a = registerAccount(r, 'acc-1', '2025-09-01T10:00:00.000Z');
    expect(partsInAccount(a, 'u-req')).toEqual(['owner']);
    expect(partsInAccount({ ...a, confirmation: { liveOn: '2025-10-01', networkManagerName: 'Sam Reid', byId: 'u-a1', byName: 'Ada One', at: '' } }, 'u-a1')).toEqual(['administrator', 'confirmed go-live']);
    expect(partsInAccount(a, 'u-none')).toEqual([]);
  });
});
