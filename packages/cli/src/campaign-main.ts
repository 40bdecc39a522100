import { ConfigError, loadConfig } from '@pulse/config';
import { consoleOutput } from './output';
import { previewConfigSpec } from './preview-config';

export const CAMPAIGN_USAGE = `usage: pulse campaign pause|resume|kill|status CAMPAIGN_ID [--url URL]

  pause   hold the campaign's emails from the next send on (released by resume)
  resume  send again; emails held by the pause are released at once
  kill    stop for good: its emails are recorded suppressed ("campaign killed")
  status  state, launch time and emails held by a pause`;

const ACTIONS = ['pause', 'resume', 'kill', 'status'] as const;
export type CampaignCommand = (typeof ACTIONS)[number];

/** Calls the renderer's campaign admin API; resolves with its JSON answer. */
export async function campaignCommand(
  action: CampaignCommand,
  campaignId: string,
  options: { url: string; adminToken: string },
): Promise<Record<string, unknown>> {
  const path = `/v1/campaigns/${encodeURIComponent(campaignId)}${action === 'status' ? '' : `/${action}`}`;
  const res = await fetch(new URL(path, options.url), {
    method: action === 'status' ? 'GET' : 'POST',
    headers: options.adminToken ? { authorization: `Bearer ${options.adminToken}` } : {},
  });
  const answer = (await res.json()) as Record<string, unknown>; // the renderer answers JSON
  if (!res.ok)
    throw new Error(`renderer answered ${res.status}: ${String(answer.message ?? answer.error)}`);
  return answer;
}

/** `pulse campaign ...`: 0 done, 1 refused (unknown campaign...), 2 usage, 78 bad config. */
export async function campaignMain(argv: readonly string[]): Promise<number> {
  const [action, id, flag, url] = argv;
  if (action === '--help') {
    process.stdout.write(`${CAMPAIGN_USAGE}\n`);
    return 0;
  }
  if (
    !ACTIONS.includes(action as CampaignCommand) ||
    !id ||
    (flag !== undefined && (flag !== '--url' || !url))
  ) {
    process.stderr.write(
      `pulse campaign: expected an action and a campaign id\n${CAMPAIGN_USAGE}\n`,
    );
    return 2;
  }
  try {
    const config = loadConfig(previewConfigSpec, process.env);
    const answer = await campaignCommand(action as CampaignCommand, id, {
      url: url ?? config.rendererUrl,
      adminToken: config.adminToken,
    });
    const out = consoleOutput();
    out.step(`campaign ${id}`);
    for (const [k, v] of Object.entries(answer)) out.line(`${k}: ${String(v)}`);
    return 0;
  } catch (err) {
    process.stderr.write(`pulse campaign: ${err instanceof Error ? err.message : String(err)}\n`);
    return err instanceof ConfigError ? 78 : 1;
  }
}
