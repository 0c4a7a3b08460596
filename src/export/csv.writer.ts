// CSV through @json2csv's Node transform (object rows in, text out, backpressure intact), with every text
// cell neutralised against spreadsheet formula injection: @json2csv 7 quotes `=HYPERLINK(…)` but leaves it
// live. Numbers stay bare numbers; missing values are empty, unquoted cells.
import { Transform, type TransformCallback } from 'node:stream';
import { string as quotedString } from '@json2csv/formatters';
import { Transform as Json2CsvTransform } from '@json2csv/node';
import { CSV_COLUMNS, type CsvRow } from './csv.columns.js';

/** RFC 4180's record separator. Line breaks inside a (quoted) cell are written as they are. */
export const CSV_EOL = '\r\n';

/** First characters that make Excel, LibreOffice or Google Sheets read a cell as a formula (OWASP CSV injection). */
export const FORMULA_TRIGGERS: readonly string[] = ['=', '+', '-', '@', '\t', '\r'];
const TRIGGERS = new Set(FORMULA_TRIGGERS);

/** OWASP's neutralisation: a leading single quote makes spreadsheets show the text as text. */
export function neutraliseFormula(text: string): string {
  return text.length > 0 && TRIGGERS.has(text[0]!) ? `'${text}` : text;
}

const quote = quotedString({ quote: '"', escapedQuote: '""' });

/** A text cell: neutralised, then always quoted (embedded quotes doubled), so an empty string differs from null. */
export function textCell(text: string): string {
  return quote(neutraliseFormula(text));
}

export interface CsvWriterOptions {
  /** Start with a UTF-8 byte order mark (for Excel). */
  bom?: boolean;
}

/** Writable side: CsvRow objects; readable side: CSV text. Header first, even with no rows. */
export function createCsvTransform(opts: CsvWriterOptions = {}): Json2CsvTransform<CsvRow, CsvRow> {
  return new Json2CsvTransform<CsvRow, CsvRow>(
    {
      fields: [...CSV_COLUMNS],
      eol: CSV_EOL,
      withBOM: opts.bom ?? false,
      formatters: { string: textCell, header: (name) => name },
    },
    {},
    // @json2csv takes rows as objects only with objectMode on both sides; its readable side then carries strings.
    { objectMode: true, highWaterMark: 256 },
  );
}

/**
 * Bytes go out in chunks of about this many characters. A Buffer per row (@json2csv pushes one string per
 * row) cut from Node's 8 KiB pool kept ~20 MiB of slabs alive until the next full GC (docs/export.md, "Memory").
 */
export const CHUNK_CHARS = 64 * 1024;

/**
 * CSV text in, UTF-8 chunks out: coalesced up to CHUNK_CHARS, or until the current burst of rows is over
 * (a page reaches the output without waiting for the next 64 KiB). @json2csv separates records but does
 * not end the last one; this ends it with CSV_EOL (RFC 4180 allows both; a final line break is what COPY,
 * Python's csv and line-counting tools expect), unless the export failed.
 */
export class CsvBytes extends Transform {
  private pending = '';
  private scheduled = false;
  /** Set before end() when the export failed: what was written goes out, without the final line break. */
  incomplete = false;

  constructor() {
    super({ writableObjectMode: true });
  }

  override _transform(chunk: string | Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.pending += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    if (this.pending.length >= CHUNK_CHARS) {
      this.pushPending();
    } else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        if (!this.destroyed) this.pushPending();
      });
    }
    done();
  }

  override _flush(done: TransformCallback): void {
    const tail = this.pending + (this.incomplete ? '' : CSV_EOL);
    this.pending = '';
    done(null, tail ? Buffer.from(tail, 'utf8') : undefined);
  }

  private pushPending(): void {
    if (!this.pending) return;
    const text = this.pending;
    this.pending = '';
    this.push(Buffer.from(text, 'utf8'));
  }
}
