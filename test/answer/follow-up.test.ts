import { describe, expect, it } from 'vitest';
import { readFollowUp } from '../../src/answer/follow-up.js';
import type { ConversationTurn } from '../../src/core/types.js';
import { terms } from '../../src/text/terms.js';

/** Names as the seeds' corpus view reads them (capitalised mid-sentence in the documents). */
const names = new Set(
  terms(
    'Xi Jinping Vietnam China Hanoi Beijing Li Qiang Dalian US Washington Lao Cai Haiphong Pham Minh Chinh Nhan Dan Malaysia Cambodia COMAC Xiong Bo Monday Prime Minister Gulf Observer',
  ),
);
const context = { isName: (term: string) => names.has(term) };
const asked = (...questions: string[]): ConversationTurn[] => questions.map((question) => ({ question }));

/** Follow-ups whose reading is still a question: shown as "Read as". */
const readAs: [earlier: string[], followUp: string, readAs: string][] = [
  [['When did Xi visit Hanoi?'], 'what did he sign there?', 'what did Xi sign in Hanoi?'],
  [['How high are the US tariffs on Vietnam?'], 'when do they start?', 'when do the US tariffs on Vietnam start?'],
  [['How high are the US tariffs on Vietnam?'], 'and China?', 'How high are the US tariffs on China?'],
  [['How high are the US tariffs on Vietnam?'], 'what about Beijing?', 'How high are the US tariffs on Beijing?'],
  [['What US duties does Cambodia face?'], 'and for malaysia?', 'What US duties does malaysia face?'],
  [['What did Xi say in Hanoi?'], 'and in Dalian?', 'What did Xi say in Dalian?'],
  [['Where did Vietnam and China fight a war in 1974?'], 'and in 1988?', 'Where did Vietnam and China fight a war in 1988?'],
  [['What did Xi say about trade wars?'], 'and about the South China Sea?', 'What did Xi say about the South China Sea?'],
  [
    ['How many agreements did Vietnam sign with China?', 'When did Xi visit Hanoi?'],
    'how long did he stay there?',
    'how long did Xi stay in Hanoi?',
  ],
  [['When did Xi visit Hanoi?'], 'what did he write about Vietnam before the visit?', 'what did Xi write about Vietnam before the visit?'],
];

/** Follow-ups that read no question once what they point to is written in: shown as "about …". */
const about: [earlier: string[], followUp: string, about: string][] = [
  [['Which airline will lease COMAC jets?'], 'how many of them?', 'airline lease COMAC jets'],
  [['What did Xi Jinping say about trade wars?'], 'when was that?', 'Xi Jinping say about trade wars'],
  [['What agreements did Xi sign in Hanoi?'], 'when was that?', 'agreements Xi sign in Hanoi'],
  [['Which rail line connect Lao Cai to Haiphong?'], 'who pays for it?', 'rail line connect Lao Cai to Haiphong'],
  [['Which rail line connect Lao Cai to Haiphong?'], 'when?', 'rail line connect Lao Cai to Haiphong'],
  [['Which rail line connect Lao Cai to Haiphong?'], 'which year exactly?', 'rail line connect Lao Cai to Haiphong'],
  [['Who pays for the rail line to Haiphong?'], 'when?', 'rail line to Haiphong'],
  [['Which railway is being upgraded?'], 'and the ports?', 'Which railway is being upgraded, the ports'],
  [['In what year did the two countries fight a brief war?'], 'where was that?', 'year the two countries fight a brief war'],
];

const standAlone: [earlier: string[], question: string][] = [
  [['When did Xi visit Hanoi?'], 'How high are the US tariffs on Vietnam?'],
  [['When did Xi visit Hanoi?'], 'What did Li Qiang discuss in Dalian?'],
  [['When did Xi visit Hanoi?'], 'Which railway projects are planned between the two countries and who funds them?'],
  [['How high are the US tariffs on Vietnam?'], 'What is the project that the railway loans will fund in the northern region?'],
  [['How high are the US tariffs on Vietnam?'], 'When did China and Vietnam fight a war?'],
  [['How high are the US tariffs on Vietnam?'], 'Is there a dispute over the South China Sea?'],
  [[], 'when was that?'],
  [['When did Xi visit Hanoi?'], 'What did Li Qiang say when he met Chinh?'],
  [['When did Xi visit Hanoi?'], 'What rare earths are mined in the border region near the planned new railway?'],
];

describe('readFollowUp', () => {
  it.each(readAs)('after %j reads %j as the question %j', (earlier, followUp, question) => {
    const read = readFollowUp(followUp, asked(...earlier), context);
    expect(read.readAs).toBe(question);
    expect(read.text).toBe(question);
    expect(read.reading?.about).toBeUndefined();
  });

  it.each(about)('after %j reads %j as about %j', (earlier, followUp, subject) => {
    const read = readFollowUp(followUp, asked(...earlier), context);
    expect(read.readAs).toBeNull();
    expect(read.reading?.about).toBe(subject);
  });

  it.each(standAlone)('after %j leaves %j as asked, no follow-up', (earlier, question) => {
    expect(readFollowUp(question, asked(...earlier), context)).toEqual({ text: question, readAs: null, carriedWords: null, reading: null });
  });

  it('says what it carried from which turn', () => {
    const earlier = asked('Which airline will lease COMAC jets?', 'When did Xi visit Hanoi?');
    const them = readFollowUp('how many of them?', earlier.slice(0, 1), context);
    expect(them.text).toBe('how many of airline lease COMAC jets?');
    expect(them.carriedWords).toBe('Which airline will lease COMAC jets?');
    expect(them.reading?.carried).toEqual([{ turn: 1, how: 'subject', text: 'airline lease COMAC jets' }]);
    const there = readFollowUp('what did he sign there?', earlier, context);
    expect(there.reading?.carried).toEqual([
      { turn: 2, how: 'pronoun', text: 'Xi' },
      { turn: 2, how: 'pronoun', text: 'Hanoi' },
    ]);
    const malaysia = readFollowUp('and for malaysia?', asked('What US duties does Cambodia face?'), context);
    expect(malaysia.reading?.carried).toEqual([{ turn: 1, how: 'replaced', text: 'What US duties does Cambodia face?' }]);
  });

  it('reads "he" after a question asking who as the person its answer names', () => {
    const earlier: ConversationTurn[] = [
      {
        question: 'Who did Li Qiang hold talks with in Dalian?',
        answer: 'Dalian, The Gulf Observer: Prime Minister Pham Minh Chinh of Vietnam and Chinese Premier Li Qiang have committed to more.',
      },
    ];
    expect(readFollowUp('what did he ask for?', earlier, context).readAs).toBe('what did Prime Minister Pham Minh Chinh ask for?');
    // Otherwise "he" is the person the question named.
    expect(readFollowUp('what did he say?', [{ question: 'When did Xi visit Hanoi?', answer: 'Li Qiang said so.' }], context).readAs).toBe(
      'what did Xi say?',
    );
  });

  it('reads a question of a few words that points back to nothing as an implicit follow-up (talk is told apart by the engine)', () => {
    for (const question of ['on which routes?', 'ok thanks']) {
      const read = readFollowUp(question, asked('Which airline will lease COMAC jets?'), context);
      expect(read).toMatchObject({ implicit: true, readAs: null, reading: { about: 'airline lease COMAC jets' } });
    }
    expect(readFollowUp('when was that?', asked('Which airline will lease COMAC jets?'), context).implicit).toBeUndefined();
  });

  it('chains: a turn read as being about something passes that on', () => {
    const first = readFollowUp('when was that?', asked('What agreements did Xi sign in Hanoi?'), context);
    const turns: ConversationTurn[] = [
      { question: 'What agreements did Xi sign in Hanoi?' },
      { question: 'when was that?', about: first.reading?.about },
    ];
    const dalian = readFollowUp('and in Dalian?', turns, context);
    expect(dalian.reading?.about).toBe('agreements Xi sign in Dalian');
    expect(dalian.text).toBe('when was that? agreements Xi sign in Dalian');
  });
});
