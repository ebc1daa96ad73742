import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { redactSecrets, redactUrl } from '../../src/store/redact.js';

const SAS = 'sv=2021-08-06&ss=b&srt=co&sp=racwdl&se=2030-01-01T00%3A00%3A00Z&sig=abcDEF%2Bghi%3D';

describe('redactUrl', () => {
  it('drops the whole query string and user info, keeps the container', () => {
    assert.equal(redactUrl(`https://acct.blob.core.windows.net/cont?${SAS}`), 'https://acct.blob.core.windows.net/cont?<redacted>');
    assert.equal(redactUrl('https://u:p@acct.blob.core.windows.net/cont'), 'https://acct.blob.core.windows.net/cont');
    assert.equal(redactUrl('http://127.0.0.1:10000/devstoreaccount1/c'), 'http://127.0.0.1:10000/devstoreaccount1/c');
  });
  it('redacts unparsable input as text', () => {
    const out = redactUrl(`not a url ?${SAS}`);
    assert.ok(!out.includes('abcDEF') && !out.includes('sig='), out);
  });
});

describe('redactSecrets', () => {
  const cases = [
    `PUT https://acct.blob.core.windows.net/c/blob?${SAS} failed`,
    `failed for /devstoreaccount1/c/A?${SAS.replace(/&/g, '&amp;')}\nRequestId:1`,
    `the SAS was ${SAS}.`,
    `connection string: DefaultEndpointsProtocol=https;AccountName=a;AccountKey=abcDEF+ghi=;`,
    'Authorization: SharedKey acct:abcDEFghi',
    'Authorization: Bearer abcDEFghi',
  ];
  for (const text of cases) {
    it(`removes the secret from ${JSON.stringify(text.slice(0, 40))}…`, () => {
      const out = redactSecrets(text);
      assert.ok(!/abcDEF/.test(out), out);
      assert.ok(!/\bsig=/i.test(out), out);
    });
  }
  it('leaves harmless text alone', () => {
    const text = 'blob 0000006457871C6B_00000000000000000000000000000064.0002 not found (HTTP 404)';
    assert.equal(redactSecrets(text), text);
  });
});
