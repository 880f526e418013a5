import { describe, expect, it } from 'vitest';
import { corroborateByFigures, indexFigures } from '../../src/answer/corroborate.js';
import { evidenceOf, sentenceFeatures as scoreFeatures, type SentenceCandidate } from '../../src/answer/features.js';
import { dateAffinity, rerankPassages, termCoverage } from '../../src/answer/fusion.js';
import type { Lexicon } from '../../src/answer/matching.js';
import { analyseQuestion, expectedAnswerType, focusTerms, type QuestionContext, unknownNamesOf } from '../../src/answer/question.js';
import { selectQuotes as select } from '../../src/answer/select.js';
import { DEFAULT_QUOTE_SETTINGS, type QuoteSettings } from '../../src/answer/settings.js';
import { dateTerms } from '../../src/text/dates.js';
import { figuresOf } from '../../src/text/figures.js';
import { terms } from '../../src/text/terms.js';
import type { Passage, Quote } from '../../src/core/types.js';

/** A lexicon where every term counts 1, names are given, and only the given words have vectors (for near-synonyms). */
type TestLexicon = Lexicon & Partial<QuestionContext>;

function lexicon(names: readonly string[] = [], vectors: Record<string, number[]> = {}): TestLexicon {
  const nameTerms = new Set(names.flatMap((name) => terms(name)));
  const byTerm = new Map(Object.entries(vectors).map(([word, vector]) => [terms(word)[0] ?? word, new Float32Array(vector)]));
  return { idf: () => 1, vectorOf: (term) => byTerm.get(term), isName: (term) => nameTerms.has(term), isKnown: () => true };
}

function passage(source: string, date: string | null, score = 1): Passage {
  return { source, title: source, date, paragraph: 1, chunkId: `${source}#p1.1`, start: 0, end: 1000, text: '', score };
}

function sentence(source: string, date: string | null, text: string, start = 0): SentenceCandidate {
  return {
    passage: passage(source, date),
    passageRank: 0,
    paragraph: 1,
    start,
    end: start + text.length,
    text,
    previous: '',
    vector: new Float32Array([1, 0]),
  };
}

function question(text: string) {
  return { text };
}

/** The question read with the lexicon's names and pertainyms, as the engine reads it with the corpus's. */
function read(asked: { text: string }, words: TestLexicon = {} as TestLexicon) {
  const context: QuestionContext = {
    isName: (term) => words.isName?.(term) ?? false,
    pertainsTo: (term) => words.pertainsTo?.(term) ?? [],
    ...(words.isKnown ? { isKnown: words.isKnown } : {}),
  };
  return { ...analyseQuestion(asked.text, context), vector: new Float32Array([1, 0]) };
}

function selectQuotes(
  asked: { text: string },
  candidates: readonly SentenceCandidate[],
  words: TestLexicon,
  settings: QuoteSettings = DEFAULT_QUOTE_SETTINGS,
) {
  return select(read(asked, words), candidates, words, settings);
}

function sentenceFeatures(
  asked: { text: string },
  candidate: SentenceCandidate,
  bestPassageScore: number,
  words: TestLexicon,
  settings: QuoteSettings,
) {
  return scoreFeatures(read(asked, words), candidate, bestPassageScore, words, settings);
}

describe('sentence selection', () => {
  it('never quotes a sentence that asks, however well it matches: the statement after it answers', () => {
    const candidates = [
      sentence('howto.txt', null, 'What can you do if you need to change a file but do not know its encoding?', 0),
      sentence('howto.txt', null, 'You can open the file with the surrogateescape error handler and change only the ASCII parts.', 80),
    ];
    const decision = selectQuotes(question('What can I do to change a file whose encoding I do not know?'), candidates, lexicon());
    expect(decision.ranked[0]?.text).toMatch(/\?$/);
    expect(decision.answered).toBe(true);
    expect(decision.quotes.map((quote) => quote.text)).toEqual([candidates[1]?.text]);
  });

  it('quotes the sentence that answers, verbatim, with its offsets', () => {
    const candidates = [
      sentence('a.txt', '2025-04-14', 'Xi met To Lam in Hanoi on Monday.', 0),
      sentence('a.txt', '2025-04-14', 'The two countries signed around 40 cooperation agreements.', 40),
    ];
    const decision = selectQuotes(question('How many cooperation agreements were signed?'), candidates, lexicon(['Xi', 'Lam', 'Hanoi']));
    expect(decision.answered).toBe(true);
    expect(decision.quotes[0]?.text).toBe('The two countries signed around 40 cooperation agreements.');
    expect(decision.quotes[0]?.start).toBe(40);
  });

  it('abstains when only the names match and the predicate word is missing (near miss)', () => {
    const candidates = [
      sentence('a.txt', null, 'After he met Vietnam’s top leader To Lam, the two countries signed dozens of agreements.'),
    ];
    const decision = selectQuotes(question('How old is To Lam?'), candidates, lexicon(['Lam', 'Vietnam']));
    expect(decision.answered).toBe(false);
    expect(decision.evidence).toBeLessThan(DEFAULT_QUOTE_SETTINGS.minEvidence);
  });

  it('quotes the next sentence when the best one restates the question and the next one answers it', () => {
    const restated = 'A key highlight of the agreements is a plan to improve cross-border rail connectivity.';
    const answer = 'The goal is to reduce transport times and costs.';
    const candidates = [sentence('a.txt', null, restated, 0), sentence('a.txt', null, answer, restated.length + 1)];
    const ask = question('what is the goal of the cross-border rail connectivity plan');
    expect(selectQuotes(ask, candidates, lexicon()).quotes[0]?.text).toBe(answer);
    // Off: the restatement scores best and is quoted.
    expect(selectQuotes(ask, candidates, lexicon(), { ...DEFAULT_QUOTE_SETTINGS, completionRatio: 2 }).quotes[0]?.text).toBe(restated);
    // A sentence before the restatement never completes it.
    const before = [sentence('a.txt', null, answer, 0), sentence('a.txt', null, restated, answer.length + 1)];
    expect(selectQuotes(ask, before, lexicon()).quotes[0]?.text).toBe(restated);
  });

  it('prefers the sentence naming a kind of the thing asked for ("which produce" → durian), which need not be capitalised', () => {
    const restated = 'He also asked China to open its markets to more Vietnamese farm produce.';
    const answer = 'Chinh urged swift market access for Vietnamese frozen durian and fresh coconut.';
    const candidates = [sentence('a.txt', null, restated, 0), sentence('a.txt', null, answer, restated.length + 1)];
    const ask = question('which vietnamese produce did chinh ask china to open markets to');
    const withKinds: TestLexicon = {
      ...lexicon(['Chinh', 'China', 'Vietnamese']),
      kindsOf: (term) => new Set(term === terms('produce')[0] ? terms('durian coconut') : []),
    };
    expect(selectQuotes(ask, candidates, withKinds).quotes[0]?.text).toBe(answer);
    // Without the kinds, the restatement (more of the question's words) is quoted first.
    expect(selectQuotes(ask, candidates, lexicon(['Chinh', 'China', 'Vietnamese'])).quotes[0]?.text).toBe(restated);
    expect(selectQuotes(ask, candidates, withKinds, { ...DEFAULT_QUOTE_SETTINGS, kindMatching: false }).quotes[0]?.text).toBe(restated);
    // A kind is what "which" asks for; "how many" still wants a number.
    expect(selectQuotes(ask, [candidates[1]!], withKinds).ranked[0]?.features.cue).toBe(true);
    const count = selectQuotes(question('how many vietnamese produce did chinh ask china to open markets to'), [candidates[1]!], withKinds);
    expect(count.ranked[0]?.features.cue).toBe(false);
  });

  it('counts a kind of the thing asked for as that word in the evidence ("produce" → durian)', () => {
    const candidates = [sentence('a.txt', null, 'Chinh urged swift market access for Vietnamese frozen durian and fresh coconut.')];
    const ask = question('what vietnamese produce did the PM want fast-tracked into the chinese market?');
    const plain = lexicon(['Chinh', 'Vietnamese', 'Chinese', 'PM']);
    const withKinds: TestLexicon = { ...plain, kindsOf: (term) => new Set(term === terms('produce')[0] ? terms('durian coconut') : []) };
    const without = selectQuotes(ask, candidates, plain).evidence;
    expect(selectQuotes(ask, candidates, withKinds).evidence).toBeGreaterThan(without);
  });

  it('counts a WordNet synonym of a question word as evidence ("speed up" → "accelerating")', () => {
    const candidates = [
      sentence('a.txt', null, 'Prime Minister Chinh proposed accelerating transport connections, particularly standard gauge railways.'),
    ];
    const ask = question('what railways did the prime minister push to speed up');
    const plain = lexicon(['Chinh']);
    const withSynonyms: TestLexicon = { ...plain, synonymsOf: (term) => (term === terms('speed')[0] ? terms('accelerating') : []) };
    const without = selectQuotes(ask, candidates, plain).evidence;
    expect(selectQuotes(ask, candidates, withSynonyms).evidence).toBeGreaterThan(without);
    expect(selectQuotes(ask, candidates, withSynonyms, { ...DEFAULT_QUOTE_SETTINGS, evidenceSynonymStrength: 0 }).evidence).toBe(without);
  });

  it('discounts a sentence without the asked-for kind of answer', () => {
    const features = { coverage: 1, context: 0, similarity: 0.9, passage: 1, cue: false, focus: 0, predicate: 1, topic: 1, wantsCue: true };
    expect(evidenceOf(features, DEFAULT_QUOTE_SETTINGS)).toBeLessThan(evidenceOf({ ...features, cue: true }, DEFAULT_QUOTE_SETTINGS));
  });

  it('counts the article date as part of what a sentence says ("in December 2023")', () => {
    expect(dateTerms('2023-12-12')).toEqual(expect.arrayContaining(terms('2023 december dec')));
    const candidates = [
      sentence('old.txt', '2023-12-12', 'Xi praised the partnership with Vietnam.', 0),
      sentence('new.txt', '2025-04-14', 'Xi praised the partnership with Vietnam.', 0),
    ];
    const decision = selectQuotes(question('What did Xi praise in December 2023?'), candidates, lexicon(['Xi', 'Vietnam']));
    expect(decision.quotes[0]?.source).toBe('old.txt');
  });
});

describe('corroboration and conflicts', () => {
  it('cites every document that states the same figure and makes the newest the headline', () => {
    const candidates = [
      sentence('undated.txt', null, 'The U.S. imposes steep tariffs of up to 145% on some Chinese goods.', 0),
      sentence('dated.txt', '2025-04-14', 'Beijing faces 145% US tariffs on Chinese goods.', 0),
    ];
    const decision = selectQuotes(
      question('What tariffs does the US impose on Chinese goods?'),
      candidates,
      lexicon(['US', 'Chinese', 'Beijing']),
    );
    const quote = decision.quotes[0];
    expect(quote?.source).toBe('dated.txt');
    expect(quote?.alsoIn.map((citation) => citation.source)).toEqual(['undated.txt']);
  });

  it('finds a corroborating figure outside the retrieved passages', () => {
    const quote: Quote = {
      ...passage('undated.txt', null),
      paragraph: 7,
      text: 'Up to 145% on some Chinese goods, the US tariffs bite.',
      score: 0.7,
      alsoIn: [],
    };
    const pool = [
      { ...passage('dated.txt', '2025-04-14'), paragraph: 2, text: 'Beijing faces 145% US tariffs while Chinese goods pile up.' },
      { ...passage('other.txt', '2025-01-01'), paragraph: 3, text: 'Unrelated: 145% of the target was reached.' },
    ];
    const corroborated = corroborateByFigures(quote, figuresOf('How high are the US tariffs on Chinese goods?'), indexFigures(pool));
    expect(corroborated.source).toBe('dated.txt');
    expect(corroborated.text).toBe(pool[0]?.text);
    expect(corroborated.alsoIn.map((citation) => citation.source)).toEqual(['undated.txt']);
  });

  it('shows a source that states a different ordinal as a conflict, with its date', () => {
    const candidates = [
      sentence('undated.txt', null, 'This marks President Xi’s first visit to Vietnam since 2017.', 0),
      sentence('dated.txt', '2025-04-14', 'Xi’s visit to Vietnam is his second since 2017, in less than 18 months.', 0),
    ];
    // The word vectors place "first" and "second" close together, as GloVe does.
    const near = lexicon(['Xi', 'Vietnam'], { first: [1, 0], second: [0.95, 0.31] });
    const decision = selectQuotes(question('Is this Xi’s first visit to Vietnam since 2017?'), candidates, near);
    const quote = decision.quotes[0];
    expect(quote?.conflicts?.map((conflict) => [conflict.source, conflict.date])).toEqual([
      [quote?.source === 'dated.txt' ? 'undated.txt' : 'dated.txt', quote?.source === 'dated.txt' ? null : '2025-04-14'],
    ]);
  });

  it('normalises figures', () => {
    expect([...figuresOf('$31.4 billion, 145% and 1,000 people')]).toEqual(['31.4billion', '145%', '1000']);
  });
});

describe('question analysis', () => {
  it('knows what kind of answer is asked for', () => {
    expect(expectedAnswerType('how much did Vietnam import?')).toBe('number');
    expect(expectedAnswerType('how old is To Lam?')).toBe('number');
    expect(expectedAnswerType('when was the decree approved?')).toBe('time');
    expect(expectedAnswerType('who wrote the article?')).toBe('name');
    // The first question word decides: a "when" clause does not make a "who" question ask for a date.
    expect(expectedAnswerType("who was vietnam's president when xi made his state visit?")).toBe('name');
    expect(expectedAnswerType('why did factories move when tariffs rose?')).toBe(null);
    expect(expectedAnswerType('in the dalian talks, what year was the visit?')).toBe('year');
    expect(expectedAnswerType('us tariff on cambodia?')).toBe('number');
    expect(expectedAnswerType('what tariff rate is Washington threatening?')).toBe('number');
    expect(expectedAnswerType('What anti-dumping duty rate did Vietnam impose on Chinese steel?')).toBe('number');
    // A measure noun asks for a number only as the thing asked: not "which budget airline".
    expect(expectedAnswerType('What is the budget of the railway upgrade?')).toBe('number');
    expect(expectedAnswerType('which budget vietnamese airline is in the COMAC jet talks')).toBe('name');
    expect(expectedAnswerType('In which city did the two premiers hold their talks?')).toBe('place');
    expect(expectedAnswerType('In which month was the survey ship accused?')).toBe('time');
    // "what" as the object of the verb asks for a thing, though duties are figures.
    expect(expectedAnswerType('What did Vietnam slap anti-dumping duties on recently?')).toBe(null);
  });

  it('finds the words naming the thing asked for', () => {
    expect(focusTerms('what is the goal of the plan')).toEqual(terms('goal'));
    expect(focusTerms('rare earths railway which port')).toEqual(terms('port'));
    // "who is the …": the role the named answer holds, the last word of the phrase.
    expect(focusTerms('who is the chinese foreign ministry spokeswoman who talked about upgrading ties')).toEqual(terms('spokeswoman'));
    expect(focusTerms("who is vietnam's top leader that xi met")).toEqual(terms('leader'));
    expect(focusTerms('who is To Lam')).toEqual([]);
    expect(focusTerms('what is the point of the rail links')).toEqual(terms('point'));
    expect(focusTerms("what's the goal of the plan")).toEqual(terms('goal'));
    // After "what is", a name is the subject ("what is Vietnam going to use"), not the thing asked.
    expect(focusTerms('What is Vietnam going to use from China to modernise its rail network?')).toEqual([]);
    // A count is not the thing asked for.
    expect(focusTerms('Which two Vietnamese farm products did Chinh ask for')).toEqual(terms('Vietnamese farm products'));
    expect(focusTerms("Who's the Chinese premier who met Vietnam's PM?")).toEqual(terms('premier'));
  });

  it('quotes the sentence naming the role a "who is the …" question asks about, after its restatement', () => {
    const restated = 'The Chinese foreign ministry on Monday hinted that Beijing was seeking to upgrade ties with Hanoi.';
    const answer = '“An elevated bilateral relationship is a natural result,” ministry spokeswoman Mao Ning said.';
    const candidates = [sentence('a.txt', null, restated, 0), sentence('a.txt', null, answer, restated.length + 1)];
    const ask = question('who is the chinese foreign ministry spokeswoman who talked about upgrading ties with hanoi');
    expect(selectQuotes(ask, candidates, lexicon(['Chinese', 'Beijing', 'Hanoi', 'Mao', 'Ning'])).quotes[0]?.text).toBe(answer);
  });

  it('never completes a table row or list item with the next one: siblings state separate things', () => {
    const closed = 'ClientClosedError | UND_ERR_CLOSED | trying to use a closed client.';
    const socket = 'SocketError | UND_ERR_SOCKET | there is an error with the socket.';
    const row = (text: string, start: number, paragraph: number): SentenceCandidate => ({
      ...sentence('errors.md', null, text, start),
      paragraph,
      block: 'table-row',
    });
    const ask = question('What error do I get if I use a client after closing it?');
    const rows = [row(closed, 0, 15), row(socket, closed.length + 2, 16)];
    expect(selectQuotes(ask, rows, lexicon()).quotes[0]?.text).toBe(closed);
    // The same two sentences as running prose: the second completes the first (it names the error asked for).
    const prose = rows.map(({ block, ...plain }) => ({ ...plain, paragraph: 15 }));
    expect(selectQuotes(ask, prose, lexicon()).quotes[0]?.text).toBe(socket);
  });

  it('finds the names written as code or acronyms that the corpus never uses', () => {
    const known = new Set(terms('shift http undici socks string decoder q1 v4 mou'));
    const unknown = (text: string) => unknownNamesOf(text, (term) => known.has(term));
    expect(unknown('Does StringDecoder support Shift_JIS?')).toEqual(['StringDecoder', 'Shift_JIS']);
    expect(unknown('Is QUIC supported, or HTTP/3?')).toEqual(['QUIC']);
    expect(unknown('Can undici use a SOCKS5 proxy with TypeScript?')).toEqual(['SOCKS5', 'TypeScript']);
    // Short abbreviations are often spelled out by the sources; plain words and known names are no names.
    expect(unknown('What were Q1 imports, is v4 fine, who signed the MoU?')).toEqual([]);
    expect(unknown('Does Undici support HTTP pipelining?')).toEqual([]);
    expect(read(question('Is QUIC supported?'), { ...lexicon(), isKnown: (term: string) => term !== 'quic' }).unknownNames).toEqual([
      'QUIC',
    ]);
  });
});

describe('what a "what year" question is answered by', () => {
  it('a year, not a weekday, completes the restating sentence', () => {
    const restated = 'The discussions took place during their talks in Dalian on Monday.';
    const answer = 'They reflected on the historic visits by Trong in 2022 and Xi in 2023.';
    const candidates = [sentence('a.txt', null, restated, 0), sentence('a.txt', null, answer, restated.length + 1)];
    const names = lexicon(['Dalian', 'Trong', 'Xi']);
    expect(selectQuotes(question('in the dalian talks, what year was the historic visit?'), candidates, names).quotes[0]?.text).toBe(
      answer,
    );
    // Any time will do for "when": the weekday answers it.
    expect(selectQuotes(question('when were the dalian talks?'), candidates, names).quotes[0]?.text).toBe(restated);
  });
});

describe('what a "how many" question is answered by', () => {
  it('a count, not a year', () => {
    const ask = question('How many soldiers died in the 1988 skirmish?');
    const features = (text: string) => sentenceFeatures(ask, sentence('a.txt', null, text), 1, lexicon(), DEFAULT_QUOTE_SETTINGS);
    expect(features('They fought a brief war in 1974 and had another skirmish in 1988.').cue).toBe(false);
    expect(features('The 1988 skirmish killed 64 soldiers.').cue).toBe(true);
  });

  it('a duration, not the days of a month', () => {
    const ask = question("How long had it been since Xi's previous trip to Malaysia?");
    const features = (text: string) =>
      sentenceFeatures(ask, sentence('a.txt', null, text), 1, lexicon(['Xi', 'Malaysia']), DEFAULT_QUOTE_SETTINGS);
    expect(features('Xi will visit Malaysia and Cambodia from April 15 to 18.').cue).toBe(false);
    expect(features('He last visited Cambodia and Malaysia nine and 12 years ago.').cue).toBe(true);
  });
});

describe('what a "which" question is answered by', () => {
  it('a name the question does not already give, counting the country its adjective names', () => {
    const text = 'Xi pointed to the success of Vietnamese pop stars in China and of Chinese films in Vietnam.';
    const ask = question('Which Vietnamese pop singer is the most famous in China?');
    const withoutPertainyms = lexicon(['Xi', 'China', 'Vietnam']);
    const withPertainyms: TestLexicon = {
      ...withoutPertainyms,
      // WordNet's pertainyms of the corpus's adjectives: "Vietnamese" → Vietnam, "Chinese" → China.
      pertainsTo: (term) => (term === terms('Vietnamese')[0] ? terms('Vietnam') : term === terms('Chinese')[0] ? terms('China') : []),
    };
    // A fresh question view each time: its analysis is kept per view.
    const cue = (words: Lexicon) =>
      sentenceFeatures(question(ask.text), sentence('a.txt', null, text), 1, words, DEFAULT_QUOTE_SETTINGS).cue;
    expect(cue(withoutPertainyms)).toBe(true);
    expect(cue(withPertainyms)).toBe(false);
  });
});

describe('what a "where" question is answered by', () => {
  it('a place after a preposition of place, not a dateline or a country of origin', () => {
    const lead =
      'Dalian, The Gulf Observer: Prime Minister Phạm Minh Chính of Vietnam and Premier Li Qiang committed to further cooperation.';
    const answer = 'The discussions took place during their talks in Dalian City, Liaoning Province, on Monday.';
    const candidates = [sentence('a.txt', null, lead, 0), sentence('a.txt', null, answer, lead.length + 1)];
    const ask = question('where did PM chinh and premier li qiang hold their talks');
    expect(expectedAnswerType(ask.text)).toBe('place');
    const features = (text: string) =>
      sentenceFeatures(ask, sentence('a.txt', null, text), 1, lexicon(['Chinh', 'Li', 'Qiang']), DEFAULT_QUOTE_SETTINGS);
    expect(features(lead).cue).toBe(false);
    expect(features(answer).cue).toBe(true);
    expect(features('They had another military skirmish in the Spratly Islands in 1988.').cue).toBe(true);
    expect(selectQuotes(ask, candidates, lexicon(['Chinh', 'Li', 'Qiang'])).quotes[0]?.text).toBe(answer);
  });

  it('leaves out the dateline when looking for a name', () => {
    const ask = question('who signed the deal?');
    const features = (text: string) => sentenceFeatures(ask, sentence('a.txt', null, text), 1, lexicon(), DEFAULT_QUOTE_SETTINGS);
    expect(features('HANOI: the deal was signed on a rainy day.').cue).toBe(false);
    expect(features('HANOI: the deal was signed by To Lam.').cue).toBe(true);
  });
});

describe('a near-tie that has what the best sentence lacks', () => {
  it('is quoted first, however far on in the document', () => {
    const names = ['Kunming', 'Vietnam', 'Vietnamese', 'Haiphong'];
    const words: TestLexicon = { ...lexicon(names), pertainsTo: (term) => (term === terms('Vietnamese')[0] ? terms('Vietnam') : []) };
    const texts = [
      'The rail line from Kunming runs to the primary northern port of Vietnam.',
      'Officials discussed the plan.',
      'Experts met last week.',
      'Funding was not announced.',
      'Trade grew last year.',
      'The line from Kunming runs to the Haiphong port city.',
    ];
    let start = 0;
    const candidates = texts.map((text) => {
      const candidate = sentence('a.txt', null, text, start);
      start += text.length + 1;
      return candidate;
    });
    const ask = question('the kunming rail line runs to which vietnamese port?');
    const decision = selectQuotes(ask, candidates, words);
    expect(decision.ranked[0]?.text).toBe(texts[0]);
    expect(decision.quotes[0]?.text).toBe(texts[5]);
  });
});

describe('retrieval helpers', () => {
  it('prefers the article of the year the question names, and the newest for "latest"', () => {
    const span = { oldest: '2023-12-12', newest: '2025-04-14' };
    expect(dateAffinity(read(question('what happened in 2023?')), '2023-12-12', span)).toBe(1);
    expect(dateAffinity(read(question('what happened in 2023?')), '2025-04-14', span)).toBeLessThan(0);
    expect(dateAffinity(read(question('what is the latest news?')), '2025-04-14', span)).toBeGreaterThan(
      dateAffinity(read(question('what is the latest news?')), '2023-12-12', span),
    );
  });

  it('measures how much of the question a document holds', () => {
    expect(termCoverage(new Set(['a', 'b']), new Set(['a']), () => 1)).toBe(0.5);
  });

  it('reranks the first passages by their best sentence and keeps the rest in order', () => {
    const passages = [
      { score: 1, id: 'a' },
      { score: 0.9, id: 'b' },
      { score: 0.5, id: 'c' },
    ];
    expect(rerankPassages(passages, [0.1, 1], 0.5).map((passage) => passage.id)).toEqual(['b', 'a', 'c']);
    expect(rerankPassages(passages, [0.1, 1], 0).map((passage) => passage.id)).toEqual(['a', 'b', 'c']);
  });
});
