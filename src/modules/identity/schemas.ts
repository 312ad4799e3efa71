import { z } from 'zod';

// Wire shapes of the identity API. Semantic checks (mobile format, national-code checksum)
// live in the service, which answers with localized field messages.

export const otpRequestBody = z.object({ mobile: z.string().max(40).meta({ example: '09121234567', description: 'Any common Iranian format; Persian or ASCII digits.' }) });
export const otpRequestReply = z.object({ mobile: z.string(), expires_at: z.string(), resend_after: z.string() })
  .meta({ example: { mobile: '09121234567', expires_at: '2026-11-28T09:02:00.000Z', resend_after: '2026-11-28T09:01:00.000Z' } });
export const otpVerifyBody = z.object({ mobile: z.string().max(40), code: z.string().max(20).meta({ example: '123456' }) });

const citizenExample = {
  id: '0193a5c2-7f1e-7c3a-9b1d-2f4e6a8c0d12', mobile: '09121234567', national_code: '0012345679',
  first_name: 'مریم', last_name: 'رضایی', email: 'maryam.rezaei@example.ir', profile_complete: true, created_at: '2026-11-20T06:30:00.000Z',
};

export const citizenSchema = z.object({
  id: z.string(),
  mobile: z.string(),
  national_code: z.string().nullable(),
  first_name: z.string().nullable(),
  last_name: z.string().nullable(),
  email: z.string().nullable(),
  profile_complete: z.boolean(),
  created_at: z.string(),
}).meta({ example: citizenExample });

export const sessionReply = z.object({
  token: z.string().meta({ description: 'Send as `Authorization: Bearer <token>`; also set as the session cookie.' }),
  stage: z.enum(['full', 'totp']),
  expires_at: z.string(),
}).meta({ example: { token: 'k3Jz9QeV1m0bX7tP2rW5yN8cF4hA6sDq', stage: 'full', expires_at: '2026-11-28T21:00:00.000Z' } });

export const otpVerifyReply = sessionReply.extend({ citizen: citizenSchema, is_new: z.boolean() })
  .meta({ example: { token: 'k3Jz9QeV1m0bX7tP2rW5yN8cF4hA6sDq', stage: 'full', expires_at: '2026-11-28T21:00:00.000Z', citizen: citizenExample, is_new: false } });
export const staffLoginBody = z.object({ username: z.string().max(200).meta({ example: 'a.karimi' }), password: z.string().max(1000).meta({ example: 'correct horse battery staple' }) });
export const totpBody = z.object({ code: z.string().max(20).meta({ example: '492039', description: 'The six digits the authenticator app shows' }) });
export const profileBody = z.object({
  national_code: z.string().max(20),
  first_name: z.string().max(200),
  last_name: z.string().max(200),
  email: z.string().max(200).optional(),
}).meta({ example: { national_code: '0012345679', first_name: 'مریم', last_name: 'رضایی', email: 'maryam.rezaei@example.ir' } });

export const meReply = z.object({
  kind: z.enum(['citizen', 'staff']),
  citizen: citizenSchema.optional(),
  staff: z.object({ id: z.string(), display_name: z.string(), memberships: z.array(z.object({ org: z.string(), role: z.string() })) }).optional(),
}).meta({ example: { kind: 'staff', staff: { id: '0193a5c2-8a40-7d11-b2c4-51e0f3a9d7e8', display_name: 'علی کریمی', memberships: [{ org: 'sari', role: 'clerk' }] } } });

export const errorReply = z.object({
  error: z.object({ code: z.string(), message: z.string(), fields: z.record(z.string(), z.string()), request_id: z.string() }),
}).meta({ description: 'The error reply every API route uses', example: { error: { code: 'common.invalid_input', message: 'برخی از مقادیر واردشده درست نیست؛ لطفاً موارد مشخص‌شده را اصلاح کنید.', fields: { national_code: 'کد ملی معتبر نیست.' }, request_id: 'req-1a2b' } } });
