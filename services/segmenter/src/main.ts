import { runService } from '@pulse/service';
import { startSegmenter } from './app';
import { segmenterConfigSpec } from './config';

void runService({
  name: 'segmenter',
  configSpec: segmenterConfigSpec,
  defaultHttpPort: 8083,
  start: startSegmenter,
});
