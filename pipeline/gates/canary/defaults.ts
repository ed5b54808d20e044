/**
 * Defaults of `gate canary`, defined once: the CLI falls back to them and the stack settings
 * (pipeline/config.ts canaryWindowSeconds, canaryMaxErrorRate, canaryP95Ms, canaryMinRequests)
 * take them as their defaults.
 */
export const canaryCheckDefaults = {
    /** Seconds of live traffic the check watches (two scrapes of Traefik's metrics this far apart). */
    windowS: 300,
    /** Highest share of canary's requests that may end in a 5xx. */
    maxErrorRate: 0.05,
    /** Highest p95 latency of canary's requests, in milliseconds (the load gate's default too). */
    p95Ms: 2000,
    /** Fewer requests than this in the window cannot show a rate or a p95: the check cannot decide. */
    minRequests: 20,
} as const;
