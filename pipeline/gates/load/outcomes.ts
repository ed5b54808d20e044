/**
 * Every attempt ends in exactly one outcome. Load tools disagree here (some count 5xx as
 * success, some drop requests whose socket the server closed); this file is the one place
 * that decides, so the counts always add up to the number of attempts.
 */

export type TransportOutcome = "timeout" | "reset" | "refused" | "transport";

export interface OutcomeCounts {
    /** 2xx with the whole body read within the timeout: the only success. */
    success: number;
    /** Complete responses with a status outside 200-299, by status code. */
    nonSuccessByStatus: Record<string, number>;
    /** No complete response within --timeout-ms (including a 2xx that arrived late). */
    timeout: number;
    /** The server reset or closed the connection before the response was complete. */
    reset: number;
    /** The connection was refused (nothing listening). */
    refused: number;
    /** Any other transport failure (DNS, TLS, protocol error), by error code. */
    transportByCode: Record<string, number>;
}

export function emptyCounts(): OutcomeCounts {
    return { success: 0, nonSuccessByStatus: {}, timeout: 0, reset: 0, refused: 0, transportByCode: {} };
}

export function totalAttempts(c: OutcomeCounts): number {
    const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
    return c.success + sum(c.nonSuccessByStatus) + c.timeout + c.reset + c.refused + sum(c.transportByCode);
}

const resetCodes = new Set(["ECONNRESET", "EPIPE", "UND_ERR_SOCKET", "ECONNABORTED"]);
const timeoutCodes = new Set(["UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT", "UND_ERR_CONNECT_TIMEOUT", "ETIMEDOUT"]);

/** Error code of an undici/Node error, looking through `cause` chains. */
export function errorCode(err: unknown): string {
    let e: unknown = err;
    for (let depth = 0; depth < 5 && e && typeof e === "object"; depth++) {
        const code = (e as { code?: unknown }).code;
        if (typeof code === "string" && code !== "UND_ERR" && code !== "UND_ERR_ABORTED") return code;
        e = (e as { cause?: unknown }).cause;
    }
    return (err as { name?: string })?.name ?? "UNKNOWN";
}

export function classifyError(err: unknown): { outcome: TransportOutcome; code: string } {
    const code = errorCode(err);
    if (code === "ECONNREFUSED") return { outcome: "refused", code };
    if (resetCodes.has(code)) return { outcome: "reset", code };
    if (timeoutCodes.has(code)) return { outcome: "timeout", code };
    return { outcome: "transport", code };
}

export function record(c: OutcomeCounts, outcome: TransportOutcome, code: string): void {
    if (outcome === "transport") c.transportByCode[code] = (c.transportByCode[code] ?? 0) + 1;
    else c[outcome]++;
}

export function recordStatus(c: OutcomeCounts, status: number): void {
    const key = String(status);
    c.nonSuccessByStatus[key] = (c.nonSuccessByStatus[key] ?? 0) + 1;
}
