// Flat ESLint config: type-aware rules for the TypeScript workspaces.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "**/node_modules/**",
      "**/dist/**",
      "**/dist-unit/**",
      "**/.next/**",
      "**/.next-dev/**",
      "apps/api/src/generated/**",
      "**/next-env.d.ts",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ["*.mjs", "scripts/*.mjs", "prisma.config.ts"] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": [
        "error",
        // node:test's describe/it return promises the runner itself awaits.
        { allowForKnownSafeCalls: [{ from: "package", name: ["describe", "it", "test"], package: "node:test" }] },
      ],
      "@typescript-eslint/switch-exhaustiveness-check": "error",
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      eqeqeq: ["error", "always"],
    },
  },
  {
    // Docker I/O stays behind the adapter in apps/api/src/nodes/ (time limits, named calls): nothing
    // else in the apps or packages may reach the client. Tests use their own client for assertions.
    files: ["apps/**/*.{ts,tsx}", "packages/**/*.ts"],
    ignores: ["apps/api/src/nodes/**"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          paths: ["dockerode", "docker-modem"].map((name) => ({
            name,
            message: "Docker I/O belongs in apps/api/src/nodes/ (DockerEngine); add a named method there.",
          })),
        },
      ],
    },
  },
  {
    // Outside every tsconfig project (Prisma loads it itself), so linted without type information.
    files: ["**/*.mjs", "prisma.config.ts"],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { globals: { process: "readonly", console: "readonly", URL: "readonly" } },
  },
);
