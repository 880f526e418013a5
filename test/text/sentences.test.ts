import { describe, expect, it } from 'vitest';
import { splitSentences } from '../../src/text/sentences.js';

describe('splitSentences', () => {
  it.each([
    ['plain', 'Vietnam said no. China agreed.', ['Vietnam said no.', 'China agreed.']],
    ['initialism mid-sentence', 'The U.S. imposed tariffs. Vietnam said no.', ['The U.S. imposed tariffs.', 'Vietnam said no.']],
    ['initialism before a name', 'The U.S. Navy sailed. It left.', ['The U.S. Navy sailed.', 'It left.']],
    ['initialism ending a sentence', 'Trade went to the U.S. The firm grew.', ['Trade went to the U.S.', 'The firm grew.']],
    ['titles', 'Mr. Xi met Dr. Lam in Hanoi. They signed 40 deals.', ['Mr. Xi met Dr. Lam in Hanoi.', 'They signed 40 deals.']],
    ['decimals and money', 'It grew 21.1% to $31.4 billion. Next.', ['It grew 21.1% to $31.4 billion.', 'Next.']],
    ['closing quote', 'He said “no.” Then he left.', ['He said “no.”', 'Then he left.']],
    ['quote then attribution', '“There are no winners,” Xi added. He left.', ['“There are no winners,” Xi added.', 'He left.']],
    ['whitespace only', '  \n ', []],
    ['no final stop', 'Rail links, planes', ['Rail links, planes']],
  ])('%s', (_name, text, expected) => {
    const sentences = splitSentences(text);
    expect(sentences.map((sentence) => sentence.text)).toEqual(expected);
    for (const sentence of sentences) expect(text.slice(sentence.start, sentence.end)).toBe(sentence.text);
  });
});
