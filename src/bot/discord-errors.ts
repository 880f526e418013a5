import type { Config } from '../config.js';

/** A failure to reach or log in to Discord that the user can fix; it is printed as its message, without a stack. */
export class DiscordSetupError extends Error {
  override name = 'DiscordSetupError';
}

/** Network errors that mean Discord (or DISCORD_API_URL) cannot be reached at all. */
const UNREACHABLE = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|EHOSTUNREACH|ENETUNREACH|fetch failed|other side closed/i;

/** Turn the failures a new user meets at login or command registration into the setting that fixes them. */
export function explainDiscordFailure(error: unknown, config: Config): unknown {
  const message =
    error instanceof Error
      ? `${error.message} ${String((error as { code?: unknown }).code ?? '')} ${error.cause instanceof Error ? error.cause.message : ''}`
      : String(error);
  if (/disallowed intents|privileged intent/i.test(message) && config.discord.mentions) {
    return new DiscordSetupError(
      'Discord refused the Message Content intent that mention mode needs. Turn on "Message Content Intent" ' +
        '(Developer Portal → your application → Bot → Privileged Gateway Intents), or set DISCORD_MENTIONS=false ' +
        'to run on slash commands only.',
      { cause: error },
    );
  }
  if (/invalid token|401|unauthorized/i.test(message)) {
    return new DiscordSetupError(
      'Discord rejected DISCORD_TOKEN: copy the bot token again from the Developer Portal (Bot → Reset Token).',
      { cause: error },
    );
  }
  const unreachable = UNREACHABLE.exec(message);
  if (unreachable) {
    return new DiscordSetupError(
      `Cannot reach Discord at ${config.discord.apiUrl} (DISCORD_API_URL): ${unreachable[0]}. Check the network, ` +
        'or unset DISCORD_API_URL to use https://discord.com/api.',
      { cause: error },
    );
  }
  return error;
}
