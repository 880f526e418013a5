/**
 * A small `local` collection written for the scope tests: two short harbour articles, one of which
 * answers {@link DUTIES_QUESTION} too (25% duties), though the seeds answer it better (145%).
 */
export const LOCAL_ARTICLES: Readonly<Record<string, string>> = {
  'furniture.txt':
    ' date 2024-02-10 Harbour exporters hit by duties\n\n' +
    'Chinese furniture makers in the harbour district say the US duties they face rose to 25% this spring, the local chamber of commerce said.\n\n' +
    'Several workshops have cut shifts while they look for buyers in Europe.\n',
  'ferry.txt':
    ' date 2024-06-20 New ferry line opens\n\n' +
    'The new ferry line between the harbour and the island carried 3,000 passengers in its first week, the operator said.\n',
};

export const DUTIES_QUESTION = 'What US duties does Beijing face?';
