/**
 * `attachment` with an ASCII fallback and the exact UTF-8 name (RFC 6266 / RFC 5987), so a Greek
 * filename survives and no header ever carries raw non-ASCII bytes.
 */
export function attachmentDisposition(filename: string): string {
  const fallback = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const encoded = encodeURIComponent(filename).replace(/['()*]/g, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
