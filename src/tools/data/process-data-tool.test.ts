import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { AppError } from '../../errors/app-error.ts';
import { csvField } from './data-formats.ts';
import { parsePath } from './json-path.ts';
import { createProcessDataTool } from './process-data-tool.ts';

const tool = createProcessDataTool();
const context = { userId: 'u1', permissionLevel: 1, toolCallId: 't1', signal: new AbortController().signal };
const run = async (input: unknown) => (await tool.execute(input, context)).output;

const people = {
  team: {
    members: [
      { name: 'Ada', age: 36, city: 'London', tags: ['math', 'code'] },
      { name: 'Grace', age: 85, city: 'New York', tags: ['navy', 'code'] },
      { name: 'Linus', age: 28, city: 'Helsinki', tags: ['kernel'] },
      { name: 'Alan', age: 41, city: 'London', tags: ['math'] },
    ],
  },
};

describe('process_data', () => {
  it('is READ_ONLY in the data category, with a JSON Schema input', () => {
    assert.equal(tool.permissionLevel, 1);
    assert.equal(tool.category, 'data');
    assert.equal(tool.inputSchema.type, 'object');
    assert.ok(tool.inputSchema.properties && 'operations' in tool.inputSchema.properties);
  });

  it('queries by path, filters, sorts, picks and limits, in order', async () => {
    const output = await run({
      data: JSON.stringify(people),
      operations: [
        { op: 'get', path: 'team.members' },
        { op: 'filter', field: 'age', gt: 30 },
        { op: 'sort', field: 'age', order: 'desc' },
        { op: 'pick', fields: ['name', 'city'] },
        { op: 'limit', n: 2 },
      ],
    });
    assert.deepEqual(JSON.parse(output), [
      { name: 'Grace', city: 'New York' },
      { name: 'Alan', city: 'London' },
    ]);
  });

  it('reads indexes and quoted keys in paths, and never reaches prototypes', async () => {
    assert.deepEqual(parsePath('a.b[0]["x.y"].c'), ['a', 'b', 0, 'x.y', 'c']);
    assert.equal(JSON.parse(await run({ data: people, operations: [{ op: 'get', path: 'team.members[1].tags[0]' }] })), 'navy');
    assert.equal(JSON.parse(await run({ data: { a: 1 }, operations: [{ op: 'get', path: '__proto__.constructor' }] })), null);
    await assert.rejects(run({ data: people, operations: [{ op: 'get', path: 'a..[' }] }), /cannot read the path/);
  });

  it('filters by contains, equals and exists; plucks, de-duplicates, counts and groups', async () => {
    const members = { data: people.team.members };
    const coders = await run({ ...members, operations: [{ op: 'filter', field: 'tags', contains: 'code' }, { op: 'pluck', field: 'name' }] });
    assert.deepEqual(JSON.parse(coders), ['Ada', 'Grace']);
    const londoners = await run({ ...members, operations: [{ op: 'filter', field: 'city', equals: 'London' }, { op: 'count' }] });
    assert.equal(JSON.parse(londoners), 2);
    const cities = await run({ ...members, operations: [{ op: 'unique', field: 'city' }, { op: 'pluck', field: 'city' }] });
    assert.deepEqual(JSON.parse(cities), ['London', 'New York', 'Helsinki']);
    const grouped = JSON.parse(await run({ ...members, operations: [{ op: 'group_by', field: 'city' }] }));
    assert.deepEqual(Object.keys(grouped), ['London', 'New York', 'Helsinki']);
    assert.equal(grouped.London.length, 2);
    const missing = await run({ ...members, operations: [{ op: 'filter', field: 'email', exists: false }, { op: 'skip', n: 3 }] });
    assert.deepEqual(JSON.parse(missing).map((member: { name: string }) => member.name), ['Alan']);
  });

  it('formats as YAML and as a markdown table', async () => {
    const yaml = await run({ data: people, operations: [{ op: 'get', path: 'team.members[0]' }, { op: 'omit', fields: ['tags'] }], format: 'yaml' });
    assert.deepEqual(parseYaml(yaml), { name: 'Ada', age: 36, city: 'London' });
    const table = await run({ data: [{ name: 'a|b', note: 'two\nlines' }, { name: 'c' }], format: 'table' });
    assert.equal(table, ['| name | note |', '| --- | --- |', '| a\\|b | two<br>lines |', '| c |  |'].join('\n'));
  });

  it('writes CSV that escapes quotes, commas and line breaks and defuses formulas', async () => {
    const csv = await run({
      data: [
        { text: 'say "hi", then\nleave', formula: '=HYPERLINK("http://evil")', number: -5 },
        { text: '+1 more', formula: '@SUM(A1)', number: 3, extra: { nested: true } },
      ],
      format: 'csv',
    });
    assert.equal(
      csv,
      [
        'text,formula,number,extra',
        '"say ""hi"", then\nleave","\'=HYPERLINK(""http://evil"")",-5,',
        '\'+1 more,\'@SUM(A1),3,"{""nested"":true}"',
      ].join('\r\n'),
    );
    assert.equal(csvField('-2 degrees'), "'-2 degrees");
    assert.equal(csvField(-2), '-2');
    assert.equal(csvField('\tcmd'), "'\tcmd");
  });

  it('refuses bad input with messages that say what to fix', async () => {
    await assert.rejects(run({ operations: [] }), (error: unknown) => error instanceof AppError && /process_data: .*at data/.test(error.message));
    await assert.rejects(run({ data: '{"broken": ' }), /does not parse/);
    await assert.rejects(run({ data: { a: 1 }, operations: [{ op: 'sort', field: 'a' }] }), /operation 1 \(sort\): sort works on an array/);
    await assert.rejects(run({ data: [], operations: [{ op: 'explode' }] }), /invalid input for process_data/);
    await assert.rejects(run({ data: [], format: 'xml' }), /invalid input for process_data/);
    // A plain string that is not JSON is a string value.
    assert.equal(await run({ data: 'just words' }), '"just words"');
  });
});

describe('process_data CSV and JSONPath', () => {
  it('writes CSV that csv-parse reads back cell for cell: quotes, commas, CR, LF, CRLF, empty cells', async () => {
    const { parse } = await import('csv-parse/sync');
    const cells = ['plain', 'a,b', 'say "hi"', 'two\nlines', 'cr\ronly', 'crlf\r\nend', '', ' padded '];
    const csv = await run({ data: cells.map((text, index) => ({ index, text })), format: 'csv' });
    const parsed = parse(csv, { columns: true, relax_column_count: false }) as { index: string; text: string }[];
    assert.deepEqual(parsed.map((row) => row.text), cells);
    assert.deepEqual(parsed.map((row) => Number(row.index)), cells.map((_, index) => index));
    assert.equal(csvField('cr\ronly'), '"cr\ronly"');
  });

  it('answers JSONPath filters, wildcards and recursive descent; a definite path answers the value', async () => {
    const get = async (path: string) => JSON.parse(await run({ data: people, operations: [{ op: 'get', path }] }));
    assert.deepEqual(await get('$.team.members[?(@.age > 40)].name'), ['Grace', 'Alan']);
    assert.deepEqual(await get('$..members[?(@.city === "London" && @.tags.includes("math"))].name'), ['Ada', 'Alan']);
    assert.deepEqual(await get('$.team.members[*].age'), [36, 85, 28, 41]);
    assert.deepEqual(await get('$..name'), ['Ada', 'Grace', 'Linus', 'Alan']);
    assert.equal(await get('$.team.members[2].city'), 'Helsinki');
    assert.equal(await get('$.team.nobody'), null);
    assert.equal(await get('$.__proto__'), null);
  });

  it('refuses a broken JSONPath, and a filter cannot reach JavaScript', async () => {
    await assert.rejects(run({ data: people, operations: [{ op: 'get', path: '$[?(' }] }), /cannot read the JSONPath/);
    await assert.rejects(
      run({ data: people, operations: [{ op: 'get', path: '$..members[?(@.constructor.constructor("return process")())]' }] }),
      /cannot read the JSONPath/,
    );
  });
});
