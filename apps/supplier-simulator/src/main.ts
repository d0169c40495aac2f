import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { ConfigError } from '@millwright/config';
import { AppModule } from './app.module';
import { loadSupplierSimulatorConfig } from './supplier-simulator.config';

async function bootstrap(): Promise<void> {
  const config = loadSupplierSimulatorConfig();
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forConfig(config), { bufferLogs: true, forceCloseConnections: true });
  app.disable('x-powered-by');
  app.enableShutdownHooks();
  const doc = new DocumentBuilder()
    .setTitle('Supplier simulator')
    .setDescription("A supplier's ERP order API for demos and tests: idempotent orders, and failures, timeouts and delays on request.")
    .setVersion('1')
    .build();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, doc));
  await app.listen(config.HTTP_PORT, config.HTTP_HOST);
  Logger.log(`listening on http://${config.HTTP_HOST}:${config.HTTP_PORT} (API docs at /docs)`, 'supplier-simulator');
}

bootstrap().catch((e: unknown) => {
  console.error(e instanceof ConfigError ? e.message : e);
  process.exit(1);
});
