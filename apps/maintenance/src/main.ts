import 'reflect-metadata';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { ConfigError } from '@millwright/config';
import { AppModule } from './app.module';
import { loadMaintenanceConfig } from './maintenance.config';

async function bootstrap(): Promise<void> {
  const config = loadMaintenanceConfig();
  mkdirSync(dirname(config.MAINTENANCE_DB_PATH), { recursive: true });
  const app = await NestFactory.create(AppModule.forConfig(config), { bufferLogs: true });
  app.enableShutdownHooks();
  const doc = new DocumentBuilder().setTitle('Millwright maintenance').setDescription('Replacement orders from failure predictions, policies, staff actions.').setVersion('1').build();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, doc));
  await app.listen(config.HTTP_PORT, config.HTTP_HOST);
  Logger.log(`listening on http://${config.HTTP_HOST}:${config.HTTP_PORT}`, 'maintenance');
}

bootstrap().catch((e: unknown) => {
  console.error(e instanceof ConfigError ? e.message : e);
  process.exit(1);
});
