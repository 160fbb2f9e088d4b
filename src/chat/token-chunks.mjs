// How texts are cut for counting (see docs/decisions/0013-process-hygiene.md). gpt-tokenizer grows
// far faster than linearly on long runs without whitespace (a 200k-character run took 22 s), so a
// text is counted in chunks of at most `chunkCharacters`, cut at whitespace where there is some:
// the tokenizer stays linear there, and the sum agrees with one whole-text count to within a token
// per cut. Plain JavaScript: the counting worker loads it as it is.

export const chunkCharacters = 1000;
/**
 * Longer texts are estimated from `sampleCount` evenly spaced chunks, scaled to the full length:
 * one count then costs a bounded time, and only a bounded text is copied to the worker.
 */
export const exactCharacters = 256 * 1024;
export const sampleCount = 256;

const isWhitespace = (code) => code === 32 || code === 10 || code === 13 || code === 9;
const isHighSurrogate = (code) => code >= 0xd800 && code <= 0xdbff;

/** Where the chunk starting at `start` ends: before the last whitespace in its second half, else a hard cut. */
export function chunkEnd(text, start) {
  const limit = start + chunkCharacters;
  if (limit >= text.length) return text.length;
  for (let index = limit - 1; index > start + chunkCharacters / 2; index -= 1) {
    if (isWhitespace(text.charCodeAt(index))) return index;
  }
  // Never split a surrogate pair: half a character would count as replacement bytes.
  return isHighSurrogate(text.charCodeAt(limit - 1)) ? limit - 1 : limit;
}

export function countInChunks(countTokens, text) {
  let tokens = 0;
  for (let start = 0; start < text.length; ) {
    const end = chunkEnd(text, start);
    tokens += countTokens(text.slice(start, end));
    start = end;
  }
  return tokens;
}

/**
 * What the worker is sent for a text (one string, or its pieces in order): the text itself, or
 * its samples and its length. Pieces stay pieces: a streamed answer of many megabytes held as
 * one concatenated string would cost a long flattening before its first sample could be read.
 */
export function countingRequest(input) {
  const parts = typeof input === 'string' ? [input] : input;
  let length = 0;
  for (const part of parts) length += part.length;
  if (length <= exactCharacters) return { text: parts.join('') };
  const stride = Math.floor(length / sampleCount);
  const samples = [];
  let partIndex = 0;
  let partStart = 0;
  for (let index = 0; index < sampleCount; index += 1) {
    const start = index * stride;
    while (partStart + parts[partIndex].length <= start) {
      partStart += parts[partIndex].length;
      partIndex += 1;
    }
    let window = '';
    for (let next = partIndex, offset = start - partStart; window.length < chunkCharacters && next < parts.length; next += 1, offset = 0) {
      window += parts[next].slice(offset, offset + chunkCharacters - window.length);
    }
    samples.push(window.slice(0, chunkEnd(window, 0)));
  }
  return { samples, length };
}

/** Tokens for a counting request: exact for a text, scaled from the samples for a long one. */
export function countRequest(countTokens, request) {
  if (typeof request.text === 'string') return countInChunks(countTokens, request.text);
  let characters = 0;
  let tokens = 0;
  for (const sample of request.samples) {
    characters += sample.length;
    tokens += countTokens(sample);
  }
  return characters === 0 ? 0 : Math.ceil((tokens / characters) * request.length);
}
