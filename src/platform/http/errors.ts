/**
 * An expected failure: a code that names a localized message (`auth.otp_expired`), the HTTP
 * status to answer with, and optional field-level message codes for forms and API clients.
 */
export class AppError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    readonly fields: Record<string, string> = {},
    readonly params: Record<string, string | number> = {},
  ) {
    super(code);
  }
}

export const notFound = (code = 'common.not_found'): AppError => new AppError(code, 404);
export const forbidden = (code = 'common.forbidden'): AppError => new AppError(code, 403);
export const unauthorized = (code = 'auth.required'): AppError => new AppError(code, 401);
export const badInput = (fields: Record<string, string>, code = 'common.invalid_input'): AppError => new AppError(code, 400, fields);
export const tooMany = (code: string, retryAfterSeconds: number): AppError => new AppError(code, 429, {}, { seconds: retryAfterSeconds });
