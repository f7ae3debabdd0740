// ESLint for the TypeScript (and the few JavaScript files); run by `npm test` (npm run lint).
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import globals from "globals";

export default tseslint.config(
  { ignores: ["node_modules/", "artifacts/", "cache/", "typechain-types/", "coverage/", "dist/", "ignition/", ".moveset/", "deployments/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.mocha } },
    rules: {
      // Unused names are errors, except those meant to be ignored (`_x`).
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
    },
  },
  {
    // chai's property assertions (`expect(x).to.be.ok`) are expressions.
    files: ["test/**/*.ts"],
    rules: {
      "@typescript-eslint/no-unused-expressions": "off",
      // moveset makes a block only when there is something to batch: ethers' waitForTransaction waits for a
      // new block after its receipt check and misses one that lands in between (test/e2e/helpers.ts).
      "no-restricted-properties": ["error", { property: "waitForTransaction", message: "use receiptOf (test/e2e/helpers.ts): it polls the receipt, not for a next block" }],
    },
  },
  {
    // The explorer's page runs in the browser.
    files: ["explorer/**/*.js"],
    languageOptions: { sourceType: "script", globals: { ...globals.browser } },
  },
  {
    files: ["**/*.js"],
    languageOptions: { sourceType: "commonjs" },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
);
