/**
 * The shell command that runs one of the K3s scripts as root on a node, with its settings as
 * environment variables. Values are validated config (versions, IPs, host:port), but are
 * quoted anyway so that no value can ever be read as shell syntax.
 */
export function runScript(remoteDir: string, script: string, env: Readonly<Record<string, string | number>>): string {
    const assignments = Object.entries(env).map(([name, value]) => `${name}=${shellQuote(String(value))}`);
    return ["sudo", "env", ...assignments, "bash", shellQuote(`${remoteDir}/${script}`)].join(" ");
}

export function shellQuote(value: string): string {
    return /^[A-Za-z0-9_./:@%+=,-]+$/.test(value) ? value : `'${value.replace(/'/g, `'"'"'`)}'`;
}
