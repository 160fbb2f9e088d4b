import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { testDatabases } from '../../../test/support/databases.ts';
import { bearer, createTestApp, json, signUp, type TestApp } from '../../../test/support/test-app.ts';
import { uploadBodyLimit } from './attachment-routes.ts';

const pngBytes = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(64)]);
const jpegBytes = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(64)]);
const fifteenMegabytes = 15 * 1024 * 1024;

for (const database of testDatabases()) {
  for (const store of ['local', 'database'] as const) {
    describe(`attachment and file routes (${database.name}, ${store} store)`, () => {
      let harness: TestApp;
      let alice: Awaited<ReturnType<typeof signUp>>;
      let bob: Awaited<ReturnType<typeof signUp>>;
      before(async () => {
        harness = await createTestApp(await database.open(), { env: { COLLOQUY_FILE_STORE: store } });
        alice = await signUp(harness.app);
        bob = await signUp(harness.app);
      });
      after(() => harness.close());

      const upload = (token: string, body: Record<string, unknown>) =>
        harness.app.inject({ method: 'POST', url: '/api/chat/attachments', headers: bearer(token), payload: body });
      const call = (method: 'GET' | 'DELETE', url: string, token: string, headers: Record<string, string> = {}) =>
        harness.app.inject({ method, url, headers: { ...bearer(token), ...headers } });
      const asBase64 = (filename: string, mimeType: string, bytes: Buffer) => ({
        filename, mimeType, size: bytes.length, data: bytes.toString('base64'),
      });

      it('round-trips an image: upload, metadata, the same bytes back inline, 304 on a matching ETag', async () => {
        const uploaded = await upload(alice.token, asBase64('photo.png', 'image/png', pngBytes));
        assert.equal(uploaded.statusCode, 200, uploaded.body);
        const body = json(uploaded);
        assert.equal(body.success, true);
        assert.equal(body.code, 'SUCCESS');
        const file = body.data;
        assert.deepEqual(
          { name: file.name, size: file.size, mimeType: file.mimeType, url: file.url },
          { name: 'photo.png', size: pngBytes.length, mimeType: 'image/png', url: `/api/files/${file.id}/content` },
        );
        assert.equal(file.sha256, createHash('sha256').update(pngBytes).digest('hex'));

        const metadata = await call('GET', `/api/files/${file.id}`, alice.token);
        assert.equal(metadata.statusCode, 200, metadata.body);
        assert.deepEqual(json(metadata).data, file);

        const content = await call('GET', file.url, alice.token);
        assert.equal(content.statusCode, 200);
        assert.ok(content.rawPayload.equals(pngBytes), 'the downloaded bytes equal the uploaded ones');
        assert.equal(content.headers['content-type'], 'image/png');
        assert.equal(content.headers['x-content-type-options'], 'nosniff');
        assert.match(String(content.headers['content-disposition']), /^inline; filename="photo\.png"/);

        const again = await call('GET', file.url, alice.token, { 'if-none-match': String(content.headers.etag) });
        assert.equal(again.statusCode, 304);
        assert.equal(again.rawPayload.length, 0);
      });

      it('serves anything but a safe image as an attachment, and keeps only the last part of a path as the name', async () => {
        const html = Buffer.from('<script>alert(1)</script>');
        const uploaded = await upload(alice.token, asBase64('..\\..\\evil/page.html', 'text/html', html));
        assert.equal(uploaded.statusCode, 200, uploaded.body);
        const file = json(uploaded).data;
        assert.equal(file.name, 'page.html');
        const content = await call('GET', file.url, alice.token);
        assert.equal(content.statusCode, 200);
        assert.equal(content.body, html.toString());
        assert.match(String(content.headers['content-disposition']), /^attachment; filename="page\.html"/);
        assert.equal(content.headers['x-content-type-options'], 'nosniff');
        assert.match(String(content.headers['content-security-policy']), /sandbox/);
      });

      it(`accepts a ${fifteenMegabytes}-byte file although the server-wide body limit is ${1024 * 1024} bytes`, async () => {
        assert.ok(harness.config.server.bodyLimit < fifteenMegabytes);
        const bytes = randomBytes(fifteenMegabytes);
        const uploaded = await upload(alice.token, asBase64('big.bin', 'application/octet-stream', bytes));
        assert.equal(uploaded.statusCode, 200, uploaded.body.slice(0, 500));
        const file = json(uploaded).data;
        assert.equal(file.size, fifteenMegabytes);
        const content = await call('GET', file.url, alice.token);
        assert.ok(content.rawPayload.equals(bytes));
        assert.equal(content.headers['content-type'], 'application/octet-stream');
      });

      it('answers 413 PAYLOAD_TOO_LARGE naming the limit: one byte over, a larger declared size, a body past the route limit', async () => {
        const overByOne = await upload(alice.token, asBase64('over.bin', 'application/octet-stream', randomBytes(fifteenMegabytes + 1)));
        assert.equal(overByOne.statusCode, 413, overByOne.body.slice(0, 500));
        assert.equal(json(overByOne).code, 'PAYLOAD_TOO_LARGE');
        assert.match(json(overByOne).message, /15728640 bytes \(15 MB\)/);

        const declared = await upload(alice.token, { filename: 'a.bin', size: fifteenMegabytes + 1, data: 'AAAA' });
        assert.equal(declared.statusCode, 413);
        assert.match(json(declared).message, /largest file accepted is 15728640 bytes/);

        const limit = uploadBodyLimit(fifteenMegabytes, harness.config.server.bodyLimit);
        const huge = await upload(alice.token, { filename: 'a.bin', data: 'A'.repeat(limit + 4) });
        assert.equal(huge.statusCode, 413);
        assert.equal(json(huge).code, 'PAYLOAD_TOO_LARGE');
        assert.match(json(huge).message, /largest file accepted is 15728640 bytes \(15 MB\)/);
      });

      it('answers 400 for bad base64, a size that does not match, and a type the bytes contradict', async () => {
        const bad = await upload(alice.token, { filename: 'a.txt', mimeType: 'text/plain', data: 'aGVsbG8*d29ybGQ=' });
        assert.equal(bad.statusCode, 400);
        assert.equal(json(bad).code, 'VALIDATION_ERROR');
        assert.match(json(bad).message, /not valid base64: character "\*" at position 7/);

        const cut = await upload(alice.token, { filename: 'a.txt', mimeType: 'text/plain', data: 'aGVsbG8gd' });
        assert.equal(cut.statusCode, 400);
        assert.match(json(cut).message, /length or "=" padding/);

        const mismatch = await upload(alice.token, { filename: 'a.txt', mimeType: 'text/plain', size: 99, data: Buffer.from('hello').toString('base64') });
        assert.equal(mismatch.statusCode, 400);
        assert.match(json(mismatch).message, /size says 99 bytes but data decodes to 5 bytes/);

        const lying = await upload(alice.token, asBase64('photo.png', 'image/png', jpegBytes));
        assert.equal(lying.statusCode, 400);
        assert.match(json(lying).message, /mimeType says image\/png but the bytes are not a PNG image \(they are a JPEG image\)/);

        const disguised = await upload(alice.token, asBase64('notes.txt', 'text/plain', pngBytes));
        assert.equal(disguised.statusCode, 400);
        assert.match(json(disguised).message, /send mimeType image\/png/);

        const missing = await upload(alice.token, { filename: 'a.txt' });
        assert.equal(missing.statusCode, 400);
        assert.match(json(missing).message, /data/);
      });

      it('detects the type of a generically declared image and accepts a data: URL', async () => {
        const uploaded = await upload(alice.token, {
          filename: 'pasted', mimeType: 'application/octet-stream', data: `data:image/png;base64,${pngBytes.toString('base64')}`,
        });
        assert.equal(uploaded.statusCode, 200, uploaded.body);
        assert.equal(json(uploaded).data.mimeType, 'image/png');
        assert.equal(json(uploaded).data.size, pngBytes.length);
      });

      it("keeps every file its owner's: another user gets 404 for metadata, bytes and delete, and does not list it", async () => {
        const file = json(await upload(alice.token, asBase64('secret.txt', 'text/plain', Buffer.from('alice only')))).data;
        for (const [method, url] of [['GET', `/api/files/${file.id}`], ['GET', file.url], ['DELETE', `/api/files/${file.id}`]] as const) {
          const response = await call(method, url, bob.token);
          assert.equal(response.statusCode, 404, `${method} ${url}`);
          assert.equal(json(response).code, 'NOT_FOUND');
        }
        const listed = json(await call('GET', '/api/files?limit=200', bob.token)).data;
        assert.equal(listed.items.some((item: { id: string }) => item.id === file.id), false);
        const own = json(await call('GET', '/api/files?limit=200', alice.token)).data;
        assert.ok(own.items.some((item: { id: string }) => item.id === file.id));
        assert.equal(own.pagination.total, own.total);
        assert.equal((await call('GET', `/api/files/${file.id}`, alice.token)).statusCode, 200, 'still there for its owner');
        const anonymous = await harness.app.inject({ method: 'GET', url: file.url });
        assert.equal(anonymous.statusCode, 401);
      });

      it('deletes a file (JSON body); its metadata and bytes are gone, a copy with the same contents stays readable', async () => {
        const bytes = Buffer.from('the same contents twice');
        const first = json(await upload(alice.token, asBase64('one.txt', 'text/plain', bytes))).data;
        const second = json(await upload(alice.token, asBase64('two.txt', 'text/plain', bytes))).data;
        assert.notEqual(first.id, second.id);
        const deleted = await call('DELETE', `/api/files/${first.id}`, alice.token);
        assert.equal(deleted.statusCode, 200, deleted.body);
        assert.deepEqual(json(deleted).data, { id: first.id, deleted: true });
        assert.equal((await call('GET', `/api/files/${first.id}`, alice.token)).statusCode, 404);
        assert.equal((await call('GET', first.url, alice.token)).statusCode, 404);
        assert.equal((await call('DELETE', `/api/files/${first.id}`, alice.token)).statusCode, 404);
        assert.equal((await call('GET', second.url, alice.token)).body, bytes.toString());
      });

      it('hands files to chat through readForPrompt: images, text (capped), PDFs refused, others NOT_FOUND', async () => {
        const files = harness.dependencies.services.files;
        const image = json(await upload(alice.token, asBase64('a.png', 'image/png', pngBytes))).data;
        const text = json(await upload(alice.token, asBase64('notes.md', 'text/markdown', Buffer.from('# Notes\nhello')))).data;
        const code = json(await upload(alice.token, asBase64('main.py', 'application/octet-stream', Buffer.from('print("hi")')))).data;
        const pdf = json(await upload(alice.token, asBase64('paper.pdf', 'application/pdf', Buffer.from('%PDF-1.7 ...')))).data;

        const ready = await files.readForPrompt(alice.id, [image.id, text.id, code.id]);
        assert.deepEqual(ready.map((file) => [file.id, file.kind, file.text]), [
          [image.id, 'image', undefined],
          [text.id, 'text', '# Notes\nhello'],
          [code.id, 'text', 'print("hi")'],
        ]);
        assert.ok(Buffer.from(ready[0]!.data).equals(pngBytes));

        await assert.rejects(files.readForPrompt(alice.id, [text.id, pdf.id]), (error: Error & { code?: string }) => {
          assert.equal(error.code, 'VALIDATION_ERROR');
          assert.match(error.message, /paper\.pdf.*images \(PNG, JPEG, GIF, WebP\).*PDFs comes with knowledge bases/);
          return true;
        });
        await assert.rejects(files.readForPrompt(bob.id, [image.id]), { code: 'NOT_FOUND' });
      });
    });
  }

  describe(`file routes in the OpenAPI document (${database.name})`, () => {
    it('documents the upload body, the envelope and the binary download', async () => {
      const harness = await createTestApp(await database.open());
      try {
        const document = json((await harness.app.inject({ method: 'GET', url: '/api/openapi.json' })));
        const upload = document.paths['/api/chat/attachments'].post;
        assert.deepEqual(upload.requestBody.content['application/json'].schema.required.sort(), ['data', 'filename']);
        assert.ok(upload.responses['200'].content['application/json'].schema.properties.data.properties.url);
        const download = document.paths['/api/files/{id}/content'].get.responses['200'];
        assert.equal(download.content['application/octet-stream'].schema.format, 'binary');
        assert.ok(document.paths['/api/files/{id}'].delete);
      } finally {
        await harness.close();
      }
    });
  });

  describe(`file limits from settings (${database.name})`, () => {
    let harness: TestApp;
    before(async () => {
      harness = await createTestApp(await database.open(), {
        env: { COLLOQUY_MAX_FILE_BYTES: '2048', COLLOQUY_FILE_QUOTA_BYTES: '3000', COLLOQUY_FILE_PROMPT_MAX_CHARS: '100' },
      });
    });
    after(() => harness.close());

    it('applies the per-file limit, the per-user quota (duplicates count once) and the prompt text cap', async () => {
      const user = await signUp(harness.app);
      const send = (bytes: Buffer) =>
        harness.app.inject({
          method: 'POST', url: '/api/chat/attachments', headers: bearer(user.token),
          payload: { filename: 'a.txt', mimeType: 'text/plain', size: bytes.length, data: bytes.toString('base64') },
        });
      const tooBig = await send(Buffer.alloc(2049, 'a'));
      assert.equal(tooBig.statusCode, 413);
      assert.match(json(tooBig).message, /largest file accepted is 2048 bytes/);

      const first = await send(Buffer.alloc(2000, 'b'));
      assert.equal(first.statusCode, 200, first.body);
      assert.equal((await send(Buffer.alloc(2000, 'b'))).statusCode, 200, 'the same contents again take no more room');
      const over = await send(Buffer.alloc(1001, 'c'));
      assert.equal(over.statusCode, 413);
      assert.match(json(over).message, /already use 2000 of your 3000 bytes/);

      const ready = await harness.dependencies.services.files.readForPrompt(user.id, [json(first).data.id]);
      assert.equal(ready[0]!.truncated, true);
      assert.ok(ready[0]!.text!.startsWith('b'.repeat(100)));
      assert.match(ready[0]!.text!, /\[truncated: only the first 100 of 2000 characters of a\.txt are included\]$/);
    });
  });
}
