import { Controller, Get, HttpException } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ModelRegistry } from '@millwright/model-registry';
import { ModelRolloutService } from './model-rollout.service';

/** What the site runs: the active model with its card's metrics, and releases it refused. */
@ApiTags('model')
@Controller('api/v1/model')
export class ModelStatusHttpController {
  constructor(
    private readonly registry: ModelRegistry,
    private readonly rollout: ModelRolloutService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'The active model, its card (validation metrics, inputs), recent refusals, and a staged release in shadow mode' })
  status(): Record<string, unknown> {
    const active = this.registry.current();
    if (!active) throw new HttpException({ code: 'no_model', message: 'no model loaded' }, 503);
    const s = this.registry.status();
    return {
      version: active.version,
      sha256: active.sha256,
      signedBy: active.signedBy,
      origin: active.origin,
      activatedAt: active.activatedAt,
      card: active.card,
      lastRefusal: s.lastRefusal,
      recentRefusals: s.recentRefusals,
      rollout: this.rollout.status(),
    };
  }
}
