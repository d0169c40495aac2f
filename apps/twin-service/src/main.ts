import 'reflect-metadata';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { ConfigError } from '@millwright/config';
import { AppModule } from './app.module';
import { loadTwinServiceConfig } from './twin-service.config';

async function bootstrap(): Promise<void> {
  const config = loadTwinServiceConfig();
  if (config.TWIN_DB_PATH !== ':memory:') mkdirSync(dirname(config.TWIN_DB_PATH), { recursive: true });

  const app = await NestFactory.create<NestExpressApplication>(AppModule.forConfig(config), { bodyParser: false, bufferLogs: true });
  app.useBodyParser('json', { type: ['application/json', 'application/merge-patch+json'], limit: '64kb' });
  // ETags are twin versions, set by the API; Express's body-hash ETags would contradict them.
  app.set('etag', false);
  app.disable('x-powered-by');
  app.enableShutdownHooks();
  const doc = new DocumentBuilder()
    .setTitle('Millwright twin service')
    .setDescription('Digital twins of the assets at this edge site: reported, desired and derived state, and recent history.')
    .setVersion('1')
    .build();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, doc));
  await app.listen(config.HTTP_PORT, config.HTTP_HOST);
  Logger.log(`listening on http://${config.HTTP_HOST}:${config.HTTP_PORT} (API docs at /docs)`, 'twin-service');
}

bootstrap().catch((e: unknown) => {
  // A bad setting is reported as a list and exits non-zero, so the orchestrator shows it at once.
  console.error(e instanceof ConfigError ? e.message : e);
  process.exit(1);
});
