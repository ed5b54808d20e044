import { defineConfig } from "vitest/config";

export default defineConfig({
    test: {
        include: ["test/**/*.test.ts"],
        // Pulumi mocks and the runtime settings they install are process-wide state:
        // every test file gets its own worker so one file's mocks never leak into another.
        pool: "forks",
        isolate: true,
        testTimeout: 30_000,
        hookTimeout: 120_000,
    },
});
