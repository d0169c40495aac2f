import { Controller, Get, Global, Header, HttpCode, HttpException, Module, type DynamicModule } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { HealthRegistry } from './health.registry';
import { MetricsRegistry } from './metrics.registry';

@ApiExcludeController()
@Controller()
class ObservabilityController {
  constructor(
    private readonly metrics: MetricsRegistry,
    private readonly health: HealthRegistry,
  ) {}

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }

  @Get('health/live')
  @HttpCode(200)
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('health/ready')
  ready(): { status: 'ready' } {
    const failing = this.health.failing();
    if (Object.keys(failing).length) throw new HttpException({ code: 'not_ready', message: 'not ready', details: failing }, 503);
    return { status: 'ready' };
  }
}

/** /metrics (Prometheus), /health/live and /health/ready, shared by every service. */
@Global()
@Module({})
export class ObservabilityModule {
  static forRoot(o: { service: string }): DynamicModule {
    return {
      module: ObservabilityModule,
      controllers: [ObservabilityController],
      providers: [{ provide: MetricsRegistry, useValue: new MetricsRegistry({ service: o.service }) }, HealthRegistry],
      exports: [MetricsRegistry, HealthRegistry],
    };
  }
}
