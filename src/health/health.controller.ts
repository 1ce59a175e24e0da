import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { Public } from '../auth/decorators/public.decorator';
import { StoreHealth } from '../storage/store-health';
import { HealthDocs } from './health.api-docs';

const STORE_PING_TIMEOUT_MS = 2000;

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly store: StoreHealth,
  ) {}

  /** Liveness: the process answers. No store, no guard: also the benchmarks' floor route. */
  @HealthDocs.live()
  @Public() @Get('live')
  live() {
    return { status: 'ok' };
  }

  /** Readiness: 200 while the store answers a ping within 2 s, 503 otherwise. */
  @HealthDocs.readiness()
  @Public() @Get() @HealthCheck()
  check() {
    return this.health.check([
      () => this.indicators.check('store').attempt(() => this.store.ping()).withTimeout(STORE_PING_TIMEOUT_MS),
    ]);
  }
}
