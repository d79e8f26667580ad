import { csvCell } from '../../../../src/app/work-orders/reporting/work-order-report.service';

describe('csvCell (OWASP CSV injection)', () => {
  it.each([
    ['=1+1', "'=1+1"],
    ['+1', "'+1"],
    ['-1+cmd', "'-1+cmd"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\t=1', `"'\t=1"`],
    ['\r=1', `"'\r=1"`],
    ['=HYPERLINK("x","y")', `"'=HYPERLINK(""x"",""y"")"`],
  ])('text %j becomes %j', (input, out) => {
    expect(csvCell(input)).toBe(out);
  });

  it('numbers stay numbers (a negative change is not text), plain text is unchanged', () => {
    expect(csvCell(-3)).toBe('-3');
    expect(csvCell(12.5)).toBe('12.5');
    expect(csvCell('投诉')).toBe('投诉');
    expect(csvCell('a,b')).toBe('"a,b"');
  });
});
