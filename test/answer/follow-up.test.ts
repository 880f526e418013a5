import { describe, expect, it } from 'vitest';
import { resolveFollowUp } from '../../src/answer/follow-up.js';
import { terms } from '../../src/text/terms.js';

/** Names as the seeds' corpus view reads them (capitalised mid-sentence in the documents). */
const names = new Set(
  terms('Xi Jinping Vietnam China Hanoi Beijing Li Qiang Dalian US Washington Lao Cai Haiphong Pham Minh Chinh Nhan Dan'),
);
const context = { isName: (term: string) => names.has(term) };

const followUps: [earlier: string[], followUp: string, readAs: string][] = [
  [['When did Xi visit Hanoi?'], 'what did he sign there?', 'what did Xi sign in Hanoi?'],
  [['What did Xi Jinping say about trade wars?'], 'when was that?', 'when was Xi Jinping say about trade wars?'],
  [['How high are the US tariffs on Vietnam?'], 'when do they start?', 'when do US tariffs on Vietnam start?'],
  [['How high are the US tariffs on Vietnam?'], 'and China?', 'How high are the US tariffs on China?'],
  [['How high are the US tariffs on Vietnam?'], 'what about Beijing?', 'How high are the US tariffs on Beijing?'],
  [['What did Li Qiang agree on in Dalian?'], 'what did he say about it?', 'what did Li Qiang say about agree on in Dalian?'],
  [['Which rail line connect Lao Cai to Haiphong?'], 'who pays for it?', 'who pays for rail line connect Lao Cai to Haiphong?'],
  [['Which rail line connect Lao Cai to Haiphong?'], 'when?', 'when rail line connect Lao Cai to Haiphong?'],
  [['Which rail line connect Lao Cai to Haiphong?'], 'which year exactly?', 'which year exactly rail line connect Lao Cai to Haiphong?'],
  [['Where did Xi publish an article?'], 'what did it say?', 'what did Xi publish an article say?'],
  [['What did Xi say in Hanoi?'], 'and in Dalian?', 'What did Xi say in Dalian?'],
  [
    ['How many agreements did Vietnam sign with China?', 'When did Xi visit Hanoi?'],
    'how long did he stay there?',
    'how long did Xi stay in Hanoi?',
  ],
  [['Which railway is being upgraded?'], 'and the ports?', 'Which railway is being upgraded, the ports?'],
  [['What did Xi call for?'], 'why did he say that?', 'why did Xi say call for?'],
  [['What did Xi say about trade wars?'], 'when did he say that?', 'when did Xi say about trade wars?'],
  [['What did Xi say about trade wars?'], 'and about the South China Sea?', 'What did Xi say about the South China Sea?'],
  [['Where did Vietnam and China fight a war in 1974?'], 'and in 1988?', 'Where did Vietnam and China fight a war in 1988?'],
  [['What agreements did Xi sign in Hanoi?'], 'when was that?', 'when was agreements Xi sign in Hanoi?'],
  [['When did Xi visit Hanoi?'], 'what did he write about Vietnam before the visit?', 'what did Xi write about Vietnam before the visit?'],
  [['Who pays for the rail line to Haiphong?'], 'when?', 'when rail line to Haiphong?'],
];

const standAlone: [earlier: string[], question: string][] = [
  [['When did Xi visit Hanoi?'], 'How high are the US tariffs on Vietnam?'],
  [['When did Xi visit Hanoi?'], 'What did Li Qiang discuss in Dalian?'],
  [['When did Xi visit Hanoi?'], 'Which railway projects are planned between the two countries and who funds them?'],
  [['How high are the US tariffs on Vietnam?'], 'What is the project that the railway loans will fund in the northern region?'],
  [['How high are the US tariffs on Vietnam?'], 'When did China and Vietnam fight a war?'],
  [
    ['How high are the US tariffs on Vietnam?'],
    'Is there a dispute over the Paracel Islands?'.replace('Paracel Islands', 'South China Sea'),
  ],
  [[], 'when was that?'],
  [['When did Xi visit Hanoi?'], 'What did Li Qiang say when he met Chinh?'],
  [['When did Xi visit Hanoi?'], 'What rare earths are mined in the border region near the planned new railway?'],
];

describe('resolveFollowUp', () => {
  it.each(followUps)('after %j reads %j as %j', (earlier, followUp, readAs) => {
    expect(resolveFollowUp(followUp, earlier, context)).toEqual({ text: readAs, rewritten: true });
  });

  it.each(standAlone)('after %j leaves %j as asked', (earlier, question) => {
    expect(resolveFollowUp(question, earlier, context)).toEqual({ text: question, rewritten: false });
  });

  it('carries over from the latest earlier question with words, and a resolved one chains', () => {
    const first = resolveFollowUp('and China?', ['How high are the US tariffs on Vietnam?', '??'], context);
    expect(first.text).toBe('How high are the US tariffs on China?');
    expect(resolveFollowUp('when do they start?', ['How high are the US tariffs on Vietnam?', first.text], context).text).toBe(
      'when do US tariffs on China start?',
    );
  });
});
