// The path attribute codecs, one module per group.
export * from './codes';
export * from './basic';
export * from './aspath';
export * from './communities';
export * from './aigp';
export * from './mp';
