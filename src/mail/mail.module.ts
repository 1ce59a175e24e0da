import { Global, Module } from '@nestjs/common';
import { MailQuota } from './mail-quota';
import { Mailer } from './mailer';

@Global()
@Module({ providers: [Mailer, MailQuota], exports: [Mailer, MailQuota] })
export class MailModule {}
