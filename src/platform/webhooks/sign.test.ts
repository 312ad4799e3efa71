import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { signatureHeader, verifySignature } from './sign.js';

const secret = 'whsec_test';
const body = JSON.stringify({ type: 'application.submitted', data: { id: 'a1' } });
const now = Date.UTC(2026, 10, 28, 12, 0, 0);

test('signatureHeader: t and v1 = HMAC-SHA256(secret, `${t}.${body}`)', () => {
  const header = signatureHeader(secret, body, now);
  const t = Math.floor(now / 1000);
  const hex = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
  assert.equal(header, `t=${t},v1=${hex}`);
});

test('verifySignature accepts its own signature within the tolerance', () => {
  const header = signatureHeader(secret, body, now);
  assert.equal(verifySignature(secret, body, header, now), true);
  assert.equal(verifySignature(secret, Buffer.from(body), header, now + 299_000), true);
  assert.equal(verifySignature(secret, body, header, now - 299_000), true);
});

test('verifySignature refuses wrong secret, changed body, old or future timestamps, junk', () => {
  const header = signatureHeader(secret, body, now);
  assert.equal(verifySignature('other', body, header, now), false);
  assert.equal(verifySignature(secret, body + ' ', header, now), false);
  assert.equal(verifySignature(secret, body, header, now + 301_000), false);
  assert.equal(verifySignature(secret, body, header, now - 301_000), false);
  assert.equal(verifySignature(secret, body, header, now + 10_000, 5), false);
  for (const bad of ['', 'v1=abc', 't=1', 't=x,v1=00', `t=${Math.floor(now / 1000)},v1=zz`, undefined, null]) {
    assert.equal(verifySignature(secret, body, bad, now), false, String(bad));
  }
  // another timestamp with the same v1 does not verify (the timestamp is signed)
  const t = Math.floor(now / 1000);
  const v1 = header.split('v1=')[1];
  assert.equal(verifySignature(secret, body, `t=${t + 1},v1=${v1}`, now), false);
});
