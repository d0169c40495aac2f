import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response as ExpressResponse } from 'express';
import type { DeadLetterRow, SiteHealth } from '@millwright/console-contracts';
import { AssetBoard } from './asset-board';
import { LiveEventsHub } from './live-events.hub';
import { SiteHealthService } from './site-health.service';

@ApiTags('site')
@Controller('api/v1')
export class SiteHttpController {
  constructor(
    private readonly health: SiteHealthService,
    private readonly hub: LiveEventsHub,
    private readonly board: AssetBoard,
  ) {}

  @Get('site-health')
  @ApiOperation({ summary: 'Ingest rate, backlog, dead letters, uplink and sync backlog of the site' })
  siteHealth(): Promise<SiteHealth> {
    return this.health.current();
  }

  @Get('dead-letters')
  @ApiOperation({ summary: 'The newest refused messages with their reason codes' })
  async deadLetters(@Query('limit') limit?: string): Promise<{ items: DeadLetterRow[] }> {
    return { items: await this.health.deadLetters(Math.min(Math.max(Number(limit) || 50, 1), 200)) };
  }

  @Get('events')
  @ApiOperation({ summary: 'Server-sent events: `assets` (changed rows), `order` (transitions), `health` (every 5 s)' })
  events(@Res() res: ExpressResponse): void {
    this.hub.add(res);
    // A browser that reconnects may have missed changes: it gets a fresh count to compare with.
    res.write(`event: hello\ndata: ${JSON.stringify({ assets: this.board.size })}\n\n`);
  }
}
