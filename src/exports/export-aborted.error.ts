/** Thrown when the reader of the export went away (the client closed the connection). */
export class ExportAbortedError extends Error {
  constructor() {
    super('The export was abandoned by its reader');
  }
}
