import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { formatNumber, formatRatio, ratio } from './stats.ts';
import type { Figure, FigureSet } from './metrics-requests.ts';

/** One line of the results table: a metric for one target, with its ratios and goal. */
export interface Row {
  metric: string;
  target: string;
  value: number;
  unit: string;
  vsFloor: number;
  vsPortkey: number;
  goal: string;
  note: string;
}

export interface RowOptions {
  metric: string;
  unit: string;
  /** The figure ratios are taken against, per target; default floor and portkey. */
  floorName?: string;
  goals?: Record<string, string>;
}

/** Rows for every target of a figure set, in the order given. */
export function rowsOf(figures: FigureSet, order: string[], options: RowOptions): Row[] {
  const floor = figures[options.floorName ?? 'floor'];
  const portkey = figures.portkey;
  return order
    .filter((name) => figures[name] !== undefined)
    .map((name) => {
      const figure = figures[name] as Figure;
      return {
        metric: options.metric,
        target: name,
        value: figure.value,
        unit: options.unit,
        vsFloor: name === (options.floorName ?? 'floor') ? Number.NaN : ratio(figure.value, floor?.value ?? Number.NaN),
        vsPortkey: name === 'portkey' ? Number.NaN : ratio(figure.value, portkey?.value ?? Number.NaN),
        goal: options.goals?.[name] ?? '',
        note: figure.unavailable ? `n/a: ${figure.unavailable}` : (figure.note ?? ''),
      };
    });
}

function cells(row: Row): string[] {
  const value = row.note.startsWith('n/a') ? 'n/a' : `${formatNumber(row.value)} ${row.unit}`;
  return [row.metric, row.target, value, formatRatio(row.vsFloor), formatRatio(row.vsPortkey), row.goal, row.note];
}

const header = ['metric', 'target', 'median', '× floor', '× Portkey', 'goal', 'note'];

export function textTable(rows: Row[]): string {
  const table = [header, ...rows.map(cells)];
  const widths = header.map((_, column) => Math.max(...table.map((line) => line[column]!.length)));
  return table.map((line) => line.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd()).join('\n');
}

export function markdownTable(rows: Row[]): string {
  const escape = (cell: string) => cell.replace(/\|/g, '\\|');
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((row) => `| ${cells(row).map(escape).join(' | ')} |`),
  ].join('\n');
}

export interface RunInfo {
  date: string;
  command: string;
  mode: string;
  node: string;
  cpus: string;
  durationSeconds: number;
  notes: string[];
}

/** Writes `<date>-<mode>.json` and `.md` into bench/results/; returns their paths. */
export function writeResults(directory: string, info: RunInfo, rows: Row[]): { json: string; markdown: string } {
  mkdirSync(directory, { recursive: true });
  const stamp = info.date.replace(/[:]/g, '-').replace(/\..*$/, '');
  const json = path.join(directory, `${stamp}-${info.mode}.json`);
  const markdown = path.join(directory, `${stamp}-${info.mode}.md`);
  writeFileSync(json, `${JSON.stringify({ ...info, rows }, null, 2)}\n`);
  const lines = [
    `# Colloquy benchmark, ${info.date}`,
    '',
    `Command: \`${info.command}\` (mode ${info.mode}, ${info.durationSeconds.toFixed(0)} s). Node ${info.node}, ${info.cpus}.`,
    'Every figure is a median over rounds; ratios come from the same run. × floor is this target divided by the bare',
    'undici pass-through; × Portkey is this target divided by Portkey\'s gateway (below 1 means cheaper or faster).',
    '',
    markdownTable(rows),
    '',
    ...info.notes.map((note) => `- ${note}`),
    '',
  ];
  writeFileSync(markdown, lines.join('\n'));
  return { json, markdown };
}
