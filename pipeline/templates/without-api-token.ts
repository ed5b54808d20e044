import { workflowExecutor } from "../../vocabulary/names";
import type { Template } from "./argo-types";

/**
 * For steps whose code never calls the Kubernetes API (training, the build context, BuildKit):
 * their containers get no service-account token, so code they run (the app's third-party
 * source included) holds no credential. Argo's own executor containers in the pod use the
 * executor account's token, which can only report the step's outputs.
 */
export const withoutApiToken: Pick<Template, "automountServiceAccountToken" | "executor"> = {
    automountServiceAccountToken: false,
    executor: { serviceAccountName: workflowExecutor.serviceAccount },
};
