import { simpleParser } from 'mailparser';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { SMTPServer } from 'smtp-server';

export interface DeliveredMail {
  to: string;
  subject: string;
  text: string;
  /** Every header line as delivered, for checks on what the service wrote. */
  raw: string;
}

/**
 * A real SMTP server over TCP in the test process (smtp-server, from the nodemailer project).
 * `refuse: true` answers every recipient with a 550; `close()` then a send finds the port shut.
 */
export class TestSmtpServer {
  readonly delivered: DeliveredMail[] = [];
  private server!: SMTPServer;
  port = 0;

  static async start(options: { refuse?: boolean } = {}): Promise<TestSmtpServer> {
    const self = new TestSmtpServer();
    self.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onRcptTo: (_address, _session, callback) => callback(options.refuse ? Object.assign(new Error('Mailbox unavailable'), { responseCode: 550 }) : null),
      onData: (stream, _session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks);
          simpleParser(raw).then(
            (mail) => {
              const to = Array.isArray(mail.to) ? mail.to.map((a) => a.text).join(', ') : (mail.to?.text ?? '');
              self.delivered.push({ to, subject: mail.subject ?? '', text: mail.text ?? '', raw: raw.toString('utf8') });
              callback();
            },
            (error: Error) => callback(error),
          );
        });
      },
    });
    await new Promise<void>((resolve) => self.server.listen(0, '127.0.0.1', resolve));
    self.port = (self.server.server.address() as AddressInfo).port;
    return self;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  /** The first mail to `to` (and matching `subject`) delivered after `since` mails, waiting up to `timeoutMs`. */
  async waitFor(to: string, subject: RegExp, { since = 0, timeoutMs = 5000 } = {}): Promise<DeliveredMail> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.delivered.slice(since).find((m) => m.to.toLowerCase().includes(to.toLowerCase()) && subject.test(m.subject));
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no mail to ${to} matching ${subject} within ${timeoutMs} ms; got: ${this.delivered.map((m) => `${m.to} "${m.subject}"`).join('; ')}`);
      await sleep(25);
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** The token of the first PUBLIC_URL link to `path` in a mail's text. */
export function linkIn(mail: DeliveredMail, path: '/reset' | '/verify'): { url: URL; token: string } {
  const match = new RegExp(`(https?://\\S+${path}\\?token=[A-Za-z0-9_-]+)`).exec(mail.text);
  if (!match) throw new Error(`no ${path} link in: ${mail.text}`);
  const url = new URL(match[1]);
  return { url, token: url.searchParams.get('token')! };
}
