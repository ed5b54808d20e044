/**
 * Every pinned version the program deploys, in one place. The Python requirement files
 * that must agree with these (MLflow on both sides of the model hand-off) are checked
 * against this file by test/unit/versions.test.ts.
 */

/** MLflow: the tracking server image, the training image and the build step's download. */
export const mlflowVersion = "3.17.2";

/** K3s release installed on Chameleon nodes (stack config may override). */
export const k3sVersion = "v1.33.5+k3s1";
