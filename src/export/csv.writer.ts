// CSV text (RFC 4180) of rows, with every text cell neutralised against spreadsheet formula injection.
// Numbers stay bare numbers; missing values are empty, unquoted cells.
import { number as numberFormatter, string as stringFormatter } from '@json2csv/formatters';
import { CSV_COLUMNS, type CsvCell, type CsvRow } from './csv.columns.js';

// @json2csv's cell formatters (RFC 4180 quoting); the records are joined here, a page at a time, rather than
// through @json2csv's per-row stream transform, whose Buffer per row kept memory from staying flat.
const quoted = stringFormatter({ quote: '"', escapedQuote: '""' });
const bare = numberFormatter();

/**
 * Records go out in strings of about this many characters: many rows per Buffer (a pooled Buffer per row kept
 * ~20 MiB of slabs alive), each under V8's 128 KiB large-object size even as UTF-16 (docs/export.md, "Memory").
 */
export const CHUNK_CHARS = 32 * 1024;

/** RFC 4180's record separator. Line breaks inside a (quoted) cell are written as they are. */
export const CSV_EOL = '\r\n';

/** First characters that make Excel, LibreOffice or Google Sheets read a cell as a formula (OWASP CSV injection). */
export const FORMULA_TRIGGERS: readonly string[] = ['=', '+', '-', '@', '\t', '\r'];
const TRIGGERS = new Set(FORMULA_TRIGGERS);

/** OWASP's neutralisation: a leading single quote makes spreadsheets show the text as text. */
export function neutraliseFormula(text: string): string {
  return text.length > 0 && TRIGGERS.has(text[0]!) ? `'${text}` : text;
}

/** A text cell: neutralised, then always quoted (embedded quotes doubled), so an empty string differs from null. */
export function textCell(text: string): string {
  return quoted(neutraliseFormula(text));
}

function cellText(value: CsvCell): string {
  if (value === undefined) return '';
  return typeof value === 'number' ? bare(value) : textCell(value);
}

/** The header row (bare column names), after a UTF-8 byte order mark when asked (for Excel). */
export function csvHeader(opts: { bom?: boolean } = {}): string {
  return `${opts.bom ? '\ufeff' : ''}${CSV_COLUMNS.join(',')}`;
}

/**
 * One record, preceded by its separator: records are separated, and a complete export adds the final
 * CSV_EOL (RFC 4180 allows both; a final line break is what COPY, Python's csv and line-counting tools
 * expect), so a failed export to stdout visibly ends without one.
 */
export function csvRecord(row: CsvRow): string {
  return CSV_EOL + CSV_COLUMNS.map((column) => cellText(row[column])).join(',');
}
