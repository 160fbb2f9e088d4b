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
 * One CSV field. Text starting with `=`, `+`, `-`, `@` (or a tab or carriage return) would run as
 * a formula in a spreadsheet, so it gets a leading `'`; numbers are left alone (-5 is a number).
 * Fields with quotes, commas or line breaks are quoted, quotes doubled.
 */
export function csvField(cell: unknown): string {
  let text = cellText(cell);
  if (typeof cell !== 'number' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function toCsv(value: unknown): string {
  const { columns, rows } = tabulate(value);
  return [columns, ...rows].map((row) => row.map(csvField).join(',')).join('\r\n');
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
