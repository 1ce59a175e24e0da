import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import pino from 'pino';
import { AppConfig } from '../config/app-config';

/**
 * Structured JSON logs through pino, behind Nest's Logger. Request logs never carry the
 * credentials: cookie, set-cookie, authorization and x-csrf-token headers are redacted, bodies are not logged.
 */
export const REDACTED_PATHS = [
  'req.headers.cookie',
  'req.headers.authorization',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  'res.headers.authorization',
];

@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => {
        // Synchronous writes: no line is lost when the process ends, and a LOG_FILE can be read
        // as soon as the app is closed.
        const destination = config.log.file ? pino.destination({ dest: config.log.file, sync: true, mkdir: true }) : pino.destination(1);
        return {
          pinoHttp: [
            {
              level: config.log.level,
              redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
              // Health probes every few seconds would drown everything else.
              autoLogging: { ignore: (req) => (req.url ?? '').startsWith('/health') },
            },
            destination,
          ],
        };
      },
    }),
  ],
})
export class LoggingModule {}
