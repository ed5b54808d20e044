/**
 * Kubernetes resource quantities ("256Mi", "500m", "129876Ki", "1.5G", "2e3") as numbers of
 * base units (bytes, cores). Pure; throws on anything the API server would not produce.
 */
const suffixes: Record<string, number> = {
    n: 1e-9,
    u: 1e-6,
    m: 1e-3,
    "": 1,
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

const pattern = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E))?$/;

export function parseQuantity(text: string): number {
    const match = pattern.exec(text.trim());
    if (!match) throw new Error(`"${text}" is not a Kubernetes quantity`);
    const [, number, exponent, suffix] = match;
    if (exponent) return Number(number + exponent);
    return Number(number) * suffixes[suffix ?? ""];
}
