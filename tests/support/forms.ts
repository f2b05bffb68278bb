import { demoStaff } from '../../src/adapters/demo-school';

const byName = (first: string) => demoStaff.find((s) => s.name.startsWith(first))!.id;

/** A complete, valid request form as the card would submit it (strings, comma-separated choices). */
export function validForm(overrides: Record<string, string> = {}): Record<string, string> {
  const inAMonth = new Date(Date.now() + 30 * 86400_000).toISOString().slice(0, 10);
  const inAYear = new Date(Date.now() + 395 * 86400_000).toISOString().slice(0, 10);
  return {
    department: 'Key Stage 2',
    siteModerator: 'Amira Haddad',
    aims: 'Share Year 6 science investigations with families and celebrate pupils’ work.',
    content: 'Photos of experiments (no faces), weekly summaries, reminders about trips.',
    audience: 'families,staff',
    audienceDetails: '',
    contributors: 'staff,pupils',
    contributorsDetails: 'Year 6 pupils, ages 10 to 11, through their teacher only',
    administrators: `${byName('Amira')},${byName('Ben')}`,
    moderators: `${byName('Chloe')},${byName('Grace')}`,
    vetterName: 'Gareth Lloyd',
    vetterRole: 'Computing subject leader',
    platform: 'Instagram',
    host: 'Meta Platforms',
    goLive: inAMonth,
    closure: inAYear,
    advertising: 'Letter home and the newsletter; no open invitations.',
    parentalConsent: 'Consent form sent home; only pupils with signed consent contribute.',
    security: 'Private account; followers approved by two administrators; comments filtered.',
    visibility: 'private',
    promotion: 'Newsletter, website banner and the Year 6 parents’ evening.',
    successMeasures: 'Follower count among Year 6 families and a short survey at the end of the year.',
    ...overrides,
  };
}
