import { runService } from '@pulse/service';
import { ingestConfigSpec } from './config';
import { startIngest } from './service';

void runService({
  name: 'ingest',
  configSpec: ingestConfigSpec,
  defaultHttpPort: 8080,
  start: startIngest,
});
