import { randomInt } from 'node:crypto';
import type { UserType } from '../domain/purchase';
import type { SecretBox } from './secrets';

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function pick(alphabet: string, length: number): string {
  let text = '';
  for (let i = 0; i < length; i++) text += alphabet[randomInt(alphabet.length)];
  return text;
}

/**
 * Hotspot credentials in the formats customers and portals already know, drawn from a cryptographic source (guessable
 * credentials would be free WiFi): `PT-` + 5 letters/digits and a 4-digit password, or a PIN user `PT-` + 5 digits
 * with no password. The API draws them with the purchase row; the reservation draws new ones when a row has none or
 * the router holds the name for someone else.
 */
export function generateCredentials(userType: UserType): { username: string; password: string } {
  if (userType === 'pin') return { username: `PT-${pick('0123456789', 5)}`, password: '' };
  return { username: `PT-${pick(ALPHANUMERIC, 5)}`, password: pick('0123456789', 4) };
}

/** Fresh credentials as a purchase row keeps them: the name, and the password sealed (none for a PIN user). */
export function freshCredentialColumns(
  secrets: Pick<SecretBox, 'encrypt'>,
  userType: UserType,
): { hotspotUsername: string; hotspotPasswordEncrypted: string | null } {
  const { username, password } = generateCredentials(userType);
  return { hotspotUsername: username, hotspotPasswordEncrypted: password ? secrets.encrypt(password) : null };
}
