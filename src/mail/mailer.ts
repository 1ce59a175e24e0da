import { Injectable, Logger, OnApplicationShutdown, OnModuleInit, ServiceUnavailableException } from '@nestjs/common';
import { randomInt } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { AppConfig } from '../config/app-config';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

/**
 * How long after the answer mail work starts, at the least; as much again is added at random.
 * Work started at once would run on the event loop's next turns, where a request that follows
 * on the same connection could time it (a reset for an account with a verified address costs a
 * token write and a send; one without, a lookup).
 */
export const AFTER_ANSWER_MS = 100;

/** Whatever nodemailer transport is configured: SMTP, or a buffer written to the outbox. */
type Transport = ReturnType<typeof nodemailer.createTransport>;

/**
 * All mail leaves through here: nodemailer over SMTP (SMTP_URL) or, in development without it,
 * one .eml file per message under DATA_DIR/outbox/. Sending happens after the request is answered
 * (`sendLater`), so the time an answer takes never tells whether a mail went out, and an SMTP
 * server that is down or refuses is a logged error, never a failed request. Every send is bounded
 * (connect, greeting and reply timeouts, and an overall deadline); shutdown waits for sends in flight.
 */
@Injectable()
export class Mailer implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Mail');
  private readonly transport: Transport | null;
  private readonly pending = new Set<Promise<void>>();
  private sequence = 0;

  constructor(private readonly config: AppConfig) {
    const { transport, timeoutMs } = config.mail;
    if (transport === null) this.transport = null;
    else if (transport === 'outbox') this.transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
    else {
      this.transport = nodemailer.createTransport({
        url: transport.smtpUrl,
        connectionTimeout: timeoutMs,
        greetingTimeout: timeoutMs,
        socketTimeout: timeoutMs,
        dnsTimeout: timeoutMs,
      });
    }
  }

  onModuleInit(): void {
    const { transport, publicUrl, outboxDir } = this.config.mail;
    if (transport === 'outbox') this.logger.warn(`No SMTP_URL: mail is written as .eml files under ${outboxDir} instead of being sent`);
    if (this.unavailableReason()) this.logger.warn(`${this.unavailableReason()}; password reset and e-mail verification answer 503`);
    else if (transport !== 'outbox') this.logger.log(`Mail goes out over SMTP; links point at ${publicUrl}`);
  }

  /** Throws 503 with what the operator must set, unless mail and links can be made. */
  requireAvailable(): void {
    const reason = this.unavailableReason();
    if (reason) throw new ServiceUnavailableException(`E-mail is not set up on this server (${reason}): account recovery and verification are unavailable`);
  }

  /** `PUBLIC_URL` + path + `?token=`: the only way a link is built (never from a request header). */
  link(path: '/reset' | '/verify' | '/secure-account', token: string): string {
    return `${this.config.mail.publicUrl!}${path}?token=${encodeURIComponent(token)}`;
  }

  /**
   * Runs `compose` well after the current request is answered (AFTER_ANSWER_MS) and sends the
   * message it returns (none for null). Lookups and token writes go inside `compose`, so an answer
   * costs the same whether or not there is anyone to write to. Failures are logged (never the
   * message or its link), never thrown.
   */
  later(kind: string, compose: () => Promise<MailMessage | null>): void {
    const job = sleep(AFTER_ANSWER_MS + randomInt(AFTER_ANSWER_MS + 1))
      .then(compose)
      .then((message) => (message ? this.send(message, kind) : undefined))
      .catch((error: unknown) => this.logger.error({ event: 'mail_failed', kind, reason: reasonOf(error) }));
    this.pending.add(job);
    void job.finally(() => this.pending.delete(job));
  }

  /** Resolves once every mail job started so far (and any they start) has finished. */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.settled();
    this.transport?.close();
  }

  private async send(message: MailMessage, kind: string): Promise<void> {
    if (!this.transport) return;
    try {
      const info = await this.transport.sendMail({
        from: this.config.mail.from,
        ...message,
        // A whole send may not take longer than three timeouts, whatever the server does.
        signal: AbortSignal.timeout(this.config.mail.timeoutMs * 3),
      });
      if (this.config.mail.transport === 'outbox') await this.writeToOutbox((info as { message: Buffer }).message);
      this.logger.log({ event: 'mail_sent', kind });
    } catch (error) {
      this.logger.error({ event: 'mail_failed', kind, reason: reasonOf(error) });
    }
  }

  private async writeToOutbox(eml: Buffer): Promise<void> {
    const dir = this.config.mail.outboxDir;
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}-${++this.sequence}.eml`;
    // Written under another name and renamed: whoever watches the folder never opens half a message.
    await writeFile(join(dir, `${name}.part`), eml, { mode: 0o600 });
    await rename(join(dir, `${name}.part`), join(dir, name));
  }

  private unavailableReason(): string | null {
    const missing = [this.config.mail.transport === null && 'SMTP_URL', this.config.mail.publicUrl === null && 'PUBLIC_URL'].filter(Boolean);
    return missing.length ? `${missing.join(' and ')} not set` : null;
  }
}

/** The error's code and text (an SMTP reply, a timeout) for the operator; never the message or its link. */
function reasonOf(error: unknown): string {
  return error instanceof Error ? `${(error as NodeJS.ErrnoException).code ?? error.name}: ${error.message}` : String(error);
}
