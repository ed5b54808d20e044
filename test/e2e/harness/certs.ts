import * as fs from "node:fs";
import * as path from "node:path";
import { runOk } from "./process";

/** The PKI one throwaway API server needs: a CA, its serving certificate, an admin client. */
export interface ClusterPki {
    caCert: string;
    serverCert: string;
    serverKey: string;
    adminCert: string;
    adminKey: string;
    serviceAccountKey: string;
    serviceAccountPub: string;
    /** With PkiOptions.frontProxy: the CA aggregated API servers trust and the API server's client certificate. */
    frontProxy?: { caCert: string; clientCert: string; clientKey: string };
}

export interface PkiOptions {
    /** More addresses the API server's certificate is valid for: a node's address, the `kubernetes` Service's. */
    serverIps?: readonly string[];
    /** A front-proxy CA and client, for aggregated APIs (metrics-server). */
    frontProxy?: boolean;
}

/** The name the API server's front-proxy client certificate carries (--requestheader-allowed-names). */
export const frontProxyClientName = "front-proxy-client";

async function openssl(args: string[]): Promise<void> {
    await runOk("openssl", args, { timeoutMs: 30_000 });
}

async function signedCert(
    dir: string,
    name: string,
    subject: string,
    extensions: string,
): Promise<{ cert: string; key: string }> {
    const key = path.join(dir, `${name}.key`);
    const csr = path.join(dir, `${name}.csr`);
    const cert = path.join(dir, `${name}.crt`);
    const ext = path.join(dir, `${name}.ext`);
    fs.writeFileSync(ext, extensions);
    await openssl(["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", key, "-subj", subject, "-out", csr]);
    await openssl(["x509", "-req", "-in", csr, "-CA", path.join(dir, "ca.crt"), "-CAkey", path.join(dir, "ca.key"),
        "-CAcreateserial", "-days", "1", "-sha256", "-extfile", ext, "-out", cert]);
    return { cert, key };
}

/** A self-signed CA in dir (ca.crt, ca.key), valid for one day; signedCert(dir, ...) signs with it. */
async function certificateAuthority(dir: string, commonName: string): Promise<string> {
    fs.mkdirSync(dir, { recursive: true });
    const caCert = path.join(dir, "ca.crt");
    await openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", path.join(dir, "ca.key"), "-subj", `/CN=${commonName}`, "-days", "1", "-out", caCert]);
    return caCert;
}

/** Generates fresh keys and certificates under dir, valid for one day, for loopback (and options.serverIps) only. */
export async function generatePki(dir: string, options: PkiOptions = {}): Promise<ClusterPki> {
    const caCert = await certificateAuthority(dir, "gourmetgram-e2e-ca");
    const ips = ["127.0.0.1", ...(options.serverIps ?? [])].map((ip) => `IP:${ip}`).join(",");
    const server = await signedCert(dir, "apiserver", "/CN=kube-apiserver",
        "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n" +
            `subjectAltName=${ips},DNS:localhost,DNS:kubernetes.default.svc\n`);
    // O=system:masters is the group the API server's RBAC grants everything to.
    const admin = await signedCert(dir, "admin", "/O=system:masters/CN=gourmetgram-e2e-admin",
        "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n");
    const serviceAccountKey = path.join(dir, "sa.key");
    const serviceAccountPub = path.join(dir, "sa.pub");
    await openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", serviceAccountKey]);
    await openssl(["pkey", "-in", serviceAccountKey, "-pubout", "-out", serviceAccountPub]);
    let frontProxy: ClusterPki["frontProxy"];
    if (options.frontProxy) {
        const proxyDir = path.join(dir, "front-proxy");
        const proxyCa = await certificateAuthority(proxyDir, "gourmetgram-e2e-front-proxy-ca");
        const client = await signedCert(proxyDir, "client", `/CN=${frontProxyClientName}`,
            "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n");
        frontProxy = { caCert: proxyCa, clientCert: client.cert, clientKey: client.key };
    }
    return {
        frontProxy,
        caCert,
        serverCert: server.cert,
        serverKey: server.key,
        adminCert: admin.cert,
        adminKey: admin.key,
        serviceAccountKey,
        serviceAccountPub,
    };
}
