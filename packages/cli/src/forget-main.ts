import { ConfigError, loadConfig } from '@pulse/config';
import {
  FORGET_USAGE,
  ForgetRefused,
  forgetConfigSpec,
  parseForgetArgs,
  requestErasure,
} from './forget-client';
import { consoleOutput } from './output';

/** `pulse forget <id>`: erasure through the profile builder's admin API (exit codes in the usage). */
export async function forgetMain(argv: readonly string[]): Promise<number> {
  if (argv.includes('--help')) {
    process.stdout.write(`${FORGET_USAGE}\n`);
    return 0;
  }
  const parsed = parseForgetArgs(argv);
  if (!parsed.ok) {
    process.stderr.write(`pulse forget: ${parsed.error}\n${FORGET_USAGE}\n`);
    return 2;
  }
  try {
    const config = loadConfig(forgetConfigSpec, process.env);
    const result = await requestErasure({
      url: parsed.args.url ?? config.profileBuilderUrl,
      adminToken: config.adminToken,
      id: parsed.args.id,
    });
    const out = consoleOutput();
    out.step(result.customerId ? `erased ${result.customerId}` : 'no profile found');
    out.line(`${result.suppressed} identities suppressed (hashed); replays will skip them`);
    return 0;
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`pulse forget: ${err.message}\n`);
      return 78;
    }
    process.stderr.write(
      `pulse forget failed: ${err instanceof Error ? err.message : String(err)}\n`,
    );
    return err instanceof ForgetRefused ? 1 : 69;
  }
}
