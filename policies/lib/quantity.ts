/**
 * Quantities as the pack meets them in resource inputs. The grammar is the vocabulary's; this
 * adds only how inputs arrive: a Pulumi program may write a number (`cpu: 1`), and the API
 * server trims spaces around a quantity it reads from JSON (Quantity.UnmarshalJSON), so the
 * pack does too.
 */
import { parseExactQuantity, Quantity, QuantityError } from "../../vocabulary/quantities";

export { compareQuantities, Quantity, QuantityError } from "../../vocabulary/quantities";

/** Parses a quantity from a resource input; throws QuantityError naming the bad value and the accepted forms. */
export function parseQuantity(input: unknown): Quantity {
    const text = typeof input === "number" ? numberToText(input) : input;
    if (typeof text !== "string" || text.trim() === "") {
        throw new QuantityError(`${JSON.stringify(input)} is not a quantity; use forms like 500m, 0.5, 2, 256Mi, 1Gi, 1G or 1e3`);
    }
    return parseExactQuantity(text.trim());
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

function numberToText(n: number): string {
    // String(1e21) is "1e+21", which the grammar accepts; NaN and Infinity are rejected by it.
    return Number.isFinite(n) ? String(n) : "NaN";
}
