import { describe, expect, it } from "vitest";
import { looksLikeSecretName, plainSecretEnv } from "../../../policies/rules/plain-secret-env";
import { allPodBearing, argoTemplateVariants, argoWorkflows, goodContainer } from "../fixtures";
import { expectNoViolations, expectViolation } from "../util";

describe("no-plain-secret-env", () => {
    it.each(["POSTGRES_PASSWORD", "AWS_SECRET_ACCESS_KEY", "GITHUB_TOKEN", "api_key", "MINIO_ROOT_PASSWORD", "ARGOCD_AUTH_TOKEN", "GOOGLE_CREDENTIALS"])(
        "treats %s as a credential",
        (name) => {
            expect(looksLikeSecretName(name)).toBe(true);
        },
    );

    it.each(["MONKEY", "KEYBOARD_LAYOUT", "MLFLOW_TRACKING_URI", "TOKENIZER_PATH", "PASSTHROUGH", "PATH"])("does not treat %s as a credential", (name) => {
        expect(looksLikeSecretName(name)).toBe(false);
    });

    describe.each(Object.entries(allPodBearing))("%s", (_kind, build) => {
        it("flags a literal credential", async () => {
            const container = goodContainer({ env: [{ name: "POSTGRES_PASSWORD", value: "hunter2" }] });
            await expectViolation(plainSecretEnv, build(container), "POSTGRES_PASSWORD is set to a literal value", ".env[0]");
        });

        it("accepts valueFrom.secretKeyRef and non-credential literals", async () => {
            const container = goodContainer({
                env: [
                    { name: "POSTGRES_PASSWORD", valueFrom: { secretKeyRef: { name: "postgres", key: "password" } } },
                    { name: "MLFLOW_TRACKING_URI", value: "http://mlflow:8000" },
                    { name: "OPTIONAL_TOKEN", value: "" },
                ],
            });
            await expectNoViolations(plainSecretEnv, build(container));
        });
    });

    it.each(Object.keys(argoTemplateVariants))("checks an Argo %s", async (variant) => {
        const container = goodContainer({ env: [{ name: "ARGOCD_AUTH_TOKEN", value: "{{workflow.parameters.token}}" }] });
        await expectViolation(plainSecretEnv, argoWorkflows.WorkflowTemplate([argoTemplateVariants[variant](container)]), "ARGOCD_AUTH_TOKEN");
    });

    it("is advisory", () => {
        expect(plainSecretEnv.enforcementLevel).toBe("advisory");
    });
});
