import { DynamicModule, Global, Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { AppConfig, EnvOverrides, loadAppConfig } from './app-config';

const APP_CONFIG_KEY = 'app';

@Global()
@Module({})
export class AppConfigModule {
  /**
   * Reads `.env` and the environment (or, for tests, only `overrides`), validates once, and
   * provides the typed `AppConfig`. The built object is kept under one key so nothing derived
   * is written back into process.env.
   */
  static forRoot(options: { overrides?: EnvOverrides; ignoreEnvFile?: boolean } = {}): DynamicModule {
    return {
      module: AppConfigModule,
      imports: [
        ConfigModule.forRoot({
          ignoreEnvFile: options.ignoreEnvFile,
          validate: (raw) => ({ [APP_CONFIG_KEY]: loadAppConfig({ ...raw, ...options.overrides }) }),
        }),
      ],
      providers: [
        {
          provide: AppConfig,
          inject: [ConfigService],
          useFactory: (config: ConfigService) => config.getOrThrow<AppConfig>(APP_CONFIG_KEY),
        },
      ],
      exports: [AppConfig],
    };
  }
}
