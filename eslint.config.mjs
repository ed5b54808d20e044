// Lints the TypeScript of the program, the pipeline, the policy pack, the benchmarks and the tests.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
    { ignores: ["node_modules/**", "bin/**", ".cache/**", "policies/node_modules/**", "policies/bin/**"] },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    {
        rules: {
            // tsc (noUnusedLocals, noUnusedParameters) already reports these, with the same rules.
            "@typescript-eslint/no-unused-vars": "off",
        },
    },
    {
        files: ["test/**/*.ts", "bench/**/*.ts"],
        rules: {
            // Tests read API objects and reports as loosely typed JSON on purpose.
            "@typescript-eslint/no-explicit-any": "off",
        },
    },
    {
        files: ["**/*.mjs"],
        languageOptions: { globals: { process: "readonly", console: "readonly" } },
    },
    {
        // Plain Node scripts in CommonJS (the gate image's build step runs them without a compiler).
        files: ["**/*.js"],
        languageOptions: { sourceType: "commonjs", globals: { process: "readonly", console: "readonly", __dirname: "readonly", require: "readonly", module: "writable" } },
        rules: { "@typescript-eslint/no-require-imports": "off" },
    },
);
