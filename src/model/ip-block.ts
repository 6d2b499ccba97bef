// Where a NetworkPolicy ipBlock points: outside the cluster, at addresses pods may have, or both.
//
// The topology knows no pod or node CIDR to compare with, so it goes by the kind of address.
// Private ranges (RFC 1918; IPv6 unique-local fc00::/7) are where pod, node and Service
// addresses live: a block that holds any of them may admit in-cluster pods. Loopback,
// link-local and the carrier-grade NAT range 100.64.0.0/10 are neither pods nor the internet
// (a cluster that puts pods in 100.64.0.0/10 gets answers that may be wrong). Any other address
// is outside the cluster. So 0.0.0.0/0 is both; 0.0.0.0/0 except the RFC 1918 ranges reaches
// only outside; 10.0.0.0/8 only the cluster.

/** An inclusive range of addresses of one family, as integers. */
type Range = readonly [bigint, bigint];

interface Cidr {
  family: 4 | 6;
  range: Range;
}

export interface IpBlockReach {
  /** Holds a public address: a peer outside the cluster. */
  outside: boolean;
  /** Holds a private address: may be the address of an in-cluster pod. */
  inCluster: boolean;
}

/** Where pods may be. */
const PRIVATE_RANGES: Record<4 | 6, Range[]> = {
  4: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'].map(mustParse),
  6: ['fc00::/7'].map(mustParse),
};
/** Not pods, not outside either: this host, this link, carrier-grade NAT. */
const LOCAL_RANGES: Record<4 | 6, Range[]> = {
  4: ['0.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16'].map(mustParse),
  6: ['::/128', '::1/128', 'fe80::/10'].map(mustParse),
};

/** Records are immutable values: a block is read once however often policies are evaluated. */
const reachOfBlock = new WeakMap<object, IpBlockReach>();

/** A block that does not parse reaches nothing (the API server validates CIDRs; this is defence). */
export function ipBlockReach(block: { cidr: string; except?: string[] }): IpBlockReach {
  let reach = reachOfBlock.get(block);
  if (reach === undefined) reachOfBlock.set(block, (reach = readBlock(block)));
  return reach;
}

function readBlock(block: { cidr: string; except?: string[] }): IpBlockReach {
  const cidr = parseCidr(block.cidr);
  if (cidr === undefined) return { outside: false, inCluster: false };
  let rest: Range[] = [cidr.range];
  for (const except of block.except ?? []) {
    const cut = parseCidr(except);
    if (cut?.family === cidr.family) rest = subtract(rest, cut.range);
  }
  const privateRanges = PRIVATE_RANGES[cidr.family];
  const publicRest = [...privateRanges, ...LOCAL_RANGES[cidr.family]].reduce((ranges, r) => subtract(ranges, r), rest);
  return {
    outside: publicRest.length > 0,
    inCluster: rest.some(([from, to]) => privateRanges.some(([pFrom, pTo]) => from <= pTo && pFrom <= to)),
  };
}

/** "10.0.0.0/8", "2001:db8::/32"; an address without a prefix length is a single address. */
export function parseCidr(text: string): Cidr | undefined {
  const [address = '', prefixText, ...extra] = text.trim().split('/');
  if (extra.length > 0) return undefined;
  const family = address.includes(':') ? 6 : 4;
  const value = family === 4 ? parseIPv4(address) : parseIPv6(address);
  const bits = family === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? bits : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (value === undefined || !(prefix >= 0 && prefix <= bits)) return undefined;
  const hostBits = BigInt(bits - prefix);
  const start = (value >> hostBits) << hostBits;
  return { family, range: [start, start + (1n << hostBits) - 1n] };
}

function parseIPv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.reduce((value, p) => (value << 8n) | BigInt(p), 0n);
}

function parseIPv6(text: string): bigint | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (half: string): number[] | undefined => {
    if (half === '') return [];
    const out: number[] = [];
    const parts = half.split(':');
    for (const [i, part] of parts.entries()) {
      if (i === parts.length - 1 && part.includes('.')) {
        // An IPv4 tail ("::ffff:10.0.0.1") is the last two groups.
        const v4 = parseIPv4(part);
        if (v4 === undefined) return undefined;
        out.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
      } else if (/^[0-9a-f]{1,4}$/i.test(part)) out.push(parseInt(part, 16));
      else return undefined;
    }
    return out;
  };
  const head = groups(halves[0] as string);
  const tail = halves.length === 2 ? groups(halves[1] as string) : [];
  if (head === undefined || tail === undefined) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  return [...head, ...new Array<number>(missing).fill(0), ...tail].reduce((value, g) => (value << 16n) | BigInt(g), 0n);
}

/** `ranges` without the addresses of `cut`. */
function subtract(ranges: readonly Range[], [cutFrom, cutTo]: Range): Range[] {
  const out: Range[] = [];
  for (const [from, to] of ranges) {
    if (cutTo < from || to < cutFrom) {
      out.push([from, to]);
      continue;
    }
    if (from < cutFrom) out.push([from, cutFrom - 1n]);
    if (cutTo < to) out.push([cutTo + 1n, to]);
  }
  return out;
}

function mustParse(text: string): Range {
  const cidr = parseCidr(text);
  if (cidr === undefined) throw new Error(`bad built-in CIDR ${text}`);
  return cidr.range;
}
