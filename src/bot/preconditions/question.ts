import { checkQuestion, exampleFor } from '../question.js';
import { type Precondition, refused } from './precondition.js';

/** The input must be a question in words ({@link checkQuestion}); the command receives it cleaned. */
export interface QuestionNeed {
  /** The slash command option that holds the question; a message command checks the target message's text. */
  readonly option?: string;
  /** Input longer than MAX_QUESTION_CHARS is refused, or shortened with 'shorten'. */
  readonly longInput?: 'refuse' | 'shorten';
  /** Said instead of checkQuestion's reason, which is about typing a question. */
  readonly refusal?: string;
}

export const isQuestion: Precondition<'question', { readonly question?: QuestionNeed }> = {
  name: 'question',
  run({ question: need }, asked, context) {
    // The question a command gets is '' when it declared none.
    if (need === undefined) return { ok: true, question: '' };
    const checked = checkQuestion(asked.text, { example: exampleFor(context.engine), longInput: need.longInput ?? 'refuse' });
    return checked.ok ? { ok: true, question: checked.question } : refused(need.refusal ?? checked.reason);
  },
};
