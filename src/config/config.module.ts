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
  static async forRoot(options: { overrides?: EnvOverrides; ignoreEnvFile?: boolean; onLoad?: (config: AppConfig) => void } = {}): Promise<DynamicModule> {
    // Awaited here, so that an invalid configuration rejects the caller's promise (and main.ts
    // prints its message) rather than surfacing as an unhandled rejection with a stack.
    const configModule = await ConfigModule.forRoot({
      ignoreEnvFile: options.ignoreEnvFile,
      validate: (raw) => {
        const config = loadAppConfig({ ...raw, ...options.overrides });
        options.onLoad?.(config);
        return { [APP_CONFIG_KEY]: config };
      },
    });
    return {
      module: AppConfigModule,
      imports: [configModule],
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
