/**
 * Every pinned version the program deploys, in one place. The Python requirement files
 * that must agree with these (MLflow on both sides of the model hand-off) are checked
 * against this file by test/unit/versions.test.ts.
 */

/** MLflow: the tracking server image, the training image and the build step's download. */
export const mlflowVersion = "3.17.2";

/** K3s release installed on Chameleon nodes (stack config may override). */
export const k3sVersion = "v1.33.5+k3s1";

/** Argo Workflows: the controller and server install, the CRDs the e2e cluster loads, `argo lint`. */
export const argoWorkflowsVersion = "v3.7.9";

/** Argo CD: install manifest and the Application CRD. */
export const argoCdVersion = "v3.5.7";
