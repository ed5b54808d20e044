/**
 * Kubernetes resource quantities (`500m`, `0.5`, `256Mi`, `1G`, `1e3`, ...), parsed exactly.
 *
 * The grammar is the one in k8s.io/apimachinery/pkg/api/resource:
 *   quantity := signedNumber suffix
 *   suffix   := binarySI (Ki|Mi|Gi|Ti|Pi|Ei) | decimalSI (n|u|m|""|k|M|G|T|P|E) | ("e"|"E") signedNumber
 * Values are kept as exact fractions so `0.5` and `500m` compare equal and nothing is lost to floats.
 */

export interface Quantity {
    /** The text the quantity was parsed from, as the user wrote it. */
    readonly text: string;
    /** value = numerator / denominator, denominator > 0. */
    readonly numerator: bigint;
    readonly denominator: bigint;
}

const binarySuffixes: Record<string, bigint> = {
    Ki: 1n << 10n,
    Mi: 1n << 20n,
    Gi: 1n << 30n,
    Ti: 1n << 40n,
    Pi: 1n << 50n,
    Ei: 1n << 60n,
};

/** Decimal suffixes as powers of ten. */
const decimalSuffixes: Record<string, number> = {
    n: -9,
    u: -6,
    m: -3,
    "": 0,
    k: 3,
    M: 6,
    G: 9,
    T: 12,
    P: 15,
    E: 18,
};

const numberPattern = /^([+-]?)(\d+\.?\d*|\.\d+)(.*)$/;
const exponentPattern = /^[eE]([+-]?\d+)$/;

export class QuantityError extends Error {}

/**
 * Parses a quantity. Numbers are accepted too (a Pulumi program may write `cpu: 1`).
 * Throws QuantityError naming the bad text and the accepted forms.
 */
export function parseQuantity(input: unknown): Quantity {
    const text = typeof input === "number" ? numberToText(input) : input;
    if (typeof text !== "string" || text.trim() === "") {
        throw new QuantityError(`${JSON.stringify(input)} is not a quantity; use forms like 500m, 0.5, 2, 256Mi, 1Gi, 1G or 1e3`);
    }
    const match = numberPattern.exec(text.trim());
    if (!match) {
        throw new QuantityError(`"${text}" is not a quantity; use forms like 500m, 0.5, 2, 256Mi, 1Gi, 1G or 1e3`);
    }
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
        if (Math.abs(power) > 64) {
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

/** Like parseQuantity, but returns undefined instead of throwing. */
export function tryParseQuantity(input: unknown): Quantity | undefined {
    try {
        return parseQuantity(input);
    } catch (e) {
        if (e instanceof QuantityError) return undefined;
        throw e;
    }
}

/** Negative if a < b, zero if equal, positive if a > b. */
export function compareQuantities(a: Quantity, b: Quantity): number {
    const left = a.numerator * b.denominator;
    const right = b.numerator * a.denominator;
    return left < right ? -1 : left > right ? 1 : 0;
}

export function isNegative(q: Quantity): boolean {
    return q.numerator < 0n;
}

function numberToText(n: number): string {
    // String(1e21) is "1e+21", which the grammar above accepts; NaN and Infinity are rejected by it.
    return Number.isFinite(n) ? String(n) : "NaN";
}
