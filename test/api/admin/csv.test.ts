import { csvCell, toCsv } from '../../../api/admin/csv';

describe('CSV export', () => {
  it('quotes cells with commas, quotes and line breaks, doubling the quotes', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell(null)).toBe('');
    expect(csvCell(19.5)).toBe('19.5');
  });

  it.each(['=1+1', '+52 55', '-2+3', '@SUM(A1)', '\tcmd', '\rcmd'])('neutralises a formula in untrusted text: %j', (value) => {
    expect(csvCell(value, true).replace(/^"/, '')).toMatch(/^'/);
    expect(csvCell(value)).not.toMatch(/^'/);
  });

  it('writes a header and CRLF-terminated lines', () => {
    const csv = toCsv([{ header: 'nombre', value: (r: { n: string }) => r.n, untrusted: true }], [{ n: '=cmd|calc' }, { n: 'Ana' }]);
    expect(csv).toBe("nombre\r\n'=cmd|calc\r\nAna\r\n");
  });
});
