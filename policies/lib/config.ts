import { parseQuantity, Quantity, QuantityError } from "./quantity";

/**
 * Fills a policy's config from its defaults. The engine validates types against configSchema;
 * this also covers callers that hand over nothing (tests, older engines that skip defaults).
 */
export function withDefaults<T extends object>(given: Partial<T> | undefined, defaults: T): T {
    const config = { ...defaults };
    for (const [key, value] of Object.entries(given ?? {})) {
        if (value !== undefined && key in defaults) (config as Record<string, unknown>)[key] = value;
    }
    return config;
}

/** Parses a quantity from pack config, with an error that names the policy and key. */
export function configQuantity(policy: string, key: string, value: unknown): Quantity {
    try {
        const quantity = parseQuantity(value);
        if (quantity.numerator <= 0n) throw new QuantityError(`"${quantity.text}" must be greater than zero`);
        return quantity;
    } catch (e) {
        if (e instanceof QuantityError) {
            throw new Error(`policy config ${policy}.${key}: ${e.message}`, { cause: e });
        }
        throw e;
    }
}

export function configStringList(policy: string, key: string, value: unknown): string[] {
    if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
        throw new Error(`policy config ${policy}.${key}: expected a list of strings, got ${JSON.stringify(value)}`);
    }
    return value as string[];
}
