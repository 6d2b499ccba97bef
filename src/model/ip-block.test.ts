import { describe, expect, it } from 'vitest';
import { ipBlockReach, parseCidr } from './ip-block.js';

describe('ipBlockReach', () => {
  it.each<[string, { cidr: string; except?: string[] }, { outside: boolean; inCluster: boolean }]>([
    ['everything', { cidr: '0.0.0.0/0' }, { outside: true, inCluster: true }],
    ['the internet: everything but RFC 1918', { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'] }, { outside: true, inCluster: false }],
    ['everything but one private range still holds the others', { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] }, { outside: true, inCluster: true }],
    ['a pod range', { cidr: '10.244.0.0/16' }, { outside: false, inCluster: true }],
    ['a private range with a hole', { cidr: '172.16.0.0/12', except: ['172.20.0.0/16'] }, { outside: false, inCluster: true }],
    ['a public range', { cidr: '35.191.0.0/16' }, { outside: true, inCluster: false }],
    ['a public range entirely excepted', { cidr: '203.0.113.0/24', except: ['203.0.113.0/25', '203.0.113.128/25'] }, { outside: false, inCluster: false }],
    ['a range across the edge of 10/8', { cidr: '8.0.0.0/6' }, { outside: true, inCluster: true }],
    ['loopback and link-local are neither', { cidr: '169.254.0.0/16' }, { outside: false, inCluster: false }],
    ['carrier-grade NAT is neither', { cidr: '100.64.0.0/10' }, { outside: false, inCluster: false }],
    ['one public address', { cidr: '1.1.1.1/32' }, { outside: true, inCluster: false }],
    ['IPv6: everything', { cidr: '::/0' }, { outside: true, inCluster: true }],
    ['IPv6: unique-local', { cidr: 'fd00:10:244::/64' }, { outside: false, inCluster: true }],
    ['IPv6: global unicast', { cidr: '2001:db8::/32' }, { outside: true, inCluster: false }],
    ['IPv6: everything but unique-local', { cidr: '::/0', except: ['fc00::/7'] }, { outside: true, inCluster: false }],
    ['an except of the other family is ignored', { cidr: '10.0.0.0/8', except: ['::/0'] }, { outside: false, inCluster: true }],
    ['not a CIDR', { cidr: 'ten.0.0.0/8' }, { outside: false, inCluster: false }],
  ])('%s', (_, block, expected) => {
    expect(ipBlockReach(block)).toEqual(expected);
  });
});

describe('parseCidr', () => {
  it.each<[string, [bigint, bigint] | undefined]>([
    ['10.0.0.0/8', [0x0a000000n, 0x0affffffn]],
    ['10.1.2.3/8', [0x0a000000n, 0x0affffffn]],
    ['192.168.1.7', [0xc0a80107n, 0xc0a80107n]],
    ['0.0.0.0/0', [0n, 0xffffffffn]],
    ['2001:db8::/32', [0x20010db8n << 96n, (0x20010db8n << 96n) + (1n << 96n) - 1n]],
    ['::ffff:10.0.0.1/128', [0xffff0a000001n, 0xffff0a000001n]],
    ['1:2:3:4:5:6:7:8/128', [0x00010002000300040005000600070008n, 0x00010002000300040005000600070008n]],
    ['10.0.0.0/33', undefined],
    ['256.0.0.0/8', undefined],
    ['1:2:3:4:5:6:7:8:9/128', undefined],
    ['1::2::3/64', undefined],
    ['10.0.0.0/8/8', undefined],
  ])('%s', (text, expected) => {
    expect(parseCidr(text)?.range).toEqual(expected);
  });
});
