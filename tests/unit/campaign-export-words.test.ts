import { describe, expect, test } from 'vitest';
import { RECIPIENT_STATE_LABELS, recipientStateWords, unreachableReason } from '../../src/domain/campaign';
import { RECIPIENT_STATES } from '../../src/domain/recipient.workflow';
import { csvCell, csvRow } from '../../src/services/csv';

describe('a CSV cell is safe to open in a spreadsheet', () => {
  test.each([
    ['=HYPERLINK("http://evil.example","Click")', `"'=HYPERLINK(""http://evil.example"",""Click"")"`],
    ['+44 1632 960000', "'+44 1632 960000"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1:A9)', "'@SUM(A1:A9)"],
    ['\t=1+1', "'\t=1+1"],
    ['\r=1+1', `"'\r=1+1"`],
  ])('%j starts with an apostrophe, so it is text, not a formula', (input, expected) => {
    expect(csvCell(input)).toBe(expected);
  });

  test.each([
    ['Ben Carter', 'Ben Carter'],
    ['Key Stage 2', 'Key Stage 2'],
    ['0', '0'],
    ['', ''],
    ['O’Neill-Smith', 'O’Neill-Smith'],
  ])('%j is left as it is', (input, expected) => {
    expect(csvCell(input)).toBe(expected);
  });

  test('commas, quotes and line breaks are quoted as RFC 4180 asks', () => {
    expect(csvRow(['Carter, Ben', 'says "hello"', 'two\nlines'])).toBe('"Carter, Ben","says ""hello""","two\nlines"');
  });
});

describe('recipient states in a governor’s words', () => {
  test('every state has words, none of them the code’s own name', () => {
    for (const s of RECIPIENT_STATES) expect(RECIPIENT_STATE_LABELS[s]).toMatch(/^[A-Z]/);
    expect(Object.values(RECIPIENT_STATE_LABELS)).not.toContain('queued');
    expect(RECIPIENT_STATE_LABELS.sent).toBe('Waiting');
    expect(RECIPIENT_STATE_LABELS.unconfirmed).toBe('Sent, delivery not confirmed: the next reminder will reach them');
  });

  test.each([
    ['the person or chat no longer exists', 'Could not be reached: left the school'],
    ['the person has blocked or removed the app', 'Could not be reached: blocked or removed the Countersign app'],
    ['Teams answered 500 (after 8 attempts)', 'Could not be reached: Teams did not accept the card'],
    [null, 'Could not be reached: Teams did not accept the card'],
  ])('a failure "%s" reads "%s"', (reason, words) => {
    expect(recipientStateWords({ state: 'failed', failureReason: reason })).toBe(words);
    expect(unreachableReason(reason)).toBe(words.replace('Could not be reached: ', ''));
  });

  test('the other states read as their label', () => {
    expect(recipientStateWords({ state: 'signed' })).toBe('Signed');
    expect(recipientStateWords({ state: 'queued' })).toBe('Not sent yet');
  });
});
