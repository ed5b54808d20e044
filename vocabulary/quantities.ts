/**
 * Kubernetes resource quantities, the one grammar every layer parses with (stack config, the
 * platform's checks, the resource gate reading metrics.k8s.io's nanocores, the policy pack).
 * It is the one in k8s.io/apimachinery/pkg/api/resource:
 *   quantity := signedNumber suffix
 *   suffix   := binarySI (Ki|Mi|Gi|Ti|Pi|Ei) | decimalSI (n|u|m|""|k|M|G|T|P|E) | ("e"|"E") signedNumber
 * `256MB` and `1 Gi` are not quantities; Kubernetes rejects them, and so do we, up front.
 * Values are exact fractions, so `0.3` and `300m` compare equal and nothing is lost to floats.
 */

export interface Quantity {
    /** The text the quantity was parsed from, as written. */
    readonly text: string;
    /** value = numerator / denominator, denominator > 0. */
    readonly numerator: bigint;
    readonly denominator: bigint;
}

export class QuantityError extends Error {}

const allowedForms = "use forms like 500m, 0.5, 2, 256Mi, 1Gi, 1G or 1e3";

const binarySuffixes: Record<string, bigint> = {
    Ki: 1n << 10n,
    Mi: 1n << 20n,
    Gi: 1n << 30n,
    Ti: 1n << 40n,
    Pi: 1n << 50n,
    Ei: 1n << 60n,
};

/** Decimal suffixes as powers of ten. */
const decimalSuffixes: Record<string, number> = { n: -9, u: -6, m: -3, "": 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

const numberPattern = /^([+-]?)(\d+\.?\d*|\.\d+)(.*)$/;
const exponentPattern = /^[eE]([+-]?\d+)$/;

/**
 * Kubernetes caps every quantity at 2^63-1 (about 9.2e18); an exponent far beyond that is a
 * typo, and an unbounded one would make the exact value arbitrarily large.
 */
const maxExponent = 64;

/** Parses a quantity exactly; throws QuantityError naming the bad text and the accepted forms. */
export function parseExactQuantity(text: string): Quantity {
    const match = numberPattern.exec(text);
    if (!match) throw new QuantityError(`${JSON.stringify(text)} is not a quantity; ${allowedForms}`);
    const [, sign, digits, suffix] = match;
    const [whole, fraction = ""] = digits.split(".");
    let numerator = BigInt((whole || "0") + fraction);
    let denominator = 10n ** BigInt(fraction.length);
    if (sign === "-") numerator = -numerator;

    const exponent = exponentPattern.exec(suffix);
    if (suffix in binarySuffixes) {
        numerator *= binarySuffixes[suffix];
    } else if (suffix in decimalSuffixes || exponent) {
        const power = exponent ? Number(exponent[1]) : decimalSuffixes[suffix];
        if (Math.abs(power) > maxExponent) {
            throw new QuantityError(`"${text}" has an exponent outside what Kubernetes accepts`);
        }
        if (power >= 0) numerator *= 10n ** BigInt(power);
        else denominator *= 10n ** BigInt(-power);
    } else {
        throw new QuantityError(
            `"${text}" has an unknown suffix "${suffix}"; allowed: Ki Mi Gi Ti Pi Ei, n u m k M G T P E, or an exponent like e3`,
        );
    }
    return { text, numerator, denominator };
}

/** Negative if a < b, zero if equal, positive if a > b. */
export function compareQuantities(a: Quantity, b: Quantity): number {
    const left = a.numerator * b.denominator;
    const right = b.numerator * a.denominator;
    return left < right ? -1 : left > right ? 1 : 0;
}

/** The quantity's value in base units (cores for CPU, bytes for memory), or undefined if malformed. */
export function parseQuantity(text: string): number | undefined {
    const exact = tryParse(text);
    return exact && Number(exact.numerator) / Number(exact.denominator);
}

/** CPU in millicores: `500m` → 500, `2` → 2000. */
export function parseCpuMillicores(text: string): number | undefined {
    const exact = tryParse(text);
    return exact === undefined || exact.numerator < 0n ? undefined : Number(roundedDivision(exact.numerator * 1000n, exact.denominator));
}

/** Memory in bytes: `256Mi` → 268435456. Fractional bytes (`0.5`) and millibytes are not a memory size. */
export function parseMemoryBytes(text: string): number | undefined {
    const exact = tryParse(text);
    if (exact === undefined || exact.numerator < 0n || exact.numerator % exact.denominator !== 0n || text.endsWith("m")) return undefined;
    return Number(exact.numerator / exact.denominator);
}

function tryParse(text: string): Quantity | undefined {
    try {
        return parseExactQuantity(text);
    } catch (e) {
        if (e instanceof QuantityError) return undefined;
        throw e;
    }
}

/** n / d rounded half away from zero, for n >= 0, d > 0 (what Math.round did on the float). */
function roundedDivision(n: bigint, d: bigint): bigint {
    return (2n * n + d) / (2n * d);
}
