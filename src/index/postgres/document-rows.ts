import type pg from 'pg';
import type { Chunk, CorpusDocument } from '../../core/types.js';
import { documentTerms, figureSentences, openingOf } from '../corpus-facts.js';
import { chunkPart } from '../store.js';
import { storedShape } from '../stored-document.js';
import { lexicalTermsColumn } from './lexical-column.js';

/**
 * Insert documents (one or a batch) in one statement each for the documents and the sentences
 * stating figures, with what a serving process reads of a document instead of deriving it from the
 * whole corpus: its size, chunk count, opening and terms.
 */
export async function insertDocumentRows(
  client: pg.ClientBase,
  rows: readonly { readonly document: CorpusDocument; readonly position: number; readonly chunks: readonly Chunk[] }[],
): Promise<void> {
  const shapes = rows.map(({ document }) => storedShape(document));
  await client.query(
    `INSERT INTO documents (file, position, title, date, raw, content_hash, paragraphs, characters, chunk_count, opening, terms, shape)
     SELECT file, position, title, date, raw, content_hash, paragraphs::jsonb, characters, chunk_count, opening,
            string_to_array(terms, chr(10)), shape::jsonb
       FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int[], $9::int[], $10::text[], $11::text[], $12::text[])
         AS v(file, position, title, date, raw, content_hash, paragraphs, characters, chunk_count, opening, terms, shape)`,
    [
      rows.map(({ document }) => document.file),
      rows.map(({ position }) => position),
      rows.map(({ document }) => document.title),
      rows.map(({ document }) => document.date),
      rows.map(({ document }) => document.raw),
      rows.map(({ document }) => document.contentHash),
      shapes.map((shape) => JSON.stringify(shape.paragraphs)),
      rows.map(({ document }) => document.raw.length),
      rows.map(({ chunks }) => chunks.length),
      rows.map(({ document }) => openingOf(document)),
      // One string a document, a term a line: arrays of arrays cannot be sent as parameters.
      rows.map(({ document, chunks }) => [...documentTerms(document, chunks)].join('\n')),
      shapes.map(({ paragraphs: _, ...shape }) => (shape.format ? JSON.stringify(shape) : null)),
    ],
  );
  const sentences = rows.flatMap(({ document, chunks }) =>
    figureSentences(document, chunks).map((sentence, ordinal) => ({ file: document.file, ordinal, sentence })),
  );
  if (sentences.length === 0) return;
  await client.query(
    `INSERT INTO figure_sentences (file, ordinal, paragraph, chunk_id, start_offset, end_offset, body, figures)
     SELECT file, ordinal, paragraph, chunk_id, start_offset, end_offset, body, string_to_array(figures, chr(10))
       FROM unnest($1::text[], $2::int[], $3::int[], $4::text[], $5::int[], $6::int[], $7::text[], $8::text[])
         AS s(file, ordinal, paragraph, chunk_id, start_offset, end_offset, body, figures)`,
    [
      sentences.map((row) => row.file),
      sentences.map((row) => row.ordinal),
      sentences.map((row) => row.sentence.paragraph),
      sentences.map((row) => row.sentence.chunkId),
      sentences.map((row) => row.sentence.start),
      sentences.map((row) => row.sentence.end),
      sentences.map((row) => row.sentence.text),
      sentences.map((row) => row.sentence.figures.join('\n')),
    ],
  );
}

/** Insert chunks (of one document or a batch), with their text's own terms for word search in SQL, in one statement. */
export async function insertChunkRows(
  client: pg.ClientBase,
  rows: readonly { readonly file: string; readonly ordinal: number; readonly chunk: Chunk }[],
): Promise<void> {
  await client.query(
    `INSERT INTO chunks (file, ordinal, paragraph, part, start_offset, end_offset, section, body, lexical_terms)
     SELECT * FROM unnest($1::text[], $2::int[], $3::int[], $4::int[], $5::int[], $6::int[], $7::text[], $8::text[], $9::text[])`,
    [
      rows.map((row) => row.file),
      rows.map((row) => row.ordinal),
      rows.map((row) => row.chunk.paragraph),
      rows.map((row) => chunkPart(row.chunk)),
      rows.map((row) => row.chunk.start),
      rows.map((row) => row.chunk.end),
      rows.map((row) => row.chunk.section),
      rows.map((row) => row.chunk.text),
      rows.map((row) => lexicalTermsColumn(row.chunk.text)),
    ],
  );
}
