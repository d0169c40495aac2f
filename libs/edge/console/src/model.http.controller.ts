import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrorCode } from '@millwright/contracts';
import { apiError } from '@millwright/observability';
import { CONSOLE_OPTIONS, type ConsoleOptions } from './console.options';
import { PREDICTOR_UPSTREAM, type UpstreamClient } from './upstream.client';

/** The running model as the predictor reports it, and the validation plot shipped with the model. */
@ApiTags('model')
@Controller('api/v1/model')
export class ModelHttpController {
  constructor(
    @Inject(PREDICTOR_UPSTREAM) private readonly predictor: UpstreamClient,
    @Inject(CONSOLE_OPTIONS) private readonly o: ConsoleOptions,
  ) {}

  @Get()
  @ApiOperation({ summary: "The predictor's active model (version, card metrics) and which version the validation plot belongs to" })
  async model(): Promise<{ running: unknown; plotVersion: string | null }> {
    const running = await this.predictor.json('/api/v1/model');
    return { running, plotVersion: this.plotVersion() };
  }

  @Get('validation-plot.svg')
  @Header('content-type', 'image/svg+xml')
  @Header('cache-control', 'no-cache')
  @ApiOperation({ summary: 'Predicted against true RUL on the validation engines (from the model folder)' })
  plot(): string {
    const f = join(this.o.modelDir, 'validation-plot.svg');
    if (!existsSync(f)) throw apiError(404, ApiErrorCode.NotFound, 'no validation plot in the model folder');
    return readFileSync(f, 'utf8');
  }

  private plotVersion(): string | null {
    try {
      return (JSON.parse(readFileSync(join(this.o.modelDir, 'model-card.json'), 'utf8')) as { version?: string }).version ?? null;
    } catch {
      return null;
    }
  }
}
