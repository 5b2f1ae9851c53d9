// The path attribute codecs, one module per group.

export * from './aigp';
export * from './aspath';
export * from './basic';
export * from './codes';
export * from './communities';
export * from './mp';
export * from './prefixsid';
