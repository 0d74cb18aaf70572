// @ts-check
import tseslint from "typescript-eslint";

const barrelMessage =
  "Import provider classes by path (e.g. @cdktf/provider-aws/lib/iam-role): the package root loads every resource binding (~36 s and 2.3 GB per synth).";

export default tseslint.config(
  {
    ignores: [
      "node_modules/**",
      "cdktf.out/**",
      ".gen/**",
      "coverage/**",
      "bench/results/**",
      "**/*.js",
      "**/*.mjs",
    ],
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [
            { name: "@cdktf/provider-aws", message: barrelMessage },
            { name: "@cdktf/provider-google", message: barrelMessage },
            { name: "@cdktf/provider-google-beta", message: barrelMessage },
            { name: "@cdktf/provider-random", message: barrelMessage },
            { name: "@cdktf/provider-time", message: barrelMessage },
          ],
        },
      ],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
    },
  },
);
