// Constants esbuild (scripts/build.mjs) and vitest (vitest.config.mts) write into the code at build time.

/** The `version` of package.json. */
declare const TAGSMITH_VERSION: string;
