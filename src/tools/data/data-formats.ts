import { stringify as toCsvText } from 'csv-stringify/sync';
import { stringify as toYaml } from 'yaml';

export type DataFormat = 'json' | 'csv' | 'yaml' | 'table';

/** Rows and columns for CSV and tables: objects by their keys, anything else in a `value` column. */
function tabulate(value: unknown): { columns: string[]; rows: unknown[][] } {
  const items = Array.isArray(value) ? value : [value];
  const isRecord = (item: unknown): item is Record<string, unknown> => item !== null && typeof item === 'object' && !Array.isArray(item);
  if (items.length > 0 && items.every(isRecord)) {
    const columns = [...new Set(items.flatMap((item) => Object.keys(item)))];
    return { columns, rows: items.map((item) => columns.map((column) => item[column])) };
  }
  return { columns: ['value'], rows: items.map((item) => [item]) };
}

const cellText = (cell: unknown): string => {
  if (cell === undefined || cell === null) return '';
  if (typeof cell === 'object') return JSON.stringify(cell);
  return String(cell);
};

/**
 * A cell's CSV text before quoting. Text starting with `=`, `+`, `-`, `@` (or a tab or carriage
 * return) would run as a formula in a spreadsheet, so it gets a leading `'`; numbers are left
 * alone (-5 is a number). csv-stringify has no such rule, so this part stays hand-written.
 */
function defusedText(cell: unknown): string {
  const text = cellText(cell);
  return typeof cell !== 'number' && /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** csv-stringify quotes delimiters, quotes and `\n`; a lone `\r` is quoted too, as RFC 4180 asks. */
const csvOptions = { record_delimiter: '\r\n', eof: false, quoted_match: /\r/ } as const;

/** One CSV field, defused and quoted. */
export function csvField(cell: unknown): string {
  return toCsvText([[defusedText(cell)]], csvOptions);
}

function toCsv(value: unknown): string {
  const { columns, rows } = tabulate(value);
  return toCsvText([columns, ...rows].map((row) => row.map(defusedText)), csvOptions);
}

const tableCell = (cell: unknown) => cellText(cell).replaceAll('\\', '\\\\').replaceAll('|', '\\|').replace(/\r?\n|\r/g, '<br>');

/** A markdown table, which models and chat clients both render. */
function toTable(value: unknown): string {
  const { columns, rows } = tabulate(value);
  const line = (cells: unknown[]) => `| ${cells.map(tableCell).join(' | ')} |`;
  return [line(columns), `| ${columns.map(() => '---').join(' | ')} |`, ...rows.map(line)].join('\n');
}

export function formatData(value: unknown, format: DataFormat): string {
  switch (format) {
    case 'json':
      return JSON.stringify(value, null, 2) ?? 'null';
    case 'yaml':
      return toYaml(value ?? null);
    case 'csv':
      return toCsv(value);
    case 'table':
      return toTable(value);
  }
}
