import 'reflect-metadata';
import { Logger, type DynamicModule, type NestApplicationOptions } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { ConfigError } from '@millwright/config';
import { hostingCollector } from './http-service.collector';
import { useServiceLogger } from './service.logger';

export interface HttpServiceSpec {
  module: DynamicModule;
  host: string;
  port: number;
  /** OpenAPI title and description, served at /docs. */
  title: string;
  description: string;
  nestOptions?: NestApplicationOptions;
  /** Adapter settings a service needs beyond the defaults (body parsers, ...). */
  configure?: (app: NestExpressApplication) => void;
}

/**
 * Builds and starts listening one service's application: OpenAPI at /docs, no framework ETags or
 * banner headers. Shutdown is the caller's: one process may host several of these.
 */
export async function listenHttpService(name: string, spec: HttpServiceSpec): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(spec.module, { bufferLogs: true, ...spec.nestOptions });
  // ETags, where a service has them, are versions set by its API; body-hash ETags would contradict them.
  app.set('etag', false);
  app.disable('x-powered-by');
  spec.configure?.(app);
  const doc = new DocumentBuilder().setTitle(spec.title).setDescription(spec.description).setVersion('1').build();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, doc));
  await app.listen(spec.port, spec.host);
  Logger.log(`listening on http://${spec.host}:${spec.port} (API docs at /docs)`, name);
  return app;
}

/**
 * Starts a service the same way in every app: typed config first (`prepare` loads it; a bad value
 * exits non-zero with every bad variable named, so the orchestrator shows it at once), then
 * listenHttpService, graceful shutdown on SIGTERM; ServiceLogger logs. Inside an all-in-one process (http-service.host.ts)
 * the service is handed to the host instead, which runs `prepare` with the service's own settings.
 */
export function startHttpService(name: string, prepare: () => HttpServiceSpec): void {
  const collector = hostingCollector();
  if (collector) {
    collector.push({ name, prepare });
    return;
  }
  useServiceLogger();
  const run = async (): Promise<void> => {
    const app = await listenHttpService(name, prepare());
    app.enableShutdownHooks();
  };
  run().catch((e: unknown) => {
    console.error(e instanceof ConfigError ? e.message : e);
    process.exit(1);
  });
}
