import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { AuthModule } from './auth/auth.module';
import { createValidationPipe } from './common/validation';
import { HttpErrorFilter } from './common/http-error.filter';
import { GracefulShutdown } from './common/graceful-shutdown';
import { LoggingModule } from './common/logging.module';
import { AppConfig, EnvOverrides } from './config/app-config';
import { AppConfigModule } from './config/config.module';
import { HealthModule } from './health/health.module';
import { MailModule } from './mail/mail.module';
import { PagesModule } from './pages/pages.module';
import { RecoveryModule } from './recovery/recovery.module';
import { StorageModule } from './storage/storage.module';
import { ThrottlingModule } from './throttling/throttling.module';
import { UsersModule } from './users/users.module';

export interface AppModuleOptions {
  /** Values that win over the environment (tests, benchmarks). */
  env?: EnvOverrides;
  /** Skip reading `.env` (tests must not depend on a developer's file). */
  ignoreEnvFile?: boolean;
  /** Called with the validated configuration before any module is built (createApp picks the HTTP platform by it). */
  onConfig?: (config: AppConfig) => void;
}

@Module({})
export class AppModule {
  static async forRoot(options: AppModuleOptions = {}): Promise<DynamicModule> {
    return {
      module: AppModule,
      imports: [
        await AppConfigModule.forRoot({ overrides: options.env, ignoreEnvFile: options.ignoreEnvFile, onLoad: options.onConfig }),
        LoggingModule,
        StorageModule,
        ThrottlingModule,
        MailModule,
        AuthModule,
        UsersModule,
        HealthModule,
        RecoveryModule,
        PagesModule,
      ],
      providers: [
        { provide: APP_PIPE, useFactory: createValidationPipe },
        { provide: APP_FILTER, useClass: HttpErrorFilter },
        GracefulShutdown,
      ],
    };
  }
}
