import 'reflect-metadata';
import { Logger, type DynamicModule, type NestApplicationOptions } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { ConfigError } from '@millwright/config';

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
 * Starts a service the same way in every app: typed config first (`prepare` loads it; a bad value
 * exits non-zero with every bad variable named, so the orchestrator shows it at once), OpenAPI at
 * /docs, graceful shutdown on SIGTERM, no framework ETags or banner headers.
 */
export function startHttpService(name: string, prepare: () => HttpServiceSpec): void {
  const run = async (): Promise<void> => {
    const spec = prepare();
    const app = await NestFactory.create<NestExpressApplication>(spec.module, { bufferLogs: true, ...spec.nestOptions });
    // ETags, where a service has them, are versions set by its API; body-hash ETags would contradict them.
    app.set('etag', false);
    app.disable('x-powered-by');
    app.enableShutdownHooks();
    spec.configure?.(app);
    const doc = new DocumentBuilder().setTitle(spec.title).setDescription(spec.description).setVersion('1').build();
    SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, doc));
    await app.listen(spec.port, spec.host);
    Logger.log(`listening on http://${spec.host}:${spec.port} (API docs at /docs)`, name);
  };
  run().catch((e: unknown) => {
    console.error(e instanceof ConfigError ? e.message : e);
    process.exit(1);
  });
}
