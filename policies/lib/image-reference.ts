/**
 * Container image references as the distribution reference grammar defines them:
 *   [registry-host[:port]/]path[:tag][@algorithm:hex]
 * A `:` after the last `/` starts the tag; one before it belongs to the registry's port.
 */

export interface ImageReference {
    readonly repository: string;
    readonly tag?: string;
    readonly digest?: string;
}

const tagPattern = /^[\w][\w.-]{0,127}$/;
const digestPattern = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[0-9a-fA-F]{32,}$/;

export class ImageReferenceError extends Error {}

export function parseImageReference(image: string): ImageReference {
    if (image.trim() !== image || image === "") {
        throw new ImageReferenceError(`"${image}" is not an image reference`);
    }
    const at = image.indexOf("@");
    const name = at >= 0 ? image.slice(0, at) : image;
    const digest = at >= 0 ? image.slice(at + 1) : undefined;
    if (digest !== undefined && !digestPattern.test(digest)) {
        throw new ImageReferenceError(`"${image}" has a malformed digest "${digest}" (expected e.g. sha256:<64 hex digits>)`);
    }
    const lastSlash = name.lastIndexOf("/");
    const colon = name.indexOf(":", lastSlash + 1);
    const repository = colon >= 0 ? name.slice(0, colon) : name;
    const tag = colon >= 0 ? name.slice(colon + 1) : undefined;
    if (repository === "" || /\s/.test(repository)) {
        throw new ImageReferenceError(`"${image}" has no repository name`);
    }
    if (tag !== undefined && !tagPattern.test(tag)) {
        throw new ImageReferenceError(`"${image}" has an invalid tag "${tag}"`);
    }
    return { repository, tag, digest };
}
