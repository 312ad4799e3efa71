// The payment settings of the configuration: the gateway is chosen by PAYMENT_GATEWAY; Zarinpal
// needs its merchant code; production never runs on the sandbox bank.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../config.js';

const MERCHANT = '1344b5d4-0048-11e8-94db-005056a205be';
const PRODUCTION = {
  NODE_ENV: 'production', SESSION_SECRET: 's'.repeat(40), PUBLIC_URL: 'https://pishkhan.example.ir',
  SMS_PROVIDER: 'kavenegar', KAVENEGAR_API_KEY: 'key', KAVENEGAR_OTP_TEMPLATE: 'otp',
};

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.problems.map((p) => p.slice(0, p.indexOf(':'))).sort();
  }
  assert.fail('expected the configuration to be refused');
}

test('outside production the sandbox bank is the default, reconciled after 20 minutes', () => {
  const c = loadConfig({});
  assert.equal(c.paymentGateway, 'sandbox');
  assert.equal(c.zarinpal, null);
  assert.equal(c.paymentReconcileAfterMinutes, 20);
  assert.equal(loadConfig({ PAYMENT_RECONCILE_AFTER_MINUTES: '5' }).paymentReconcileAfterMinutes, 5);
  assert.deepEqual(problems({ PAYMENT_RECONCILE_AFTER_MINUTES: '0' }), ['PAYMENT_RECONCILE_AFTER_MINUTES']);
});

test('production refuses to start on the sandbox bank, whether chosen or by default', () => {
  assert.deepEqual(problems(PRODUCTION), ['PAYMENT_GATEWAY']);
  assert.deepEqual(problems({ ...PRODUCTION, PAYMENT_GATEWAY: 'sandbox' }), ['PAYMENT_GATEWAY']);
  const c = loadConfig({ ...PRODUCTION, PAYMENT_GATEWAY: 'zarinpal', ZARINPAL_MERCHANT_ID: MERCHANT });
  assert.deepEqual(c.zarinpal, { merchantId: MERCHANT, baseUrl: 'https://payment.zarinpal.com', currency: 'IRR' });
});

test('Zarinpal needs a well-formed merchant code; its address and currency may be set; production wants https', () => {
  assert.deepEqual(problems({ PAYMENT_GATEWAY: 'zarinpal' }), ['ZARINPAL_MERCHANT_ID']);
  assert.deepEqual(problems({ PAYMENT_GATEWAY: 'zarinpal', ZARINPAL_MERCHANT_ID: 'not-a-merchant' }), ['ZARINPAL_MERCHANT_ID']);
  assert.deepEqual(problems({ PAYMENT_GATEWAY: 'zarinpal', ZARINPAL_MERCHANT_ID: MERCHANT, ZARINPAL_CURRENCY: 'USD' }), ['ZARINPAL_CURRENCY']);
  const c = loadConfig({ PAYMENT_GATEWAY: 'zarinpal', ZARINPAL_MERCHANT_ID: MERCHANT, ZARINPAL_BASE_URL: 'https://sandbox.zarinpal.com/', ZARINPAL_CURRENCY: 'IRT' });
  assert.deepEqual(c.zarinpal, { merchantId: MERCHANT, baseUrl: 'https://sandbox.zarinpal.com', currency: 'IRT' });
  assert.deepEqual(problems({ ...PRODUCTION, PAYMENT_GATEWAY: 'zarinpal', ZARINPAL_MERCHANT_ID: MERCHANT, ZARINPAL_BASE_URL: 'http://127.0.0.1:9' }), ['ZARINPAL_BASE_URL']);
  // Zarinpal's settings are not used while the sandbox is chosen (a malformed one is still reported).
  assert.equal(loadConfig({ ZARINPAL_MERCHANT_ID: MERCHANT }).zarinpal, null);
  assert.deepEqual(problems({ ZARINPAL_MERCHANT_ID: 'typo' }), ['ZARINPAL_MERCHANT_ID']);
});
