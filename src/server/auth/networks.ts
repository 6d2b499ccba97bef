// A set of CIDR ranges (IPv4 and IPv6) that request addresses are matched against.
import { BlockList, isIP } from 'node:net';

export class Networks {
  private readonly list = new BlockList();

  /** Throws an Error naming the bad entry; callers turn it into their own error type. */
  constructor(readonly cidrs: readonly string[]) {
    for (const cidr of cidrs) {
      const parsed = parseCidr(cidr);
      if (parsed === undefined) throw new Error(`"${cidr}" is not an address or CIDR range (e.g. 10.0.0.0/8, fd00::/8, 127.0.0.1)`);
      this.list.addSubnet(parsed.address, parsed.prefix, parsed.family);
    }
  }

  /** Whether an address (as a socket reports it: IPv4, IPv6 or IPv4-mapped IPv6) is in a range. */
  contains(address: string | undefined): boolean {
    if (address === undefined) return false;
    const family = isIP(address);
    if (family === 0) return false;
    return this.list.check(address, family === 4 ? 'ipv4' : 'ipv6');
  }
}

export function parseCidr(text: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | undefined {
  const slash = text.indexOf('/');
  const address = slash < 0 ? text : text.slice(0, slash);
  const family = isIP(address);
  if (family === 0) return undefined;
  const max = family === 4 ? 32 : 128;
  const prefixText = slash < 0 ? String(max) : text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  if (prefix > max) return undefined;
  return { address, prefix, family: family === 4 ? 'ipv4' : 'ipv6' };
}
