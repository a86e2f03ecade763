// typescript-eslint, resolved from this workspace so that it finds TypeScript 6 (see package.json).
export { default } from 'typescript-eslint';
