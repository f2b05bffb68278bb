/**
 * One CSV cell, safe to open in a spreadsheet. A cell that begins with = + - @, a tab or a carriage
 * return would be read as a formula by Excel, LibreOffice or Google Sheets (OWASP, "CSV Injection"),
 * and names and departments come from the directory, so such a cell gets a leading apostrophe,
 * which spreadsheets show as text. Then it is quoted as RFC 4180 asks.
 */
export function csvCell(v: string): string {
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** One CSV line of cells, without its line ending. */
export const csvRow = (cells: string[]): string => cells.map(csvCell).join(',');

/**
 * Parses CSV text as RFC 4180 describes it: fields separated by commas, records by CRLF or LF (a lone
 * CR too, as old spreadsheets write), a field in double quotes may hold commas, line breaks and doubled
 * quotes. A leading byte order mark (Excel's "CSV UTF-8") is dropped, and so is a last empty line.
 * Each record comes with the line it starts on (1-based), so a message can name the row as a
 * spreadsheet shows it. A quote left open is an error naming its line.
 *
 * (No CSV library is installed; a maintained one such as csv-parse would be preferable to this.)
 */
export function parseCsv(text: string): { ok: true; records: Array<{ line: number; fields: string[] }> } | { ok: false; line: number; message: string } {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records: Array<{ line: number; fields: string[] }> = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let startLine = 1;
  let quoted = false;
  let quoteLine = 0;
  let sawAny = false;
  const endField = () => {
    fields.push(field);
    field = '';
  };
  const endRecord = () => {
    endField();
    records.push({ line: startLine, fields });
    fields = [];
    sawAny = false;
  };
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (quoted) {
      if (c === '"') {
        if (src[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (c === '\n' || (c === '\r' && src[i + 1] !== '\n')) line++;
        field += c;
      }
      continue;
    }
    if (!sawAny) startLine = line;
    if (c === '"' && field === '') {
      quoted = true;
      quoteLine = line;
      sawAny = true;
    } else if (c === ',') {
      endField();
      sawAny = true;
    } else if (c === '\r' || c === '\n') {
      if (c === '\r' && src[i + 1] === '\n') i++;
      endRecord();
      line++;
    } else {
      field += c;
      sawAny = true;
    }
  }
  if (quoted) return { ok: false, line: quoteLine, message: 'a quoted field is never closed: add the closing double quote (")' };
  if (sawAny || field !== '' || fields.length) endRecord();
  return { ok: true, records };
}
