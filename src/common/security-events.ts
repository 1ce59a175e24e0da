import { Logger } from '@nestjs/common';
import { ClientInfo } from './client';

const logger = new Logger('Security');

export type SecurityEvent =
  | 'signup'
  | 'login'
  | 'login_failed'
  | 'account_locked'
  | 'rate_limited'
  | 'password_check_failed'
  | 'refresh'
  | 'reauth'
  | 'refresh_token_reuse'
  | 'logout'
  | 'logout_all'
  | 'session_revoked'
  | 'session_evicted'
  | 'password_changed'
  | 'account_deleted'
  | 'email_changed'
  | 'email_verification_sent'
  | 'email_verified'
  | 'email_in_use'
  | 'password_reset_requested'
  | 'password_reset_limited'
  | 'password_reset'
  | 'mail_limited'
  | 'account_secured'
  | 'mfa_required'
  | 'mfa_enabled'
  | 'mfa_disabled'
  | 'mfa_failed'
  | 'recovery_code_used'
  | 'recovery_codes_replaced';

/**
 * One structured line per security event, always in the same shape: the event, who, which
 * session, from where, and `requestId`, the `req.id` of its request's log line. Never a
 * password, token, hash or cookie value: callers pass only ids.
 */
export function securityEvent(
  event: SecurityEvent,
  fields: { userId?: string; sessionId?: string; client?: ClientInfo; [detail: string]: unknown },
  level: 'log' | 'warn' = 'log',
): void {
  const { client, ...rest } = fields;
  logger[level]({ event, ...rest, ip: client?.ip ?? null, userAgent: client?.userAgent ?? null, requestId: client?.requestId ?? null });
}
