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

// key=value pairs that are secrets wherever they appear (SAS signature, account keys, shared-key headers).
const SECRET_PAIR = /\b(sig|signature|AccountKey|SharedAccessSignature|x-ms-copy-source-authorization)=([^&\s;"'<>]*)/gi;
const SHARED_KEY_HEADER = /\b(SharedKey(?:Lite)?\s+[^:\s]+:)\S+/g;
const BEARER = /\b(Bearer\s+)\S+/gi;
// an http(s) URL followed by a query string: the whole query goes
const URL_WITH_QUERY = /\b(https?:\/\/[^\s?#"'<>]+)\?[^\s#"'<>]*/gi;

/** Free text with every URL query string and every secret-looking key=value replaced. */
export function redactSecrets(text: string): string {
  return text
    .replace(URL_WITH_QUERY, `$1?${REDACTED}`)
    .replace(SECRET_PAIR, `$1=${REDACTED}`)
    .replace(SHARED_KEY_HEADER, `$1${REDACTED}`)
    .replace(BEARER, `$1${REDACTED}`);
}
