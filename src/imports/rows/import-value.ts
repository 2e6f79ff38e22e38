/**
 * A validated field value. `undefined` means the column is absent from the file: an update keeps
 * the stored value and a create takes the field's default. `null` means "no value".
 */
export type ImportValue = string | number | boolean | null | readonly unknown[] | undefined;
