// Checks: rules declared as data (rules.ts), applied by pure functions (check.ts).
export * from './rules';
export * from './check';
export * from './wildcardFile';
