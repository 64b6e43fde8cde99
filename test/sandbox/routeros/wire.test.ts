import { encodeLength, encodeSentence, ProtocolError, SentenceDecoder } from '../../../sandbox/routeros/wire';

describe('RouterOS API framing', () => {
  it.each([
    [0, 1],
    [0x7f, 1],
    [0x80, 2],
    [0x3fff, 2],
    [0x4000, 3],
    [0x1fffff, 3],
    [0x200000, 4],
    [0xfffffff, 4],
    [0x10000000, 5],
  ])('encodes a length of %i in %i bytes', (length, size) => {
    expect(encodeLength(length)).toHaveLength(size);
  });

  it('decodes every length form back, a byte at a time', () => {
    const words = ['/ip/hotspot/user/add', 'a'.repeat(0x80), 'b'.repeat(0x4000), 'c'.repeat(0x200000), '=x='];
    const bytes = Buffer.concat([encodeSentence(words), encodeSentence(['/quit'])]);
    const decoder = new SentenceDecoder();
    const sentences: string[][] = [];
    // Byte by byte for the short parts, then the rest in one go: sentences must survive any chunking.
    for (let i = 0; i < 200; i++) sentences.push(...decoder.push(bytes.subarray(i, i + 1)));
    sentences.push(...decoder.push(bytes.subarray(200)));
    expect(sentences).toEqual([words, ['/quit']]);
  });

  it('waits for the rest of a word announced with a 5-byte length', () => {
    const decoder = new SentenceDecoder();
    expect(decoder.push(Buffer.concat([encodeLength(0x10000000), Buffer.from('partial')]))).toEqual([]);
  });

  it('keeps every byte of a word (RouterOS words are bytes, not text)', () => {
    const word = Buffer.from([0x3d, 0x80, 0x9f, 0xff]).toString('latin1');
    expect(new SentenceDecoder().push(encodeSentence(['/x', word]))).toEqual([['/x', word]]);
  });

  it('ignores empty sentences', () => {
    expect(new SentenceDecoder().push(Buffer.concat([Buffer.from([0]), encodeSentence(['/a'])]))).toEqual([['/a']]);
  });

  it('rejects a reserved control byte', () => {
    expect(() => new SentenceDecoder().push(Buffer.from([0xf8, 0]))).toThrow(ProtocolError);
  });
});
