import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError } from '../errors/app-error.ts';
import { createHostAllowList } from './host-allow-list.ts';
import { parseIpAddress, type IpAddress } from './ip-address.ts';

const address = (text: string): IpAddress => parseIpAddress(text) as IpAddress;

describe('host allow-list', () => {
  it('matches host names exactly, whatever the case, trailing dot, port or URL form', () => {
    const list = createHostAllowList(['Ollama.LAN', 'vllm.internal:8000', 'https://gpu.local/v1', 'bücher.example']);
    for (const hostname of ['ollama.lan', 'OLLAMA.lan.', 'vllm.internal', 'gpu.local', 'xn--bcher-kva.example']) {
      assert.equal(list.allowsHostName(hostname), true, hostname);
    }
    for (const hostname of ['lan', 'x.ollama.lan', 'ollama.lan.evil.example', 'gpu.local.example']) {
      assert.equal(list.allowsHostName(hostname), false, hostname);
    }
    assert.equal(list.allowsAddress(address('127.0.0.1')), false);
  });

  it('matches exact addresses and CIDR ranges of both families, and IPv4-mapped forms of allowed IPv4', () => {
    const list = createHostAllowList(['192.168.1.20', '10.0.0.0/8', 'fd00::/8', '[fe80::1]', '2130706433']);
    for (const text of ['192.168.1.20', '10.0.0.1', '10.255.255.255', 'fd12::1', 'fe80::1', '127.0.0.1', '::ffff:10.9.9.9']) {
      assert.equal(list.allowsAddress(address(text)), true, text);
    }
    for (const text of ['192.168.1.21', '11.0.0.0', 'fe80::2', 'fc00::1', '127.0.0.2', '64:ff9b::10.0.0.1']) {
      assert.equal(list.allowsAddress(address(text)), false, text);
    }
    assert.equal(list.allowsHostName('10.0.0.1'), false);
  });

  it('normalises entries so equal lists compare equal', () => {
    assert.deepEqual(createHostAllowList(['B.example', 'a.example.', '10.0.0.0/8']).entries, createHostAllowList(['10.0.0.0/8', 'a.example', 'b.example']).entries);
  });

  it('throws on an entry that is none of a host name, address or range', () => {
    for (const entry of ['10.0.0.0/33', 'fd00::/129', '10.0.0.0/x', ' ', 'http://', 'a b']) {
      assert.throws(() => createHostAllowList([entry]), (error: unknown) => error instanceof AppError && error.code === 'VALIDATION_ERROR', entry);
    }
  });
});
