import { Body, Controller, Get, HttpCode, HttpException, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { SupplierApi, SupplierErrorCode, type SupplierStats } from '@millwright/supplier-contracts';
import { FaultInjector, type FaultSettings } from './fault.injector';
import { SupplierStatsCounter } from './supplier-stats.counter';

/** Test and demo controls; a real ERP has nothing like them. */
@ApiTags('simulator')
@Controller('api/v1')
export class SupplierFaultsHttpController {
  constructor(
    private readonly faults: FaultInjector,
    private readonly stats: SupplierStatsCounter,
  ) {}

  @Get(SupplierApi.faultsPath.slice('/api/v1/'.length))
  @ApiOperation({ summary: 'Fault settings in force' })
  current(): FaultSettings {
    return this.faults.current();
  }

  @Post(SupplierApi.faultsPath.slice('/api/v1/'.length))
  @HttpCode(200)
  @ApiOperation({ summary: 'Change fault settings: failRate, timeoutRate, delayMs, failAfterAccept, timeoutAfterAccept, retryAfterSeconds, seed (only the fields given)' })
  update(@Body() body: unknown): FaultSettings {
    const r = this.faults.update(body);
    if (!r.ok) throw new HttpException({ code: SupplierErrorCode.ValidationFailed, message: r.message }, 400);
    return r.settings;
  }

  @Get(SupplierApi.statsPath.slice('/api/v1/'.length))
  @ApiOperation({ summary: 'What happened to order requests since the start' })
  counters(): SupplierStats {
    return this.stats.snapshot();
  }
}
