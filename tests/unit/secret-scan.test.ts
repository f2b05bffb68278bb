import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoPeople } from '../../src/adapters/demo-school';
import { hmacLinkSigner } from '../../src/adapters/node-crypto';
import { Harness } from '../support/harness';
import { AZURITE_ACCOUNT_KEY, findSecrets } from '../support/secret-scan';

/**
 * Fails the suite if a key, a password or a token shape is in a file git tracks, or in what the server
 * logs while it handles credentials. The samples below are assembled at run time, so that this file
 * itself holds none of the shapes it looks for.
 */
const b64url = (s: string) => Buffer.from(s).toString('base64url');
const join = (...parts: string[]) => parts.join('');

const samples: Array<[rule: string, text: string]> = [
  ['JWT', `Authorization: Bearer ${b64url('{"alg":"RS256","typ":"JWT"}')}.${b64url('{"oid":"someone","aud":"api"}')}.c2lnbmF0dXJl`],
  ['Entra client secret', `GRAPH_CLIENT_SECRET is ${join('Abc', '8Q~', 'k3J9vXq2LmN0pR5sT7uW1yZ4bD6fH8jK')}`],
  ['AWS access key id', `key ${join('AKIA', 'IOSFODNN7QWERTYZ')}`],
  ['private key (PEM)', `${join('-----BEGIN ', 'RSA PRIVATE', ' KEY-----')}\nMIIEow...`],
  ['GitHub token', `token ${join('ghp_', 'a'.repeat(20), 'B'.repeat(16))}`],
  ['password or secret assigned in quotes', `{ "password": "${join('Corr3ct', '-Horse-Battery')}" }`],
  ['password or secret in an environment file', `BOT_PASSWORD=${join('q9Z', '~real-looking-value')}`],
  ['SAS signature', `https://acct.blob.core.windows.net/c/f.csv?sv=2024-08-04&sp=r&${join('sig', '=')}${'N3w%2Bv4lue'.repeat(4)}`],
  ['storage account key', `DefaultEndpointsProtocol=https;AccountName=acct;${join('Account', 'Key=')}${'Zm9vYmFy'.repeat(8)}==`],
  ['Countersign dev sign-in token', `Bearer ${join('dev', '.')}${b64url('p-ben')}.1766620800000.${'k'.repeat(43)}`],
  ['Countersign link signature', `/exports/c.csv?e=1766620800&${join('s', '=')}${'A1b2C3d4'.repeat(5)}xyz`],
];

describe('the secret scanner', () => {
  it.each(samples)('finds a %s', (rule, text) => {
    expect(findSecrets(text).map((f) => f.rule)).toContain(rule);
  });

  it('reports where, never the value itself', () => {
    const secret = join('Abc', '8Q~', 'k3J9vXq2LmN0pR5sT7uW1yZ4bD6fH8jK');
    const [finding] = findSecrets(`line one\nsecret ${secret}\n`);
    expect(finding).toMatchObject({ rule: 'Entra client secret', line: 2 });
    expect(finding!.hint).not.toContain(secret.slice(4, -2));
  });

  it('lets placeholders, environment references and Azurite’s published key through, and nothing else like them', () => {
    const fine = [
      'GRAPH_CLIENT_SECRET=${{SECRET_AAD_APP_CLIENT_SECRET}}',
      "password: 'not-a-real-secret'",
      '"password": "[redacted]"',
      'BOT_PASSWORD=',
      `AccountName=devstoreaccount1;${join('Account', 'Key=')}${AZURITE_ACCOUNT_KEY}`,
    ];
    for (const text of fine) expect([text, findSecrets(text)]).toEqual([text, []]);
    const almostAzurite = `${join('Account', 'Key=')}${AZURITE_ACCOUNT_KEY.replace('Eby8', 'Eby9')}`;
    expect(findSecrets(almostAzurite).map((f) => f.rule)).toEqual(['storage account key']);
  });
});

describe('secret scan', () => {
  it('no file tracked by git holds a key, a password or a token', () => {
    const files = execFileSync('git', ['ls-files', '-z'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }).split('\0').filter(Boolean);
    expect(files.length).toBeGreaterThan(100);
    const findings: string[] = [];
    for (const file of files) {
      let buf: Buffer;
      try {
        buf = readFileSync(file);
      } catch {
        continue; // deleted in the working tree, not yet committed
      }
      if (buf.subarray(0, 8000).includes(0)) continue; // binary (icons, screenshots)
      for (const f of findSecrets(buf.toString('utf8'))) findings.push(`${file}:${f.line}: ${f.rule} (${f.hint})`);
    }
    expect(findings).toEqual([]);
  });

  describe('in the logs of a run that handles credentials', () => {
    const linkSecret = b64url('secret-scan-link-signing-key-material');
    const h = new Harness({ env: { LINK_SIGNING_SECRET: linkSecret } });
    beforeAll(() => h.start());
    afterAll(() => h.stop());

    it('neither the JSON lines nor the messages hold one', async () => {
      const session = await fetch(`${h.baseUrl}/api/dev/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ personId: demoPeople.policyAdmin.id, password: join('Corr3ct', '-Horse-Battery'), clientSecret: join('Abc', '8Q~', 'k3J9vXq2LmN0pR5sT7uW1yZ4bD6fH8jK') }),
      });
      const { token } = (await session.json()) as { token: string };
      const jwt = `${b64url('{"alg":"RS256","typ":"JWT"}')}.${b64url('{"oid":"someone","aud":"api"}')}.c2lnbmF0dXJl`;
      await fetch(`${h.baseUrl}/api/me`, { headers: { authorization: `Bearer ${token}` } });
      await fetch(`${h.baseUrl}/api/me`, { headers: { authorization: `Bearer ${jwt}` } });
      await fetch(`${h.baseUrl}/api/tasks?password=${join('Corr3ct', '-Horse')}`, { headers: { authorization: `Bearer ${token}` } });
      const expires = Math.floor(Date.now() / 1000) + 3600;
      await fetch(`${h.baseUrl}/exports/scan.csv?e=${expires}&s=${hmacLinkSigner(linkSecret).sign(`export:scan.csv:${expires}`)}`);
      // The campaign export: the bot hands the admin a signed link, and the app logs around it.
      const exported = await fetch(`${h.baseUrl}/api/campaigns?sig=${'N3w%2Bv4lue'.repeat(4)}`, { headers: { authorization: `Bearer ${token}` } });
      expect(exported.status).toBeLessThan(500);
      await expect.poll(() => h.logLines.length).toBeGreaterThanOrEqual(6);
      const lines = h.logLines.join('');
      expect(lines).toContain('"url":"/exports/scan.csv?e=');
      const findings = [...findSecrets(lines), ...findSecrets(h.logs.join('\n'))].map((f) => `${f.rule} (${f.hint})`);
      expect(findings).toEqual([]);
    });
  });
});
