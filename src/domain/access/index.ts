export * from './roles';
export * from './permissions';
export * from './policy';
export * from './masking';
