/**
 * The builders return plain objects typed by kubernetes-models' interfaces; Pulumi's args
 * types describe the same JSON with their own (Input-wrapped) types. This is the one place
 * that crosses between the two, and it drops `undefined` fields on the way.
 */
export function pulumiArgs<A>(object: object): A {
    return JSON.parse(JSON.stringify(object)) as A;
}
