import { describe, expect, it } from 'vitest';
import { receiptRefusal } from '../../src/domain/campaign-permissions';
import type { SchoolRole } from '../../src/domain/people';

const viewer = (roles: SchoolRole[], schoolId = 'larkfield') => ({ id: 'u-me', roles, schoolId });
const me = { id: 'u-me', schoolId: 'larkfield' };
const colleague = { id: 'u-them', schoolId: 'larkfield' };
const elsewhere = { id: 'u-far', schoolId: 'oakwood' };

describe('receiptRefusal: who may have a signature’s receipt', () => {
  it.each([
    ['a member of staff, their own', viewer([]), me, true],
    ['a member of staff, a colleague’s', viewer([]), colleague, false],
    ['a member of staff, someone unknown (not told who exists)', viewer([]), undefined, false],
    ['the head teacher, a colleague’s', viewer(['headTeacher', 'ictLeader']), colleague, false],
    ['a policy admin, their own', viewer(['policyAdmin']), me, true],
    ['a policy admin, a colleague’s', viewer(['policyAdmin']), colleague, true],
    ['a policy admin, someone unknown (then told there is no such person)', viewer(['policyAdmin']), undefined, true],
    ['a policy admin, someone at another school', viewer(['policyAdmin']), elsewhere, false],
  ] as const)('%s', (_, v, signer, allowed) => {
    const refusal = receiptRefusal(v, signer);
    expect(refusal === undefined).toBe(allowed);
    if (refusal) expect(refusal.code).toBe('RECEIPT.NOT_ALLOWED');
  });
});
