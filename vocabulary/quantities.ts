/**
 * Kubernetes resource quantities (the `resource.Quantity` grammar): a decimal number with an
 * optional binary suffix (Ki Mi Gi Ti Pi Ei), decimal suffix (n u m k M G T P E) or exponent.
 * `256MB` and `1 Gi` are not quantities; Kubernetes rejects them, and so do we, up front.
 * Stack config, the platform's checks and the resource gate (which reads metrics.k8s.io's
 * nanocores) all parse with this one function.
 */
const quantityPattern = /^([+-]?(?:\d+\.?\d*|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/;

const multipliers: Record<string, number> = {
    "": 1,
    n: 1e-9,
    u: 1e-6,
    m: 1e-3,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    P: 1e15,
    E: 1e18,
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    Ti: 2 ** 40,
    Pi: 2 ** 50,
    Ei: 2 ** 60,
};

/** The quantity's value in base units (cores for CPU, bytes for memory), or undefined if malformed. */
export function parseQuantity(text: string): number | undefined {
    const match = quantityPattern.exec(text);
    if (!match) return undefined;
    const [, number, suffix = ""] = match;
    const multiplier = /^[eE]/.test(suffix) ? 10 ** Number(suffix.slice(1)) : multipliers[suffix];
    return Number(number) * multiplier;
}

/** CPU in millicores: `500m` → 500, `2` → 2000. */
export function parseCpuMillicores(text: string): number | undefined {
    const cores = parseQuantity(text);
    return cores === undefined || cores < 0 ? undefined : Math.round(cores * 1000);
}

/** Memory in bytes: `256Mi` → 268435456. Fractional bytes (`0.5`) are not a memory size. */
export function parseMemoryBytes(text: string): number | undefined {
    const bytes = parseQuantity(text);
    return bytes === undefined || bytes < 0 || !Number.isInteger(bytes) || text.endsWith("m") ? undefined : bytes;
}
