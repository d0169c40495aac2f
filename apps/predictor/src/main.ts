import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { ConfigError } from '@millwright/config';
import { AppModule } from './app.module';
import { loadPredictorConfig } from './predictor.config';

async function bootstrap(): Promise<void> {
  const config = loadPredictorConfig();
  const app = await NestFactory.create(AppModule.forConfig(config), { bufferLogs: true });
  app.enableShutdownHooks();
  const doc = new DocumentBuilder().setTitle('Millwright predictor').setDescription('Failure predictions with ONNX Runtime at the edge.').setVersion('1').build();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, doc));
  await app.listen(config.HTTP_PORT, config.HTTP_HOST);
  Logger.log(`listening on http://${config.HTTP_HOST}:${config.HTTP_PORT}`, 'predictor');
}

bootstrap().catch((e: unknown) => {
  console.error(e instanceof ConfigError ? e.message : e);
  process.exit(1);
});
