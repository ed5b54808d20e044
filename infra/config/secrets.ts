/**
 * What a configuration message may show of a value. A value is hidden when its key is a Pulumi
 * secret (`pulumi config set --secret`), when the key's name says it holds one, or when the key
 * is unknown (a misspelt secret key is still a secret). Credentials inside a URL are masked
 * wherever a URL is shown.
 */

/** Words in a key name (camelCase or separated) that mean the value is a credential. */
const secretWords = new Set(["secret", "secrets", "password", "passwd", "passphrase", "token", "tokens", "credential", "credentials", "apikey"]);

export function keyWords(key: string): string[] {
    const short = key.includes(":") ? key.slice(key.indexOf(":") + 1) : key;
    return short
        .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
        .split(/[^A-Za-z0-9]+/)
        .filter(Boolean)
        .map((word) => word.toLowerCase());
}

/** `githubWebhookSecret`, `mlflowPassword`, `api_token`, `apiKey` look secret; `keyPairName` does not. */
export function looksSecret(key: string): boolean {
    const words = keyWords(key);
    // `sshPrivateKeyPath`, `tokenFile`, `secretName` say where a secret is, not what it is.
    if (["path", "file", "name"].includes(words[words.length - 1] ?? "")) return false;
    if (words.some((word) => secretWords.has(word))) return true;
    // "api key", "access key", "private key" name credentials; "key pair name", "public key" do not.
    return words.some((word, i) => word === "key" && ["api", "access", "private", "secret"].includes(words[i - 1] ?? ""));
}

export const hiddenValue = "[secret]";

/** `https://user:token@host/x` → `https://***@host/x`; anything else unchanged. */
export function maskUrlCredentials(text: string): string {
    return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@]+@/gi, "$1***@");
}

/** True when the text holds a URL with a user name or password in it. */
export function hasUrlCredentials(text: string): boolean {
    return maskUrlCredentials(text) !== text;
}
