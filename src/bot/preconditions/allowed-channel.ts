import { PASSED, type Precondition, refused } from './precondition.js';

/** The channel allowlist (`ALLOWED_CHANNEL_IDS`), for every command and mention: nothing is declared. */
export const allowedChannel: Precondition<'channel', unknown> = {
  name: 'channel',
  run(_declared, { channelId, parentId }, context) {
    const allowed = context.config.discord.allowedChannels;
    const inAllowedChannel =
      allowed.length === 0 || channelId === null || allowed.includes(channelId) || (parentId !== null && allowed.includes(parentId));
    return inAllowedChannel ? PASSED : refused(`I only answer in ${allowed.map((id) => `<#${id}>`).join(', ')}.`);
  },
};
