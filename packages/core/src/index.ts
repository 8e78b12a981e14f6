/**
 * `@prealign/core`: the tagged-text domain, free of any framework, imported by the web app and
 * the server alike. The tokenizer lives in `@prealign/core/tokenizer` (Node only: it loads
 * WebAssembly) so that the browser bundle never pulls it in.
 */
export * from "./grammar.ts";
export * from "./positions.ts";
export * from "./validator.ts";
export * from "./lints.ts";
export * from "./schema.ts";
export * from "./codec.ts";
export * from "./spans.ts";
export * from "./spanInside.ts";
export * from "./editing.ts";
export * from "./automaton.ts";
export * from "./workflow.ts";
export * from "./limits.ts";
export * from "./agreement.ts";
export * from "./quality.ts";
export * from "./exportFilters.ts";
