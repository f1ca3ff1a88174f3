/**
 * IPv4 arithmetic of session subnets: NODE_SUBNETS (one or more CIDR ranges) is cut into blocks of
 * NODE_SUBNET_SIZE, and each session network gets one block. Pure functions: the database keeps
 * which blocks are taken (SessionSubnets), Docker gets the block as the network's IPAM subnet.
 */

export interface Ipv4Range {
  /** The network address as an unsigned 32-bit number. */
  base: number;
  prefix: number;
}

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** "10.213.0.0/16" → { base, prefix }; throws an Error saying what is wrong. */
export function parseCidr(text: string): Ipv4Range {
  const match = CIDR.exec(text.trim());
  const octets = match ? match.slice(1, 5).map(Number) : [];
  const prefix = match ? Number(match[5]) : NaN;
  if (!match || octets.some((o) => o > 255) || prefix > 32) {
    throw new Error(`"${text}" is not an IPv4 network like 10.213.0.0/16`);
  }
  const address = octets.reduce((sum, octet) => sum * 256 + octet, 0);
  const base = address - (address % blockLength(prefix));
  if (base !== address) {
    throw new Error(`"${text}" has host bits set; did you mean ${formatCidr({ base, prefix })}?`);
  }
  return { base, prefix };
}

export function formatAddress(address: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(address / 2 ** shift) % 256).join(".");
}

export function formatCidr(range: Ipv4Range): string {
  return `${formatAddress(range.base)}/${range.prefix}`;
}

function blockLength(prefix: number): number {
  return 2 ** (32 - prefix);
}

/** The first usable address of a block: Docker's bridge (the nodes' gateway) takes it. */
export function gatewayOf(block: string): string {
  return formatAddress(parseCidr(block).base + 1);
}

/** Addresses left for containers in one block: all but the network, broadcast and gateway addresses. */
export function hostsPerBlock(blockPrefix: number): number {
  return blockLength(blockPrefix) - 3;
}

/**
 * Checks NODE_SUBNETS against the block size and returns the parsed ranges; throws an Error naming
 * the first problem (bad CIDR, a range smaller than one block, ranges that overlap).
 */
export function parseRanges(ranges: string[], blockPrefix: number): Ipv4Range[] {
  if (ranges.length === 0) throw new Error("name at least one IPv4 range");
  const parsed = ranges.map(parseCidr);
  for (const range of parsed) {
    if (range.prefix > blockPrefix) {
      throw new Error(`${formatCidr(range)} is smaller than one /${blockPrefix} session block`);
    }
  }
  const sorted = [...parsed].sort((a, b) => a.base - b.base);
  for (let i = 1; i < sorted.length; i++) {
    if (overlaps(sorted[i - 1]!, sorted[i]!)) {
      throw new Error(`${formatCidr(sorted[i - 1]!)} and ${formatCidr(sorted[i]!)} overlap`);
    }
  }
  return parsed;
}

/** How many blocks the ranges hold: the most session networks that can exist at once. */
export function blockCount(ranges: Ipv4Range[], blockPrefix: number): number {
  return ranges.reduce((sum, range) => sum + 2 ** (blockPrefix - range.prefix), 0);
}

/**
 * The first block, in the order the ranges are listed, that is not in `taken` (blocks as
 * "a.b.c.d/p" strings) and overlaps none of `avoid` (networks that exist outside Kubelab's
 * bookkeeping); undefined when there is none. Walks at most taken.size + avoid.length + 1 blocks.
 */
export function firstFreeBlock(
  ranges: Ipv4Range[],
  blockPrefix: number,
  taken: ReadonlySet<string>,
  avoid: Ipv4Range[] = [],
): string | undefined {
  const step = blockLength(blockPrefix);
  for (const range of ranges) {
    const end = range.base + blockLength(range.prefix);
    let base = range.base;
    while (base < end) {
      const block = { base, prefix: blockPrefix };
      const clash = avoid.find((other) => overlaps(block, other));
      if (clash) {
        // On past the clashing network, to the next block boundary.
        const after = clash.base + blockLength(clash.prefix);
        base = Math.max(base + step, Math.ceil(after / step) * step);
        continue;
      }
      const text = formatCidr(block);
      if (!taken.has(text)) return text;
      base += step;
    }
  }
  return undefined;
}

/** Whether two networks share any address. */
export function overlaps(a: Ipv4Range, b: Ipv4Range): boolean {
  return a.base < b.base + blockLength(b.prefix) && b.base < a.base + blockLength(a.prefix);
}

/** Whether `block` is one of the ranges' blocks (aligned, of the block size, inside a range). */
export function isBlockOf(ranges: Ipv4Range[], blockPrefix: number, block: string): boolean {
  let parsed: Ipv4Range;
  try {
    parsed = parseCidr(block);
  } catch {
    return false;
  }
  return (
    parsed.prefix === blockPrefix &&
    ranges.some((range) => parsed.base >= range.base && parsed.base < range.base + blockLength(range.prefix))
  );
}
