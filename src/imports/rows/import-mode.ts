/** How an import treats rows whose natural key is, or is not, already stored. */
export enum ImportMode {
  Upsert = 'upsert',
  Create = 'create',
  Update = 'update',
}
