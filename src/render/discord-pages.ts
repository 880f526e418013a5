/** Paged replies (passages, a timeline) and the button rows that page them. Pure. */
import { ButtonStyle, ComponentType } from 'discord.js';
import type { APIActionRowComponent, APIButtonComponent, APIEmbed, APIEmbedField } from 'discord.js';
import type { Passage, Timeline, TimelineEntry } from '../core/types.js';
import { askInWordsReply, NOT_IN_SOURCES, smallTalkReply } from './text.js';
import {
  DiscordLimits,
  Colors,
  truncate,
  escapeQuote,
  placeOf,
  escapeInline,
  fitEmbed,
  describeCitation,
  describeWhere,
  type CollectionView,
} from './discord-format.js';

/** How many passages one page of `/search` or "Passages" shows. */
export const PASSAGES_PER_PAGE = 3;

/** The longest excerpt of one passage shown on a page. */
const PASSAGE_EXCERPT_CHARS = 900;

export type ButtonRow = APIActionRowComponent<APIButtonComponent>;

export interface PageView extends CollectionView {
  /** 0-based page to show; clamped into range. */
  readonly page: number;
  readonly heading: string;
  readonly showScores: boolean;
}

/** How many pages a list of passages takes. */
export function pageCount(passages: readonly unknown[]): number {
  return Math.max(1, Math.ceil(passages.length / PASSAGES_PER_PAGE));
}

/** Clamp a page number into range. */
export function clampPage(page: number, total: number): number {
  return Math.min(Math.max(0, Math.trunc(page)), Math.max(0, total - 1));
}

/** One page of passages (for `/search`, the "Passages" button and "Find sources"). */
export function renderPassagePage(passages: readonly Passage[], view: PageView): APIEmbed {
  const pages = pageCount(passages);
  const page = clampPage(view.page, pages);
  const shown = passages.slice(page * PASSAGES_PER_PAGE, (page + 1) * PASSAGES_PER_PAGE);
  const fields: APIEmbedField[] = shown.map((passage, index) => {
    const rank = page * PASSAGES_PER_PAGE + index + 1;
    const score = view.showScores ? ` · score ${passage.score.toFixed(3)}` : '';
    return {
      name: truncate(`${rank}. ${passage.title.replace(/\s+/g, ' ')}${describeWhere(passage, view)}`, DiscordLimits.fieldName),
      value: truncate(
        `> ${escapeQuote(truncate(passage.text, PASSAGE_EXCERPT_CHARS))}\n\`${passage.source.replace(/`/g, "'")}\`${passage.section ? ` › ${escapeInline(passage.section)}` : ''}, ${placeOf(passage)}${score}`,
        DiscordLimits.fieldValue,
      ),
    };
  });
  return fitEmbed({
    title: escapeInline(view.heading) || 'Passages',
    description: passages.length === 0 ? 'No passages matched.' : `${passages.length} passage${passages.length === 1 ? '' : 's'}`,
    color: Colors.search,
    fields,
    footer: { text: `Page ${page + 1} of ${pages}` },
  });
}

/** The longest quote of one timeline entry shown on a page. */
const TIMELINE_QUOTE_CHARS = 800;

/** How many pages a timeline takes: its dated entries, then its undated ones, `PASSAGES_PER_PAGE` to a page. */
export function timelinePageCount(timeline: Timeline): number {
  return pageCount([...timeline.dated, ...timeline.undated]);
}

/**
 * One page of a topic's timeline (`/timeline`): each source's sentence on it, quoted and cited as
 * in answers, the dated ones oldest first, then the undated ones, apart. With no dated source it
 * says so; with no source at all, that the sources don't say.
 */
export function renderTimelinePage(timeline: Timeline, view: { readonly page: number } & CollectionView): APIEmbed {
  const title = `Timeline: ${escapeInline(timeline.topic)}`;
  const entries: readonly TimelineEntry[] = [...timeline.dated, ...timeline.undated];
  if (entries.length === 0) {
    const reply =
      timeline.abstainReason === 'empty-question'
        ? escapeInline(askInWordsReply(timeline.example))
        : timeline.abstainReason === 'small-talk'
          ? escapeInline(smallTalkReply(timeline.example))
          : `${NOT_IN_SOURCES} I found no passage in the documents on this, so there is no timeline to show.`;
    return fitEmbed({ title, description: reply, color: Colors.noAnswer, footer: { text: 'no sources found' } });
  }
  const { dated, undated } = timeline;
  const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
  const description =
    dated.length === 0
      ? `No dated sources on this. ${plural(undated.length, 'undated source')} cannot be placed in time:`
      : `${plural(dated.length, 'dated source')}, oldest first${undated.length ? `; ${plural(undated.length, 'undated source')} listed apart, after them` : ''}.`;
  const pages = pageCount(entries);
  const page = clampPage(view.page, pages);
  const fields = entries.slice(page * PASSAGES_PER_PAGE, (page + 1) * PASSAGES_PER_PAGE).map((entry, index): APIEmbedField => {
    const rank = page * PASSAGES_PER_PAGE + index + 1;
    return {
      name: entry.date === null ? `${rank}. Undated` : `${rank}. ${entry.date}`,
      value: `> ${escapeQuote(truncate(entry.text, TIMELINE_QUOTE_CHARS))}\n${describeCitation(entry, view)}`,
    };
  });
  return fitEmbed({ title, description, color: Colors.answer, fields, footer: { text: `Page ${page + 1} of ${pages} · oldest first` } });
}

/** A button row; at most five buttons per row, as Discord requires. */
export function buttonRow(buttons: readonly APIButtonComponent[]): ButtonRow {
  return { type: ComponentType.ActionRow, components: buttons.slice(0, DiscordLimits.buttonsPerRow) };
}

/** A regular (non-link) button. */
export function button(options: {
  customId: string;
  label: string;
  style?: ButtonStyle;
  disabled?: boolean;
  emoji?: string;
}): APIButtonComponent {
  if (options.customId.length > DiscordLimits.customId) throw new RangeError(`custom id longer than ${DiscordLimits.customId}`);
  return {
    type: ComponentType.Button,
    custom_id: options.customId,
    style: (options.style ?? ButtonStyle.Secondary) as ButtonStyle.Secondary,
    label: truncate(options.label, DiscordLimits.buttonLabel),
    ...(options.emoji === undefined ? {} : { emoji: { name: options.emoji } }),
    ...(options.disabled === undefined ? {} : { disabled: options.disabled }),
  };
}

/** Previous / Next buttons for a paged view. */
export function pagerRow(options: {
  page: number;
  pages: number;
  customIdFor: (page: number) => string;
  extra?: readonly APIButtonComponent[];
}): ButtonRow {
  return buttonRow([
    button({ customId: options.customIdFor(options.page - 1), label: 'Previous', disabled: options.page <= 0 }),
    button({ customId: options.customIdFor(options.page + 1), label: 'Next', disabled: options.page >= options.pages - 1 }),
    ...(options.extra ?? []),
  ]);
}
