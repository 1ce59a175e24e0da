import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import pino from 'pino';
import { AppConfig } from '../config/app-config';
import { loggableUrl } from './loggable-url';

/**
 * Structured JSON logs through pino, behind Nest's Logger. A request line keeps what it takes to
 * follow a request and nothing that can carry a credential: no headers at all (so no cookie,
 * set-cookie, authorization or x-csrf-token) and no body. Not cloning and redacting the headers of
 * every request is also most of what request logging used to cost (~30 us a request).
 */
const requestFields = (req: { id: unknown; method: string; url: string; remoteAddress?: string }) => ({
  id: req.id,
  method: req.method,
  url: loggableUrl(req.url),
  remoteAddress: req.remoteAddress,
});
const responseFields = (res: { statusCode: number }) => ({ statusCode: res.statusCode });

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
              serializers: { req: requestFields, res: responseFields },
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
