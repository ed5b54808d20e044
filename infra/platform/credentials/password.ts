/**
 * Letters and digits only: a generated password is pasted into connection URIs
 * (postgresql://user:pass@host) and shell environments, where anything else needs escaping.
 */
export const passwordAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

export const minPasswordLength = 16;
export const maxPasswordLength = 128;

export function checkPasswordLength(length: unknown): number {
    if (typeof length !== "number" || !Number.isInteger(length) || length < minPasswordLength || length > maxPasswordLength) {
        throw new Error(
            `password length must be an integer from ${minPasswordLength} to ${maxPasswordLength}, got ${JSON.stringify(length)}`,
        );
    }
    return length;
}

/**
 * A uniformly random password from the OS CSPRNG. Bytes at or above the largest multiple of
 * the alphabet size are discarded so that no character is more likely than another.
 */
export function generatePassword(length: number, source: (size: number) => Buffer = secureRandomBytes): string {
    checkPasswordLength(length);
    const alphabetSize = passwordAlphabet.length;
    const limit = 256 - (256 % alphabetSize);
    let password = "";
    while (password.length < length) {
        for (const byte of source(length * 2)) {
            if (byte < limit && password.length < length) {
                password += passwordAlphabet[byte % alphabetSize];
            }
        }
    }
    return password;
}

/**
 * The OS CSPRNG, required where it is used: this code also runs inside the dynamic provider,
 * whose serialized closure may capture `require` but not an imported module binding.
 */
function secureRandomBytes(size: number): Buffer {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require("crypto") as typeof import("crypto")).randomBytes(size);
}
