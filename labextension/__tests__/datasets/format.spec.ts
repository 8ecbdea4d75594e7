import {
  formatBytes,
  formatDate,
  formatExact,
  formatValue,
  isNumericType,
  loadCode
} from '../../datasets/components/format';

describe('datasets formatting', () => {
  it('formats sizes in binary units', () => {
    expect(formatBytes(undefined)).toBe('–');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(20 * 1024 * 1024)).toBe('20 MB');
  });

  it('rounds derived statistics, and goes scientific where a double has no more digits', () => {
    expect(formatValue(null)).toBe('–');
    expect(formatValue(3)).toBe('3');
    expect(formatValue(2.718281828)).toBe('2.718');
    expect(formatValue(1577134800018165000)).toBe('1.57713480001816e+18');
    expect(formatValue(10n ** 16n)).toBe('1e+16');
    expect(formatValue('text')).toBe('text');
  });

  it('shows stored values exactly', () => {
    expect(formatExact(9007199254740993n)).toBe('9007199254740993');
    expect(formatExact(0.1)).toBe('0.1');
    expect(formatExact(undefined)).toBe('–');
  });

  it('right-aligns Arrow number types only', () => {
    for (const type of ['int64', 'uint8', 'double', 'float', 'halffloat', 'decimal128(10, 2)']) {
      expect(isNumericType(type)).toBe(true);
    }
    for (const type of ['string', 'timestamp[us]', undefined]) {
      expect(isNumericType(type)).toBe(false);
    }
  });

  it('writes the Python that loads a version', () => {
    expect(loadCode('iris', 2)).toContain('mh.datasets.get("iris", version=2).to_pandas()');
    expect(loadCode('a"b')).toContain('mh.datasets.get("a\\"b").to_pandas()');
    expect(formatDate(null)).toBe('–');
  });
});
