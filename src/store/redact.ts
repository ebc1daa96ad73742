/**
 * Secret redaction for anything that could carry a SAS token: URLs, SDK error messages, logs.
 * A container URL's query string IS the credential, so it is dropped whole, never partially shown.
 */

const REDACTED = '<redacted>';

/** A URL without its query string (the SAS) and without user info; unparsable input is redacted as text. */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return redactSecrets(url);
  }
  const hadQuery = parsed.search.length > 1;
  parsed.username = '';
  parsed.password = '';
  parsed.search = '';
  parsed.hash = '';
  return parsed.toString() + (hadQuery ? `?${REDACTED}` : '');
}

// an http(s) URL followed by a query string: the whole query goes
const URL_WITH_QUERY = /\b(https?:\/\/[^\s?#"'<>]+)\?[^\s#"'<>]*/gi;
// any other query string (e.g. a request path echoed by a server) that carries a signature
const QUERY_WITH_SIG = /\?[^\s#"'<>]*\bsig=[^\s#"'<>]*/gi;
// a bare SAS ("sv=...&sp=...&sig=...") outside any URL: the whole run of parameters goes
const BARE_SAS = /(?:[\w-]+=[^&\s"'<>]*&(?:amp;)?)*\bsig=[^&\s"'<>]*(?:&(?:amp;)?[\w-]+=[^&\s"'<>]*)*/gi;
// other secrets wherever they appear: account keys, shared-key and bearer authorization values
const SECRET_PAIR = /\b(AccountKey|SharedAccessSignature|signature)=([^&\s;"'<>]*)/gi;
const SHARED_KEY_HEADER = /\b(SharedKey(?:Lite)?\s+[^:\s]+:)\S+/g;
const BEARER = /\b(Bearer\s+)\S+/gi;

/** Free text with every URL query string, every SAS and every secret-looking key=value replaced. */
export function redactSecrets(text: string): string {
  return text
    .replace(URL_WITH_QUERY, `$1?${REDACTED}`)
    .replace(QUERY_WITH_SIG, `?${REDACTED}`)
    .replace(BARE_SAS, `<redacted SAS>`)
    .replace(SECRET_PAIR, `$1=${REDACTED}`)
    .replace(SHARED_KEY_HEADER, `$1${REDACTED}`)
    .replace(BEARER, `$1${REDACTED}`)
    .replace(USERINFO_PASSWORD, `$1:${REDACTED}@`);
}

// the password of `scheme://user:password@host` (also once a path resolve folded `//` to `/`)
const USERINFO_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/?[^\s/@:]*):[^\s/]*@/gi;

/** Text with the password of every URL-shaped value (`postgres://u:secret@h/db`) replaced. */
export function redactCredentials(text: string): string {
  return text.replace(USERINFO_PASSWORD, `$1:${REDACTED}@`);
}
