import { describe, expect, it } from 'vitest';
import { CidrSet, parseCidr } from '../../src/controllers/nodeipam.js';

describe('CidrSet (node IPAM range allocator)', () => {
  it('hands out distinct /24s of 10.42.0.0/16 in order and none twice', () => {
    const set = new CidrSet('10.42.0.0/16', 24);
    expect(set.size).toBe(256);
    const got = Array.from({ length: 256 }, () => set.allocate());
    expect(got.slice(0, 3)).toEqual(['10.42.0.0/24', '10.42.1.0/24', '10.42.2.0/24']);
    expect(got[255]).toBe('10.42.255.0/24');
    expect(new Set(got).size).toBe(256);
    expect(set.allocate()).toBeUndefined();
  });

  it('skips subnets occupied by existing nodes and reuses released ones only after a full turn', () => {
    const set = new CidrSet('10.42.0.0/16', 24);
    expect(set.occupy('10.42.0.0/24')).toBe(true);
    expect(set.occupy('10.42.1.0/24')).toBe(true);
    expect(set.allocate()).toBe('10.42.2.0/24');
    set.release('10.42.0.0/24');
    expect(set.allocate()).toBe('10.42.3.0/24');
    expect(set.has('10.42.0.0/24')).toBe(false);
  });

  it('refuses subnets outside the range or of another size', () => {
    const set = new CidrSet('10.42.0.0/16', 24);
    expect(set.occupy('10.43.0.0/24')).toBe(false);
    expect(set.occupy('10.42.0.0/25')).toBe(false);
    expect(set.occupy('not-a-cidr')).toBe(false);
    expect(set.usedCount).toBe(0);
  });

  it.each([
    ['10.42.0.0/16', 24, 256],
    ['10.42.7.9/16', 24, 256],
    ['192.168.0.0/24', 26, 4],
    ['10.0.0.0/8', 24, 65536],
  ])('%s with /%i node subnets has %i subnets', (cidr, mask, n) => {
    expect(new CidrSet(cidr, mask).size).toBe(n);
  });

  it('wraps to the start when the last subnets are taken', () => {
    const set = new CidrSet('192.168.0.0/24', 26);
    const all = [set.allocate(), set.allocate(), set.allocate(), set.allocate()];
    expect(all).toEqual(['192.168.0.0/26', '192.168.0.64/26', '192.168.0.128/26', '192.168.0.192/26']);
    set.release('192.168.0.64/26');
    expect(set.allocate()).toBe('192.168.0.64/26');
  });

  it.each([['10.42.0.0/16', 8], ['10.42.0.0/33', 24], ['10.42.0/16', 24], ['fd00::/64', 80]])('rejects %s with /%i', (cidr, mask) => {
    expect(() => new CidrSet(cidr, mask)).toThrow();
  });

  it('parses CIDRs to their network address', () => {
    expect(parseCidr('10.42.3.4/16')).toEqual({ base: (10 * 256 + 42) * 65536, prefix: 16 });
  });
});
