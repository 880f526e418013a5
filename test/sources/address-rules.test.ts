import { describe, expect, it } from 'vitest';
import { addressRefusal, isAddressLiteral } from '../../src/sources/address-rules.js';

describe('addressRefusal', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.8.9.10', 'loopback'],
    ['::1', 'loopback'],
    ['10.1.2.3', 'private network'],
    ['172.16.0.1', 'private network'],
    ['192.168.1.1', 'private network'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['169.254.169.254', 'cloud metadata'],
    ['fd00:ec2::254', 'cloud metadata'],
    ['169.254.1.1', 'link-local'],
    ['fe80::1', 'link-local'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['fc00::1', 'unique local'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:10.0.0.1', 'private network'],
    ['2002:a00:1::1', '6to4'],
    ['64:ff9b::a00:1', 'NAT64'],
    ['192.0.2.1', 'reserved'],
    ['[::1]', 'loopback'],
    ['example.com', 'not an IP address'],
  ])('%s is refused as %s', (address, rule) => {
    expect(addressRefusal(address)).toContain(rule);
  });

  it.each(['93.184.216.34', '8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '2a00:1450:4001:82b::200e'])(
    '%s (public unicast) is allowed',
    (address) => {
      expect(addressRefusal(address)).toBeNull();
    },
  );
});

describe('isAddressLiteral', () => {
  it.each([
    ['127.0.0.1', true],
    ['[::1]', true],
    ['example.com', false],
    ['localhost', false],
  ])('%s → %s', (host, literal) => {
    expect(isAddressLiteral(host)).toBe(literal);
  });
});
