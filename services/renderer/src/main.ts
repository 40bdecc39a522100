import { runService } from '@pulse/service';
import { startRenderer } from './app';
import { rendererConfigSpec } from './config';

void runService({
  name: 'renderer',
  configSpec: rendererConfigSpec,
  defaultHttpPort: 8085,
  start: startRenderer,
});
