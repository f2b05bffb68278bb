import { describe, expect, test } from 'vitest';
import { csvRow, parseCsv } from '../../src/services/csv';

const rows = (text: string) => {
  const r = parseCsv(text);
  if (!r.ok) throw new Error(r.message);
  return r.records.map((x) => x.fields);
};

describe('parseCsv (RFC 4180)', () => {
  test.each([
    ['plain fields and CRLF', 'a,b,c\r\n1,2,3\r\n', [['a', 'b', 'c'], ['1', '2', '3']]],
    ['LF and no final newline', 'a,b\n1,2', [['a', 'b'], ['1', '2']]],
    ['a lone CR ends a record (old Mac exports)', 'a,b\r1,2\r', [['a', 'b'], ['1', '2']]],
    ['empty fields', ',x,\n,,', [['', 'x', ''], ['', '', '']]],
    ['commas inside quotes', '"Smith, Jo",Maths', [['Smith, Jo', 'Maths']]],
    ['doubled quotes inside quotes', '"She said ""hi""",x', [['She said "hi"', 'x']]],
    ['line breaks inside quotes', '"line one\r\nline two",x\ny,z', [['line one\r\nline two', 'x'], ['y', 'z']]],
    ['a byte order mark is dropped', '\uFEFFname,email\nA,a@x.org', [['name', 'email'], ['A', 'a@x.org']]],
    ['an empty line inside the file is an empty record', 'a\n\nb', [['a'], [''], ['b']]],
    ['nothing at all', '', []],
  ])('%s', (_name, text, expected) => {
    expect(rows(text)).toEqual(expected);
  });

  test('each record knows the line it starts on, line breaks in quotes counted', () => {
    const r = parseCsv('h1,h2\n"two\nlines",x\nlast,y\n');
    expect(r.ok && r.records.map((x) => x.line)).toEqual([1, 2, 4]);
  });

  test('an unclosed quote is an error naming its line', () => {
    expect(parseCsv('a,b\n"open,x\nmore')).toEqual({ ok: false, line: 2, message: expect.stringMatching(/never closed/) });
  });

  test('reads back what our writer writes', () => {
    const cells = ['Smith, Jo', 'says "hi"', 'two\nlines', '=SUM(A1)', ''];
    expect(rows(`${csvRow(cells)}\r\n`)).toEqual([["Smith, Jo", 'says "hi"', 'two\nlines', "'=SUM(A1)", '']]);
  });
});
