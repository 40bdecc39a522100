import { runService } from '@pulse/service';
import { startCartTimer } from './app';
import { cartTimerConfigSpec } from './config';

void runService({
  name: 'cart-abandonment-timer',
  configSpec: cartTimerConfigSpec,
  defaultHttpPort: 8084,
  start: startCartTimer,
});
