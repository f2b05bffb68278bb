import { describe, expect, it } from 'vitest';
import { looksLikePassword, NO_PASSWORD_MESSAGE, passwordRefusal } from '../../src/domain/no-secrets';

/** Ordinary things people type in the request form and the register: none may be refused. */
const accepted = [
  '',
  'Science',
  'Design & Technology',
  'KS2/KS3 team',
  "Mrs O'Neill-Smith",
  'Zoë Ångström',
  'Head of Year 6',
  'the network manager',
  "the network manager's safe",
  'Network manager (Sam Reid)',
  'In the school password manager, looked after by the bursar',
  'Strong passwords, changed termly, and two-factor sign-in',
  'Password: kept by the network manager',
  'Passwords are held by the network manager, never by staff.',
  'The password is strong and changed termly.',
  'Login: the network manager',
  'Username is @larkfield_pe',
  'login: office@larkfield.example',
  '@school_handle',
  '@larkfield2024',
  '#LarkfieldLearns2025',
  'https://www.instagram.com/larkfield_primary2024/?hl=en-gb',
  'www.larkfield.example/pe',
  'larkfield.example',
  'office@larkfield.example',
  'Instagram',
  'X (formerly Twitter)',
  'From 9:30am-11:30am on Fridays',
  'Costs £2,000 a year; 10% off for schools.',
  'Parents sign the 2025-26 photo consent form.',
  'Year-6 and Year-5 classes only!',
  'Two moderators check every post within 24 hours.',
];

/** Things shaped like a password: each is refused. */
const refused = [
  'P@ssw0rd1',
  'Summer2024!',
  'Tr0ub4dor&3',
  'The login is admin and the key is Larkfield#2024 for now',
  'password: Summer2024',
  'Password: letmein',
  'password:letmein',
  'pwd=letmein',
  'passcode = 1234',
  'The password is hunter2',
  'login: admin/Tr0ub4dor',
  'username: head1, password: fluffy99',
  'Passphrase: correct-horse-battery-42',
  'Credentials: larkfield_admin / 12345678',
  'The login is admin, password: Summer2024',
  'Login: the network manager. Password: hunter22',
];

describe('looksLikePassword', () => {
  it.each(accepted)('accepts %j', (text) => {
    expect(looksLikePassword(text)).toBe(false);
  });
  it.each(refused)('refuses %j', (text) => {
    expect(looksLikePassword(text)).toBe(true);
  });
  it('names the field and says where to record instead', () => {
    expect(passwordRefusal('Security measures', 'pwd=letmein')).toBe(`Security measures: ${NO_PASSWORD_MESSAGE}`);
    expect(NO_PASSWORD_MESSAGE).toMatch(/where the login is held/);
    expect(passwordRefusal('Security measures', 'Two-factor sign-in')).toBeUndefined();
  });
});
