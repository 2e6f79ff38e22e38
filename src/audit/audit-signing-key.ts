import { createPrivateKey, createPublicKey, KeyObject, randomBytes, sign, verify } from 'node:crypto';

// DER prefixes that wrap a raw Ed25519 seed (PKCS#8) and a raw public key (SPKI).
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/**
 * An Ed25519 private key from AUDIT_SIGNING_KEY: a PKCS#8 PEM, or the base64 of the 32-byte seed
 * (what `generateSigningKeyText` prints). Throws with a message fit for a configuration error.
 */
export function parseSigningKey(text: string): KeyObject {
  const trimmed = text.trim();
  if (trimmed.startsWith('-----BEGIN')) {
    const key = createPrivateKey(trimmed);
    if (key.asymmetricKeyType !== 'ed25519') throw new Error(`is a ${key.asymmetricKeyType ?? 'non-asymmetric'} key, not Ed25519`);
    return key;
  }
  const seed = Buffer.from(trimmed, 'base64');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed) || seed.length !== 32) {
    throw new Error('must be an Ed25519 PKCS#8 PEM or the base64 of a 32-byte seed');
  }
  return createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

/** Why AUDIT_SIGNING_KEY cannot be used, or undefined when it can. */
export function signingKeyProblem(text: string): string | undefined {
  try {
    parseSigningKey(text);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** A new key in the form AUDIT_SIGNING_KEY takes. */
export function generateSigningKeyText(): string {
  return randomBytes(32).toString('base64');
}

/** The raw 32-byte public key, hex: how checkpoints name their signer. */
export function publicKeyHex(privateKey: KeyObject): string {
  return createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).subarray(SPKI_ED25519_PREFIX.length).toString('hex');
}

export function signText(text: string, privateKey: KeyObject): string {
  return sign(null, Buffer.from(text, 'utf8'), privateKey).toString('hex');
}

/** False for a malformed key or signature as well as for a wrong one. */
export function signatureValid(text: string, signatureHex: string, publicKeyHexText: string): boolean {
  if (!/^[0-9a-f]{64}$/.test(publicKeyHexText) || !/^[0-9a-f]{128}$/.test(signatureHex)) return false;
  const publicKey = createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, Buffer.from(publicKeyHexText, 'hex')]), format: 'der', type: 'spki' });
  return verify(null, Buffer.from(text, 'utf8'), publicKey, Buffer.from(signatureHex, 'hex'));
}
