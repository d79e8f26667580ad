export * from './attachment';
