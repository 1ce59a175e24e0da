import { Logger } from '@nestjs/common';
import { createApp } from './app.factory';
import { AppConfig } from './config/app-config';

async function bootstrap(): Promise<void> {
  const app = await createApp();
  const { port, host } = app.get(AppConfig).http;
  await app.listen(port, host);
  new Logger('Bootstrap').log(`Listening on http://localhost:${port}`);
}

bootstrap().catch((error: Error) => {
  // Configuration errors are written for people: print the message, not a stack.
  console.error(error.message.startsWith('Invalid configuration') ? error.message : error);
  process.exit(1);
});
