// Lint rules for the program, its scripts and its tests. Type-aware linting is on so that the
// Pulumi rules can see which values are Outputs.
import js from "@eslint/js";
import pulumi from "@pulumi/eslint-plugin";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
    {
        // .gitlab-ci-local/: gitlab-ci-local's copy of the project and its job state.
        ignores: [
            "node_modules/",
            "dist/",
            "out/",
            "policy/node_modules/",
            ".cache/",
            ".gitlab-ci-local/",
        ],
    },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    {
        files: ["**/*.ts"],
        languageOptions: {
            parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
        },
        plugins: { pulumi },
        rules: {
            "pulumi/no-output-in-template-literal": "error",
            "pulumi/no-output-instance-in-template-literal": "error",
            // `_name` marks a value left out on purpose, as in `const { password: _password, ...rest }`.
            "@typescript-eslint/no-unused-vars": [
                "error",
                { argsIgnorePattern: "^_", varsIgnorePattern: "^_", ignoreRestSiblings: true },
            ],
        },
    },
    {
        // Tests walk parsed YAML, JSON and rendered manifests of every shape.
        files: ["test/**/*.ts"],
        rules: { "@typescript-eslint/no-explicit-any": "off" },
    },
    {
        files: ["**/*.js", "**/*.mjs"],
        languageOptions: { globals: globals.node },
    },
    {
        // Plain CommonJS scripts that Pulumi runs with node, outside the TypeScript build.
        files: ["**/*.js"],
        languageOptions: { sourceType: "commonjs" },
        rules: { "@typescript-eslint/no-require-imports": "off" },
    },
);
