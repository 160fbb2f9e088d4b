import { randomBytes } from 'node:crypto';

/**
 * UUIDv7 ids: time-ordered, so sorting by id sorts by creation on every dialect without an
 * auto-increment column, and B-tree inserts stay local. A per-generator counter keeps ids made in
 * the same millisecond in order (RFC 9562, method 1: 12-bit counter in rand_a).
 */
export function createIdGenerator(now: () => number = Date.now): () => string {
  let lastMillis = -1;
  let counter = 0;
  return () => {
    let millis = now();
    if (millis <= lastMillis) {
      counter += 1;
      if (counter > 0xfff) {
        lastMillis += 1;
        counter = 0;
      }
      millis = lastMillis;
    } else {
      lastMillis = millis;
      counter = randomBytes(2).readUInt16BE(0) & 0x3ff;
    }
    const bytes = randomBytes(16);
    bytes.writeUIntBE(millis, 0, 6);
    bytes[6] = 0x70 | ((counter >> 8) & 0x0f);
    bytes[7] = counter & 0xff;
    bytes[8] = 0x80 | (bytes[8]! & 0x3f);
    const hex = bytes.toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  };
}

export type IdGenerator = () => string;
