import { environmentPorts, platformPublicPorts, publicAppPort } from "../../vocabulary/names";

export interface PlatformUrls {
    mlflow: string;
    minioConsole: string;
    argoWorkflows: string;
    argoCd: string;
    /** The app's public address: production with canary's share of the traffic. */
    app: string;
    staging: string;
    canary: string;
    production: string;
}

function hostPart(address: string): string {
    if (address.trim() === "" || /[\s/@]/.test(address)) throw new Error(`not a host name or IP address: "${address}"`);
    return address.includes(":") ? `[${address}]` : address;
}

function withPort(scheme: "http" | "https", host: string, port: number): string {
    const defaultPort = scheme === "http" ? 80 : 443;
    return port === defaultPort ? `${scheme}://${host}` : `${scheme}://${host}:${port}`;
}

/** Where a browser reaches each UI and environment at the cluster's public address. */
export function platformUrls(address: string): PlatformUrls {
    const host = hostPart(address);
    return {
        mlflow: withPort("http", host, platformPublicPorts.mlflow),
        minioConsole: withPort("http", host, platformPublicPorts.minioConsole),
        // Both Argo servers terminate TLS themselves with a self-signed certificate.
        argoWorkflows: withPort("https", host, platformPublicPorts.argoWorkflows),
        argoCd: withPort("https", host, platformPublicPorts.argoCd),
        app: withPort("http", host, publicAppPort),
        staging: withPort("http", host, environmentPorts.staging),
        canary: withPort("http", host, environmentPorts.canary),
        production: withPort("http", host, environmentPorts.production),
    };
}
