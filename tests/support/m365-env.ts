/** The least a Microsoft 365 mode start needs, with made-up ids and secrets: for tests that start the app outside embedded mode. */
export const m365Env = {
  COUNTERSIGN_MODE: 'm365',
  BOT_ID: '11111111-1111-4111-8111-111111111111',
  BOT_PASSWORD: 'not-a-real-secret',
  BOT_TENANT_ID: '22222222-2222-4222-8222-222222222222',
  PUBLIC_URL: 'https://countersign.example',
  LINK_SIGNING_SECRET: 'x'.repeat(40),
  SCHOOL_ID: 'larkfield-primary',
  AAD_APP_CLIENT_ID: '33333333-3333-4333-8333-333333333333',
} as const;
