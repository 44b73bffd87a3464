import { describe, expect, it } from 'vitest';
import {
  addQuantities,
  canonicalQuantity,
  compareQuantities,
  parseQuantity,
  quantityMilliValue,
  quantityValue,
  roundUpQuantity,
  formatQuantity,
  QUANTITY_FORMAT_ERROR,
  QUANTITY_SUFFIX_ERROR,
} from '../../src/machinery/quantity.js';

describe('canonical quantity format', () => {
  it.each([
    ['0', '0'],
    ['0Mi', '0'],
    ['100m', '100m'],
    ['0.1', '100m'],
    ['.5', '500m'],
    ['1000m', '1'],
    ['1500m', '1500m'],
    ['1.5', '1500m'],
    ['1000', '1k'],
    ['1500', '1500'],
    ['2', '2'],
    ['1Gi', '1Gi'],
    ['1.5Gi', '1536Mi'],
    ['0.5Gi', '512Mi'],
    ['1024Ki', '1Mi'],
    ['1025Ki', '1025Ki'],
    ['512', '512'],
    ['0.5Ki', '512'],
    ['1.1Ki', '1126400m'],
    ['128974848', '128974848'],
    ['129e6', '129e6'],
    ['129M', '129M'],
    ['123Mi', '123Mi'],
    ['1e3', '1e3'],
    ['1E6', '1e6'],
    ['1.5e3', '1500'],
    ['1n', '1n'],
    ['0.0000000001', '1n'],
    ['-100m', '-100m'],
    ['+5', '5'],
    ['1.G', '1G'],
    ['100000000000000000000', '9223372036854775807'],
  ])('%s → %s', (input, want) => {
    expect(canonicalQuantity(input)).toBe(want);
  });

  it.each([
    ['', QUANTITY_FORMAT_ERROR],
    ['abc', QUANTITY_FORMAT_ERROR],
    ['1Qi', QUANTITY_FORMAT_ERROR],
    ['1 Gi', QUANTITY_FORMAT_ERROR],
    ['1e', QUANTITY_SUFFIX_ERROR],
    ['1Mm', QUANTITY_SUFFIX_ERROR],
  ])('rejects %j', (input, msg) => {
    expect(() => parseQuantity(input)).toThrow(msg);
  });
});

describe('quantity arithmetic', () => {
  it('compares across formats', () => {
    expect(compareQuantities(parseQuantity('1'), parseQuantity('1000m'))).toBe(0);
    expect(compareQuantities(parseQuantity('1Ki'), parseQuantity('1k'))).toBe(1);
    expect(compareQuantities(parseQuantity('500m'), parseQuantity('1'))).toBe(-1);
  });
  it('gives milli and whole values rounded up', () => {
    expect(quantityMilliValue(parseQuantity('100m'))).toBe(100);
    expect(quantityMilliValue(parseQuantity('2'))).toBe(2000);
    expect(quantityValue(parseQuantity('1Gi'))).toBe(1073741824);
    expect(quantityValue(parseQuantity('1500m'))).toBe(2);
  });
  it('adds and rounds', () => {
    expect(formatQuantity(addQuantities(parseQuantity('500m'), parseQuantity('1')))).toBe('1500m');
    expect(formatQuantity(addQuantities(parseQuantity('1Gi'), parseQuantity('1Gi')))).toBe('2Gi');
    expect(formatQuantity(roundUpQuantity(parseQuantity('0.0001'), -3))).toBe('1m');
  });
});
