import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { contentDisposition, decodeBase64, normaliseMimeType, resolveMimeType, sanitiseFileName, sniffMimeType } from './file-content.ts';
import { isTextLike, toPromptFile } from './prompt-files.ts';

const bytes = (...values: number[]) => Uint8Array.from(values);
const text = (value: string) => new TextEncoder().encode(value);

describe('base64 decoding', () => {
  it('decodes standard, URL-safe, unpadded, line-wrapped and data: URL forms', () => {
    const original = Buffer.from([0xfb, 0xff, 0xfe, 0x00, 0x41]);
    for (const form of [
      original.toString('base64'),
      original.toString('base64url'),
      original.toString('base64').replace(/=+$/, ''),
      `${original.toString('base64').slice(0, 4)}\r\n${original.toString('base64').slice(4)}`,
      `data:application/octet-stream;base64,${original.toString('base64')}`,
    ]) {
      assert.ok(decodeBase64(form).equals(original), form);
    }
    assert.equal(decodeBase64('').length, 0);
  });

  it('refuses characters outside the alphabet, misplaced padding and impossible lengths', () => {
    for (const [input, message] of [
      ['aGVs bG8!', /character "!" at position 7/],
      ['aGVsbG8=d29y', /padding/],
      ['aGVsb', /length or "=" padding/],
      ['aGVsbG8===', /padding/],
      ['aGVsbA=', /padding/],
    ] as const) {
      assert.throws(() => decodeBase64(input), (error: Error & { code?: string }) => error.code === 'VALIDATION_ERROR' && message.test(error.message), input);
    }
  });
});

describe('content types', () => {
  it('recognises PNG, JPEG, GIF, WebP and PDF by their first bytes, and nothing else', () => {
    assert.equal(sniffMimeType(bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0)), 'image/png');
    assert.equal(sniffMimeType(bytes(0xff, 0xd8, 0xff, 0xdb)), 'image/jpeg');
    assert.equal(sniffMimeType(text('GIF89a....')), 'image/gif');
    assert.equal(sniffMimeType(text('RIFF\u0000\u0000\u0000\u0000WEBPVP8 ')), 'image/webp');
    assert.equal(sniffMimeType(text('RIFF\u0000\u0000\u0000\u0000WAVEfmt ')), undefined);
    assert.equal(sniffMimeType(text('%PDF-1.4')), 'application/pdf');
    assert.equal(sniffMimeType(text('hello')), undefined);
    assert.equal(sniffMimeType(bytes(0x89, 0x50)), undefined);
  });

  it('normalises declared types and checks them against the bytes', () => {
    assert.equal(normaliseMimeType('Image/JPG; q=1'), 'image/jpeg');
    assert.equal(normaliseMimeType('not a type'), undefined);
    const png = bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);
    assert.equal(resolveMimeType(undefined, png), 'image/png');
    assert.equal(resolveMimeType('application/octet-stream', text('plain')), 'application/octet-stream');
    assert.equal(resolveMimeType('text/csv; charset=utf-8', text('a,b')), 'text/csv');
    assert.equal(resolveMimeType('image/svg+xml', text('<svg/>')), 'image/svg+xml');
    assert.throws(() => resolveMimeType('image/gif', text('GIF? no')), /not a GIF image \(they are not\)/);
    assert.throws(() => resolveMimeType('application/pdf', png), /not a PDF document \(they are a PNG image\)/);
    assert.throws(() => resolveMimeType('text/plain', png), /send mimeType image\/png/);
    assert.throws(() => resolveMimeType('<script>', png), /not a media type/);
  });
});

describe('file names', () => {
  it('keeps the last path segment without control or bidi characters', () => {
    assert.equal(sanitiseFileName('../../etc/passwd'), 'passwd');
    assert.equal(sanitiseFileName('C:\\Users\\me\\report.pdf'), 'report.pdf');
    assert.equal(sanitiseFileName('a\u0000b\u202ec.txt\n'), 'abc.txt');
    assert.equal(sanitiseFileName('..'), 'file');
    assert.equal(sanitiseFileName('dir/'), 'file');
    const long = sanitiseFileName(`${'x'.repeat(400)}.markdown`);
    assert.equal(long.length, 255);
    assert.ok(long.endsWith('.markdown'));
  });

  it('writes Content-Disposition with an ASCII fallback and the exact UTF-8 name', () => {
    assert.equal(contentDisposition('attachment', 'résumé "v2".pdf'), `attachment; filename="r_sum_ _v2_.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%22v2%22.pdf`);
  });
});

describe('files in prompts', () => {
  const file = (name: string, mimeType: string) => ({ id: 'f1', name, mimeType });

  it('treats text types, +json/+xml and source file names as text, but not images or PDFs named like text', () => {
    assert.ok(isTextLike('text/csv', 'a.csv'));
    assert.ok(isTextLike('application/ld+json', 'a'));
    assert.ok(isTextLike('application/octet-stream', 'Main.KT'));
    assert.ok(!isTextLike('application/octet-stream', 'archive.zip'));
    assert.ok(!isTextLike('application/pdf', 'notes.txt'));
  });

  it('decodes UTF-8 (without its BOM), refuses other encodings and binary, and cuts long text with a note', () => {
    assert.equal(toPromptFile(file('a.txt', 'text/plain'), Uint8Array.from([0xef, 0xbb, 0xbf, 0x68, 0x69]), 100).text, 'hi');
    assert.throws(() => toPromptFile(file('latin1.txt', 'text/plain'), Uint8Array.from([0x63, 0x61, 0x66, 0xe9]), 100), /not UTF-8 text/);
    assert.throws(() => toPromptFile(file('a.txt', 'text/plain'), Uint8Array.from([0x61, 0, 0x62]), 100), /looks binary/);
    const cut = toPromptFile(file('long.md', 'text/markdown'), text(`${'a'.repeat(9)}😀tail`), 10);
    assert.equal(cut.truncated, true);
    assert.ok(cut.text!.startsWith('a'.repeat(9)), 'the cut never splits a surrogate pair');
    assert.ok(!cut.text!.startsWith(`${'a'.repeat(9)}\ud83d`));
    assert.match(cut.text!, /\[truncated: only the first 9 of 15 characters of long\.md are included\]$/);
    assert.throws(() => toPromptFile(file('a.zip', 'application/zip'), text('PK'), 100), /cannot be used in chat: attach images/);
  });
});
