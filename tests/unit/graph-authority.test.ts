import { describe, expect, it } from 'vitest';
import { loadSharePointConfig } from '../../src/adapters/sharepoint/config';
import { msalAuthority } from '../../src/adapters/sharepoint/msal-token';

const base = {
  SHAREPOINT_SITE_URL: 'https://contoso.sharepoint.us/sites/countersign',
  GRAPH_TENANT_ID: '5a0e2f0c-2b1d-4c3e-9f8a-7b6c5d4e3f2a',
  GRAPH_CLIENT_ID: '3c9a8b7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d',
  GRAPH_CLIENT_SECRET: 'not-a-real-secret',
};

describe('the Entra authority host, a setting beside GRAPH_BASE_URL', () => {
  it('defaults to the global cloud, where msal-node discovers the instance itself', () => {
    const c = loadSharePointConfig(base);
    expect(c.authorityHost).toBe('https://login.microsoftonline.com');
    expect(msalAuthority(c)).toEqual({ authority: `https://login.microsoftonline.com/${base.GRAPH_TENANT_ID}` });
  });

  it('takes a national cloud’s host, trusted as known so no global discovery is asked', () => {
    const c = loadSharePointConfig({ ...base, GRAPH_BASE_URL: 'https://graph.microsoft.us', GRAPH_AUTHORITY_HOST: 'https://login.microsoftonline.us/' });
    expect(c.graphBaseUrl).toBe('https://graph.microsoft.us');
    expect(msalAuthority(c)).toEqual({ authority: `https://login.microsoftonline.us/${base.GRAPH_TENANT_ID}`, knownAuthorities: ['login.microsoftonline.us'] });
  });

  it('refuses a host that is not an https URL, in one line naming the setting', () => {
    expect(() => loadSharePointConfig({ ...base, GRAPH_AUTHORITY_HOST: 'http://127.0.0.1:9999' })).toThrow('Countersign cannot use SharePoint: GRAPH_AUTHORITY_HOST must be an https URL (Entra issues tokens over https only).');
    expect(() => loadSharePointConfig({ ...base, GRAPH_AUTHORITY_HOST: 'login.microsoftonline.us' })).toThrow(/GRAPH_AUTHORITY_HOST must be a URL/);
  });
});
