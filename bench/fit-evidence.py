#!/usr/bin/env python3
"""Fits the evidence's weights and floor across corpora, leave one corpus out.

Reads `eval --explain` reports made with ANSWER_MIN_SCORE=0 (nothing abstains on evidence, so every
question's first quote is judged): bench/eval-sets.sh with EVAL_EXPLAIN=1 EVAL_OUT=DIR. Each report
lists the three best sentences with their features; the evidence is recomputed from them for each
candidate weighting (predicate, topic, cosine, missing-cue penalty), the floor fitted on all corpora
but one, and scored on the one held out. Questions abstained by the cosine floor stay abstained.
Usage: python3 bench/fit-evidence.py DIR [--hold NAME…]   (NAME: a corpus never used for fitting, only scored)
"""
import collections, itertools, pathlib, re, sys

SENTENCE = re.compile(r'cos ([\d.-]+), passage [\d.]+, cue (y|MISSING|-), focus [\d.]+, predicate ([\d.]+), topic ([\d.]+)(?:, relevance ([\d.]+))?\)')

def parse(path):
    out = []
    for block in re.split(r'\n(?=\[)', pathlib.Path(path).read_text()):
        head = re.match(r'\[([^\]]+)\] (.*)', block)
        verdict = re.search(r'\n  (expects .*|unanswerable .*); evidence ([\d.]+)', block)
        if not head or not verdict: continue
        line = verdict.group(1)
        answerable = line.startswith('expects')
        answered = ('ABSTAINED' not in line) if answerable else ('ANSWERED' in line)
        found = SENTENCE.findall(block.split('  sentences:')[-1])
        sentences = [(float(c), cue, float(p), float(t)) for c, cue, p, t, _ in found]
        # The cross-encoder's relevance of the two best sentences, as the engine reads it (none: 1).
        relevance = max([float(r) for *_, r in found[:2] if r] or [1.0])
        out.append(dict(id=head.group(1), answerable=answerable, open=answered, sentences=sentences,
                        evidence=float(verdict.group(2)), relevance=relevance,
                        holds=answerable and 'first quote holds it' in line))
    return out

def evidence(row, weights):
    predicate_w, topic_w, dense_w, penalty = weights
    # As the engine: the best of the two best-ranked sentences carries the evidence (QUOTING.evidenceSentences, src/answer/settings.ts).
    return max((predicate_w * p + topic_w * t + dense_w * max(0.0, c)) * (penalty if cue == 'MISSING' else 1)
               for c, cue, p, t in row["sentences"][:2]) if row["sentences"] else 0.0

def score(rows, weights, floor):
    answered = lambda r: r['open'] and evidence(r, weights) >= floor
    a = [r for r in rows if r['answerable']]; u = [r for r in rows if not r['answerable']]
    right = sum(1 for r in a if answered(r) and r['holds'])
    quoting = sum(1 for r in rows if answered(r))
    return dict(first=right / max(1, len(a)), answered=sum(map(answered, a)) / max(1, len(a)),
                abstained=sum(1 for r in u if not answered(r)) / max(1, len(u)), precision=right / max(1, quoting))

def objective(s):  # right first quotes and abstentions weigh alike
    return (s['first'] + s['abstained']) / 2

def corpus_of(stem):
    if re.match(r'news-(html|pdf)', stem): return re.sub(r'-[a-z]$', '', stem)
    return 'news' if stem.startswith('news-') else stem

def fmt(s):
    return ' '.join(f"{k} {100 * v:5.1f}%" for k, v in s.items())

def corpora_of(folders):
    corpora = collections.defaultdict(list)
    for folder in folders:
        for path in sorted(pathlib.Path(folder).glob('*.out')):
            corpora[corpus_of(path.stem)].extend(parse(path))
    return corpora

def main():  # run as a script; bench/fit-relevance.py reuses the reading above
    args = sys.argv[1:]
    held_out = set(args[args.index('--hold') + 1:]) if '--hold' in args else set()
    folders = args[:args.index('--hold')] if '--hold' in args else args
    corpora = corpora_of(folders)
    fitting = {name: rows for name, rows in corpora.items() if name not in held_out}

    WEIGHTS = list(itertools.product([0.3, 0.5, 0.8], [0, 0.2, 0.4, 0.6, 0.8, 1.0], [1.0], [0.5, 0.7, 1.0]))
    FLOORS = [round(0.4 + 0.01 * i, 2) for i in range(121)]

    def best_on(names):
        def total(choice):
            return sum(objective(score(fitting[name], *choice)) for name in names)
        return max(((w, f) for w in WEIGHTS for f in FLOORS), key=lambda choice: (total(choice), -choice[1]))

    current = ((0.5, 0.2, 1.0, 0.5), 0.69)
    print(f'current weights {current[0]} floor {current[1]}')
    for name, rows in corpora.items():
        print(f'  {name:12} {len(rows):4} {fmt(score(rows, *current))}')
    print('leave one corpus out (weights predicate, topic, dense, missing-cue penalty; floor):')
    for held in fitting:
        weights, floor = best_on([name for name in fitting if name != held])
        print(f'  {held:12} {weights} {floor:.2f}: {fmt(score(fitting[held], weights, floor))}')
    weights, floor = best_on(list(fitting))
    print(f'fitted on every fitting corpus: {weights} {floor:.2f}')
    for name, rows in corpora.items():
        print(f'  {name:12} {fmt(score(rows, weights, floor))}{"  (held out)" if name in held_out else ""}')


if __name__ == '__main__':
    main()
