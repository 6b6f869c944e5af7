import { count, formatNumber } from '../../src/gateway/views/format';

describe('numbers on gateway pages', () => {
  it('are written one way, with thousands separated by commas', () => {
    expect(formatNumber(10000)).toBe('10,000');
    expect(formatNumber(1234567)).toBe('1,234,567');
    expect(formatNumber(7)).toBe('7');
  });

  it('agree with their noun', () => {
    expect(count(1, 'try', 'tries')).toBe('1 try');
    expect(count(4, 'try', 'tries')).toBe('4 tries');
    expect(count(0, 'minute')).toBe('0 minutes');
    expect(count(10000, 'minute')).toBe('10,000 minutes');
  });
});
