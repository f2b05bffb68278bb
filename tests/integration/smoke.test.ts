import { afterAll, beforeAll, expect, test } from 'vitest';
import { Harness, people } from '../support/harness';
import { validForm } from '../support/forms';

const h = new Harness();
beforeAll(() => h.start());
afterAll(() => h.stop());

test('smoke', async () => {
  const help = await h.say(people.requester, 'hello');
  console.log(JSON.stringify(help).slice(0, 300));
  const r = await h.invoke(people.requester, 'request.submit', validForm());
  console.log(r.status, JSON.stringify(r.body).slice(0, 500));
  await h.idle();
  console.log(h.logs);
  console.log(JSON.stringify(h.connector.calls.map((c) => [c.kind, c.conversationId, c.memberId])));
  expect(r.status).toBe(200);
});
