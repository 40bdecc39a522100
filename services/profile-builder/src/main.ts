import { runService } from '@pulse/service';
import { configSpec } from './config';
import { startProfileBuilder } from './profile-builder';

void runService({
  name: 'profile-builder',
  configSpec,
  defaultHttpPort: 8082,
  start: async ({ config, logger, clock, metrics }) => {
    const builder = await startProfileBuilder({
      config,
      logger,
      clock,
      // PULSE_METRICS=off: no registry (backfill/rescoring metrics no-ops), inert consumer metrics
      registry: metrics.enabled ? metrics.registry : undefined,
      instruments: metrics,
    });
    return { close: builder.close, readiness: builder.readiness, httpHandler: builder.httpHandler };
  },
});
