// The platform floor (issue 13, point 4): a bare Nest app, one controller with one GET route
// returning the same constant body as our /health/live, no middleware, no guards, no pipes, no
// logger. HTTP_PLATFORM=express (default) or fastify; HOST and PORT as the service reads them.
// Plain CommonJS with the decorators applied by hand, so that it needs no compile step.
require('reflect-metadata');
const { Controller, Get, Module } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');

class BareController {
  live() {
    return { status: 'ok' };
  }
}
Get('live')(BareController.prototype, 'live', Object.getOwnPropertyDescriptor(BareController.prototype, 'live'));
Controller('health')(BareController);

class BareModule {}
Module({ controllers: [BareController] })(BareModule);

async function main() {
  const platform = process.env.HTTP_PLATFORM ?? 'express';
  let app;
  if (platform === 'fastify') {
    const { FastifyAdapter } = require('@nestjs/platform-fastify');
    app = await NestFactory.create(BareModule, new FastifyAdapter(), { logger: false });
  } else if (platform === 'express') {
    app = await NestFactory.create(BareModule, { logger: false });
  } else {
    throw new Error(`HTTP_PLATFORM must be express or fastify, not ${JSON.stringify(platform)}`);
  }
  app.enableShutdownHooks();
  await app.listen(Number(process.env.PORT ?? 3000), process.env.HOST ?? '127.0.0.1');
  console.log(`bare nest (${platform}) listening on ${await app.getUrl()}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
