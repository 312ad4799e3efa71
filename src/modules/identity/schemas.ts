import { z } from 'zod';

// Wire shapes of the identity API. Semantic checks (mobile format, national-code checksum)
// live in the service, which answers with localized field messages.

export const otpRequestBody = z.object({ mobile: z.string().max(40).meta({ example: '09121234567', description: 'Any common Iranian format; Persian or ASCII digits.' }) });
export const otpRequestReply = z.object({ mobile: z.string(), expires_at: z.string(), resend_after: z.string() });
export const otpVerifyBody = z.object({ mobile: z.string().max(40), code: z.string().max(20).meta({ example: '123456' }) });

export const citizenSchema = z.object({
  id: z.string(),
  mobile: z.string(),
  national_code: z.string().nullable(),
  first_name: z.string().nullable(),
  last_name: z.string().nullable(),
  email: z.string().nullable(),
  profile_complete: z.boolean(),
  created_at: z.string(),
});

export const sessionReply = z.object({
  token: z.string().meta({ description: 'Send as `Authorization: Bearer <token>`; also set as the session cookie.' }),
  stage: z.enum(['full', 'totp']),
  expires_at: z.string(),
});

export const otpVerifyReply = sessionReply.extend({ citizen: citizenSchema, is_new: z.boolean() });
export const staffLoginBody = z.object({ username: z.string().max(200), password: z.string().max(1000) });
export const totpBody = z.object({ code: z.string().max(20) });
export const profileBody = z.object({
  national_code: z.string().max(20),
  first_name: z.string().max(200),
  last_name: z.string().max(200),
  email: z.string().max(200).optional(),
});

export const meReply = z.object({
  kind: z.enum(['citizen', 'staff']),
  citizen: citizenSchema.optional(),
  staff: z.object({ id: z.string(), display_name: z.string(), memberships: z.array(z.object({ org: z.string(), role: z.string() })) }).optional(),
});

export const errorReply = z.object({
  error: z.object({ code: z.string(), message: z.string(), fields: z.record(z.string(), z.string()), request_id: z.string() }),
});
