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
