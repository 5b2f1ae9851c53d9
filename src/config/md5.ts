// The key bytes of `md5-password` under `md5-base64`, as ExaBGP 4.2 derives them on Linux.

/** TCP_MD5SIG_MAXKEYLEN in linux/tcp.h. */
export const MD5_MAX_KEY = 80;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Strict base64 (padding optional): undefined when `text` is not base64. */
function base64(text: string): Uint8Array | undefined {
  if (!BASE64.test(text)) return undefined;
  const data = text.replace(/=+$/, '');
  if (data.length % 4 === 1) return undefined;
  return new Uint8Array(Buffer.from(data, 'base64'));
}

/**
 * md5-base64 true: the password is base64. false: its bytes as written. auto: ExaBGP decodes a password made
 * only of lowercase hex digits as base64 (padding added) and takes any other as written; a hex string that is
 * not base64 either (length 4n+1) is taken as written too. Undefined when `true` and the text is not base64.
 */
export function md5Key(password: string, md5Base64: boolean | 'auto'): Uint8Array | undefined {
  if (md5Base64 === true) return base64(password);
  if (md5Base64 === 'auto' && /^[a-f0-9]+$/.test(password)) {
    const k = base64(password);
    if (k) return k;
  }
  return new Uint8Array(Buffer.from(password, 'utf8'));
}
