// Kubernetes resource quantities ("100m", "1.5", "2Gi", "1e3", "129M", "0.5Ki") as plain numbers.
//
// Records carry numbers only (CPU in millicores, memory in bytes), so every quantity is parsed
// once, on ingest. The grammar is the one of k8s.io/apimachinery resource.Quantity:
//
//   <quantity> ::= <sign>? <number> <suffix>?
//   <number>   ::= <digits> | <digits>.<digits>? | .<digits>
//   <suffix>   ::= Ki | Mi | Gi | Ti | Pi | Ei | n | u | m | k | M | G | T | P | E | (e|E)<sign>?<digits>
//
// Like Quantity.MilliValue() and Quantity.Value(), results round up to a whole number. Input
// comes from a cluster and is untrusted: anything that does not parse gives undefined, never a
// throw, NaN or Infinity. These are amounts of resources (requests, limits, capacity, usage),
// so negative ones are refused too, and so are results beyond Number.MAX_SAFE_INTEGER (8 PiB,
// 9 million cores): they could not be added up exactly, and no real node has them.

const QUANTITY = /^([+-]?)(\d*)(?:\.(\d*))?(?:(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])|[eE]([+-]?\d{1,3}))?$/;

/** Longer strings are not quantities anyone writes; refusing them keeps parsing cheap. */
const MAX_LENGTH = 64;

const DECIMAL_EXPONENT: Record<string, number> = {
  n: -9,
  u: -6,
  m: -3,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};

const BINARY_POWER: Record<string, number> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 };

/**
 * The quantity times 10^scale, rounded up. Computed as an integer mantissa and powers of ten so
 * that "0.1" in millis is exactly 100 (0.1 * 1000 in floating point is 100.00000000000001).
 */
function parseScaled(input: unknown, scale: number): number | undefined {
  if (typeof input === 'number') {
    const rounded = Math.ceil(input * 10 ** scale);
    return Number.isSafeInteger(rounded) && rounded >= 0 ? rounded || 0 : undefined;
  }
  if (typeof input !== 'string' || input.length === 0 || input.length > MAX_LENGTH) return undefined;
  const match = QUANTITY.exec(input);
  if (!match) return undefined;
  const [, sign, whole = '', fraction = '', suffix, exponent] = match;
  if (whole.length === 0 && fraction.length === 0) return undefined;

  let decimalExponent = scale - fraction.length;
  let factor = 1;
  if (suffix !== undefined) {
    const binary = BINARY_POWER[suffix];
    if (binary !== undefined) factor = 1024 ** binary;
    else decimalExponent += DECIMAL_EXPONENT[suffix] ?? 0;
  } else if (exponent !== undefined) {
    decimalExponent += Number(exponent);
  }

  const mantissa = Number(whole + fraction);
  const scaled =
    decimalExponent >= 0
      ? mantissa * factor * 10 ** decimalExponent
      : (mantissa * factor) / 10 ** -decimalExponent;
  const rounded = Math.ceil(scaled);
  if (!Number.isSafeInteger(rounded)) return undefined;
  if (sign === '-' && rounded !== 0) return undefined;
  return rounded;
}

/** CPU quantity in millicores ("250m" → 250, "1.5" → 1500), rounded up. */
export function parseCpu(quantity: unknown): number | undefined {
  return parseScaled(quantity, 3);
}

/** Memory quantity in bytes ("2Gi" → 2147483648, "129M" → 129000000), rounded up. */
export function parseMemory(quantity: unknown): number | undefined {
  return parseScaled(quantity, 0);
}

/** A countable quantity (pods, GPUs) in whole units, rounded up. */
export function parseCount(quantity: unknown): number | undefined {
  return parseScaled(quantity, 0);
}
