/** CSV for spreadsheets (RFC 4180, CRLF), safe to open with text that customers typed. */

/** A cell starting with one of these is read as a formula by Excel, LibreOffice and Google Sheets. */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One cell: quoted when it holds a comma, quote or line break. Free text (`untrusted`) that would start a formula is
 * prefixed with `'`, so `=HYPERLINK(…)` in a customer's name stays text (OWASP "CSV injection").
 */
export function csvCell(value: string | number | boolean | null | undefined, untrusted = false): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (untrusted && FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export interface CsvColumn<T> {
  header: string;
  value: (row: T) => string | number | boolean | null | undefined;
  /** Free text from outside (customer names, emails…): neutralised against formula injection. */
  untrusted?: boolean;
}

/** The whole document: a header line, then one line per row. */
export function toCsv<T>(columns: CsvColumn<T>[], rows: Iterable<T>): string {
  const lines = [columns.map((c) => csvCell(c.header)).join(',')];
  for (const row of rows) lines.push(columns.map((c) => csvCell(c.value(row), c.untrusted)).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
