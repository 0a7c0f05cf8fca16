/** Pragmatic: something@domain.tld, no spaces, brackets or quotes. Whether the mailbox exists is what the code proves. */
const ADDRESS = /^[^\s@<>"(),;:\\[\]]+@[^\s@<>"(),;:\\[\].]+(\.[^\s@<>"(),;:\\[\].]+)+$/u;
/** Control characters (a line break would add a mail header) and direction overrides that disguise text. */
const UNSAFE = /[\p{Cc}\u202a-\u202e\u2066-\u2069]/u;
/** RFC 5321's limit on a path: an address any server accepts. */
const MAX_LENGTH = 254;

/** The claim's value as an address to send a code to, or null when it is missing or not one. */
export function emailAddressFrom(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const address = value.normalize('NFC').trim();
  if (address.length > MAX_LENGTH || UNSAFE.test(address) || !ADDRESS.test(address)) return null;
  return address;
}

/** `aroha@example.org` → `a•••@example.org`: enough for the user to recognise, too little to harvest. */
export function maskedAddress(address: string): string {
  const at = address.lastIndexOf('@');
  const [first] = Array.from(address.slice(0, at));
  return `${first ?? ''}•••${address.slice(at)}`;
}
