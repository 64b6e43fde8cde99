/**
 * RouterOS API framing (MikroTik's "API" manual): a word is a length prefix plus bytes, a sentence
 * is words closed by an empty word. Words are kept as latin1 strings so every byte survives unchanged, as on a router.
 */

/** Bytes of the length prefix for a word of `length` bytes (1 to 5 bytes, big-endian). */
export function encodeLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  if (length < 0x4000) return Buffer.from([(length >> 8) | 0x80, length & 0xff]);
  if (length < 0x200000) return Buffer.from([(length >> 16) | 0xc0, (length >> 8) & 0xff, length & 0xff]);
  if (length < 0x10000000) {
    return Buffer.from([(length >>> 24) | 0xe0, (length >> 16) & 0xff, (length >> 8) & 0xff, length & 0xff]);
  }
  const prefix = Buffer.alloc(5);
  prefix[0] = 0xf0;
  prefix.writeUInt32BE(length, 1);
  return prefix;
}

export function encodeSentence(words: readonly string[]): Buffer {
  const parts: Buffer[] = [];
  for (const word of words) {
    const bytes = Buffer.from(word, 'latin1');
    parts.push(encodeLength(bytes.length), bytes);
  }
  parts.push(Buffer.from([0]));
  return Buffer.concat(parts);
}

/** Raised for bytes that are not a valid RouterOS API stream; the router drops such a connection. */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
}

/** Decodes a length prefix at `offset`; undefined while the prefix is still incomplete. */
function decodeLength(buffer: Buffer, offset: number): { length: number; size: number } | undefined {
  if (offset >= buffer.length) return undefined;
  const first = buffer[offset];
  let size: number;
  if (first < 0x80) size = 1;
  else if (first < 0xc0) size = 2;
  else if (first < 0xe0) size = 3;
  else if (first < 0xf0) size = 4;
  else if (first === 0xf0) size = 5;
  else throw new ProtocolError(`reserved control byte 0x${first.toString(16)}`);
  if (offset + size > buffer.length) return undefined;
  switch (size) {
    case 1:
      return { length: first, size };
    case 2:
      return { length: ((first & 0x3f) << 8) | buffer[offset + 1], size };
    case 3:
      return { length: ((first & 0x1f) << 16) | buffer.readUInt16BE(offset + 1), size };
    case 4:
      return { length: (first & 0x0f) * 0x1000000 + buffer.readUIntBE(offset + 1, 3), size };
    default:
      return { length: buffer.readUInt32BE(offset + 1), size };
  }
}

/** Turns a byte stream, cut into arbitrary chunks, back into sentences. */
export class SentenceDecoder {
  private pending: Buffer = Buffer.alloc(0);
  private words: string[] = [];

  /** Feeds one chunk; returns the sentences it completed. Throws ProtocolError on a reserved control byte. */
  push(chunk: Buffer): string[][] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const sentences: string[][] = [];
    let offset = 0;
    for (;;) {
      const prefix = decodeLength(this.pending, offset);
      if (!prefix || offset + prefix.size + prefix.length > this.pending.length) break;
      const start = offset + prefix.size;
      offset = start + prefix.length;
      if (prefix.length === 0) {
        // An empty sentence carries nothing; RouterOS ignores it.
        if (this.words.length > 0) sentences.push(this.words);
        this.words = [];
      } else {
        this.words.push(this.pending.toString('latin1', start, offset));
      }
    }
    this.pending = this.pending.subarray(offset);
    return sentences;
  }
}
