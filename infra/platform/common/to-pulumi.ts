/**
 * Typed Kubernetes objects (kubernetes-models) are built and validated first; Pulumi gets
 * their plain JSON form. `validate()` throws with the JSON-schema path of the first error,
 * so a malformed object stops the program before anything reaches the cluster.
 */
interface KubernetesModel {
    validate(): void;
}

// The models' base class ships ESM-only type declarations that the CommonJS resolver of this
// project cannot see, so `validate` is reached through a structural cast here, in one place.
export function validated<T extends object>(object: T): T {
    (object as unknown as KubernetesModel).validate();
    return object;
}

/** The plain JSON form (what `toJSON()` and the API server see) that Pulumi's args accept. */
export function pulumiArgs<A>(object: object): A {
    return JSON.parse(JSON.stringify(object)) as A;
}
