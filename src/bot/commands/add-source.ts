import { readDocumentFile } from '../../corpus/readers/index.js';
import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  type ChatInputCommandInteraction,
  InteractionContextType,
  MessageFlags,
  PermissionFlagsBits,
} from 'discord.js';
import {
  checkCollectionName,
  checkDeclaredSource,
  checkSourceFile,
  DEFAULT_COLLECTION,
  type DeclaredSource,
  maxSourceBytes,
} from '../../corpus/source-file.js';
import { isCollectionName } from '../../corpus/collections.js';
import type { CollectionSummary } from '../../core/types.js';
import { DiscordLimits } from '../../render/discord-format.js';
import { renderSourceAdded } from '../../render/discord-sources.js';
import { downloadAttachment } from '../attachment.js';
import { notice, type BotContext, type SlashCommand } from '../context.js';
import type { Actor } from '../corpus-changes.js';

/** How long downloading an attachment from Discord may take. */
export const SOURCE_DOWNLOAD_TIMEOUT_MS = 20_000;

/** Who runs a command, and where, for the audit. */
export function actorOf(interaction: Pick<ChatInputCommandInteraction, 'user' | 'guildId' | 'channelId'>): Actor {
  return { userId: interaction.user.id, userTag: interaction.user.tag, guildId: interaction.guildId, channelId: interaction.channelId };
}

/**
 * Suggestions for `collection:` as it is typed: the corpus's collections that start like it, with
 * their sizes, then the typed name itself when it is a valid name no collection has yet.
 */
export function addSourceCollectionChoices(known: readonly CollectionSummary[], typed: string): { name: string; value: string }[] {
  const wanted = typed.trim().toLowerCase();
  const existing = known
    .filter((collection) => collection.name.startsWith(wanted))
    .map((collection) => ({
      name: `${collection.name} (${collection.documents} document${collection.documents === 1 ? '' : 's'})`,
      value: collection.name,
    }));
  const isNew = wanted !== '' && isCollectionName(wanted) && !known.some((collection) => collection.name === wanted);
  // The new name last, so completing an existing name stays one keystroke; kept when the list is full.
  const fresh = isNew ? [{ name: `${wanted} (new collection)`, value: wanted }] : [];
  return [...existing.slice(0, DiscordLimits.autocompleteChoices - fresh.length), ...fresh];
}

/**
 * Fetch a page and add it (`/add-source url:`, "Add linked article to sources"): the reply to show,
 * privately, and whether it was added.
 */
export async function addFromUrl(
  context: BotContext,
  request: { url: string; collection: string; replace: boolean; actor: Actor },
): Promise<{ ok: boolean; text: string }> {
  const started = performance.now();
  const outcome = await context.webSources.add(request);
  const shown = `<${request.url.slice(0, 300)}>`;
  if (!outcome.ok) return { ok: false, text: `${shown} was not added: ${outcome.reason.replace(/\.$/, '')}.` };
  const added = renderSourceAdded({
    documentId: outcome.documentId,
    collection: request.collection,
    sentAs: outcome.documentId.split('/').at(-1) ?? outcome.documentId,
    storedAs: outcome.documentId.split('/').at(-1) ?? outcome.documentId,
    replaced: outcome.replaced,
    document: outcome.document,
    report: outcome.report,
    totalMs: performance.now() - started,
  });
  return {
    ok: true,
    text: `${added}\nFetched from ${shown} in ${(outcome.fetchMs / 1000).toFixed(1)} s; its citations link to <${outcome.canonicalUrl.slice(0, 300)}>.`,
  };
}

/** Refusals end with this: a bad file never changes anything. */
const UNCHANGED = 'Nothing was changed.';

async function refuse(interaction: ChatInputCommandInteraction, context: BotContext, reason: string): Promise<void> {
  context.log.info(`/${interaction.commandName} by ${interaction.user.id} refused: ${reason}`);
  await notice(interaction, `${reason} ${UNCHANGED}`);
}

/**
 * `/add-source file:<attachment> [collection] [replace]` (Manage Server) — add a .txt, .md, .html or .pdf file
 * (UTF-8, up to 1 MB) to the corpus and index it at once. Checked before the download (name, type,
 * declared size) and after (size, encoding, text); replies privately.
 */
export const addSource = {
  kind: 'slash',
  data: {
    type: ApplicationCommandType.ChatInput,
    name: 'add-source',
    description: 'Add a file (.txt, .md, .html, .pdf) or a web page by its URL to the sources (admins)',
    default_member_permissions: PermissionFlagsBits.ManageGuild.toString(),
    contexts: [InteractionContextType.Guild],
    options: [
      {
        type: ApplicationCommandOptionType.Attachment,
        name: 'file',
        description: 'A .txt, .md or .html file in UTF-8 up to 1 MB, or a .pdf up to 10 MB (or give url:)',
      },
      {
        type: ApplicationCommandOptionType.String,
        name: 'url',
        description: 'An https:// page, PDF, Markdown or text file to fetch and add (or give file:)',
        min_length: 8,
        max_length: 2000,
      },
      {
        type: ApplicationCommandOptionType.String,
        name: 'collection',
        description: `The collection to add it to (default: ${DEFAULT_COLLECTION}); a new name makes a new one`,
        min_length: 1,
        max_length: 32,
        autocomplete: true,
      },
      { type: ApplicationCommandOptionType.Boolean, name: 'replace', description: 'Replace a source of the same name' },
    ],
  },
  requiredPermissions: { permission: 'ManageGuild', toDo: 'add sources' },
  async execute(interaction, context) {
    const started = performance.now();
    const collection = checkCollectionName(interaction.options.getString('collection') ?? DEFAULT_COLLECTION);
    if (!collection.ok) return refuse(interaction, context, collection.reason);
    const url = interaction.options.getString('url');
    const attachment = interaction.options.getAttachment('file');
    if ((url === null) === (attachment === null))
      return refuse(interaction, context, 'Give either `file:` (an attachment) or `url:` (a web address), one of them.');
    if (url !== null) {
      await interaction.deferReply({ flags: MessageFlags.Ephemeral });
      const added = await addFromUrl(context, {
        url,
        collection: collection.collection,
        replace: interaction.options.getBoolean('replace') === true,
        actor: actorOf(interaction),
      });
      return added.ok ? notice(interaction, added.text) : refuse(interaction, context, added.text);
    }
    if (attachment === null) return;
    const declared: DeclaredSource = { name: attachment.name, size: attachment.size, contentType: attachment.contentType };
    const named = checkDeclaredSource(declared);
    if (!named.ok) return refuse(interaction, context, named.reason);

    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    const download = await downloadAttachment(attachment.url, {
      maxBytes: maxSourceBytes(named.name),
      timeoutMs: SOURCE_DOWNLOAD_TIMEOUT_MS,
    });
    if (!download.ok) return refuse(interaction, context, download.reason.replace('The file', `\`${named.name}\``));
    const checked = checkSourceFile(declared, download.bytes);
    if (!checked.ok) return refuse(interaction, context, checked.reason);
    // Read it as the corpus will: a scanned or encrypted PDF, or a page with no text, is refused now, not skipped later.
    const read = await readDocumentFile(checked.name, download.bytes);
    if ('reason' in read) return refuse(interaction, context, `\`${checked.name}\` cannot be read: ${read.reason}.`);

    const outcome = await context.corpusChanges.add({
      collection: collection.collection,
      name: checked.name,
      bytes: download.bytes,
      replace: interaction.options.getBoolean('replace') === true,
      actor: actorOf(interaction),
    });
    if (!outcome.ok) return refuse(interaction, context, outcome.reason);
    await notice(
      interaction,
      renderSourceAdded({
        documentId: outcome.documentId,
        collection: collection.collection,
        sentAs: attachment.name,
        storedAs: checked.name,
        replaced: outcome.replaced,
        document: outcome.document,
        report: outcome.report,
        totalMs: performance.now() - started,
      }),
    );
  },
  async autocomplete(interaction, context: BotContext) {
    await interaction.respond(addSourceCollectionChoices(context.engine.collections(), interaction.options.getFocused()));
  },
} satisfies SlashCommand;
