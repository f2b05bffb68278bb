import { describe, expect, test } from 'vitest';
import { demoPeople, demoStaff } from '../../src/adapters/demo-school';
import { accountApprovedCard } from '../../src/cards/account-approved.card';
import { helpCard } from '../../src/cards/help.card';
import { noticeCard } from '../../src/cards/notice.card';
import { requestFormCard } from '../../src/cards/request-form.card';
import { requestCard } from '../../src/cards/request.card';
import { statusListCard } from '../../src/cards/status-list.card';
import { openRequest } from '../../src/domain/approval.workflow';
import { parseRequestForm } from '../../src/domain/request-form.schema';
import { cardProblems } from '../support/validate-card';
import { validForm } from '../support/forms';

const staff = new Map(demoStaff.map((s) => [s.id, s]));
const today = new Date().toISOString().slice(0, 10);
const parsed = parseRequestForm(validForm(), { today, staff });
if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));
const request = openRequest({
  id: 'r1',
  schoolId: demoPeople.requester.schoolId,
  reference: 'CS-0001',
  requester: demoPeople.requester,
  details: parsed.value,
  steps: [
    { role: 'ictLeader', approverId: demoPeople.ictLeader.id, approverName: demoPeople.ictLeader.name, delegated: false },
    { role: 'headTeacher', approverId: demoPeople.headTeacher.id, approverName: demoPeople.headTeacher.name, delegated: false },
  ],
  at: new Date().toISOString(),
});

describe('the adaptivecards parser accepts every card builder', () => {
  const cards: Record<string, unknown> = {
    help: helpCard({ schoolName: 'Larkfield' }),
    'help (unknown text)': helpCard({ schoolName: 'Larkfield', unknownText: true }),
    notice: noticeCard('Countersign', 'Something', 'detail'),
    'request form': requestFormCard({ staff: demoStaff, today }),
    'request form with errors': requestFormCard({ staff: demoStaff, today, values: validForm(), errors: { aims: 'Aims is required.', goLive: 'bad' } }),
    'approver view': requestCard(request, { viewerId: demoPeople.ictLeader.id, timeZone: 'Europe/London', errors: { signature: 'Type your name' } }),
    'requester view': requestCard(request, { viewerId: demoPeople.requester.id, timeZone: 'Europe/London', banner: 'Submitted', bannerTone: 'good' }),
    'stranger view': requestCard(request, { viewerId: 'someone-else', timeZone: 'Europe/London' }),
    'status list': statusListCard([request], [request], [], { viewerId: demoPeople.ictLeader.id, timeZone: 'Europe/London', today }),
    'status list (empty)': statusListCard([], [], [], { viewerId: demoPeople.requester.id, timeZone: 'Europe/London', today }),
  };
  test.each(Object.entries(cards))('%s', (_name, card) => {
    expect(cardProblems(card)).toEqual([]);
  });
  test('account approved card', () => {
    const account = {
      id: 'a1', schoolId: request.schoolId, requestId: 'r1', reference: 'CS-0001', department: 'KS2', platform: 'Instagram', host: 'Meta', visibility: 'private',
      administrators: parsed.value.administrators, moderators: parsed.value.moderators, goLive: parsed.value.goLive, closure: '',
      approvedAt: new Date().toISOString(), ownerId: request.requesterId, ownerName: request.requesterName,
    };
    expect(cardProblems(accountApprovedCard(account, request, 'Gareth Lloyd'))).toEqual([]);
  });
  test('the validator is not a rubber stamp: it rejects a broken card', () => {
    expect(cardProblems({ type: 'AdaptiveCard', version: '1.5', body: [{ type: 'Input.Text' }, { type: 'NoSuchThing' }] }).length).toBeGreaterThan(0);
  });
});
