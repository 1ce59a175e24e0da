import type { Request } from 'express';
import { ClientInfo } from '../sessions/sessions.service';

export function clientOf(req: Request): ClientInfo {
  return { ip: req.ip ?? null, userAgent: req.get('user-agent')?.slice(0, 512) ?? null };
}
