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
}

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

/** Generates fresh keys and certificates under dir, valid for one day, for loopback only. */
export async function generatePki(dir: string): Promise<ClusterPki> {
    fs.mkdirSync(dir, { recursive: true });
    const caCert = path.join(dir, "ca.crt");
    await openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", path.join(dir, "ca.key"), "-subj", "/CN=gourmetgram-e2e-ca", "-days", "1", "-out", caCert]);
    const server = await signedCert(dir, "apiserver", "/CN=kube-apiserver",
        "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n" +
            "subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes.default.svc\n");
    // O=system:masters is the group the API server's RBAC grants everything to.
    const admin = await signedCert(dir, "admin", "/O=system:masters/CN=gourmetgram-e2e-admin",
        "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n");
    const serviceAccountKey = path.join(dir, "sa.key");
    const serviceAccountPub = path.join(dir, "sa.pub");
    await openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", serviceAccountKey]);
    await openssl(["pkey", "-in", serviceAccountKey, "-pubout", "-out", serviceAccountPub]);
    return {
        caCert,
        serverCert: server.cert,
        serverKey: server.key,
        adminCert: admin.cert,
        adminKey: admin.key,
        serviceAccountKey,
        serviceAccountPub,
    };
}
