#!/usr/bin/env python3
"""Fits the abstention floors (evidence, and the best sentence's cosine) across corpora, leave one corpus out.

Reads `npm run eval -- --explain` reports (bench/eval-sets.sh with EVAL_EXPLAIN=1 EVAL_OUT=DIR keeps
one per set) and, for each corpus held out in turn, picks the floors that do best on the other
corpora, then scores them on the held-out one. Raising a floor only turns answers into abstentions,
so every figure is exact from the reports: a question answered under the current floors stays
answered (with the same first quote) unless it falls under the new ones.
Usage: python3 bench/fit-abstention.py DIR [DIR…]   (set files named <corpus>[-<set>].out)
"""
import re, sys, itertools, collections, pathlib

def parse(path):
    text = pathlib.Path(path).read_text()
    out = []
    for block in re.split(r'\n(?=\[)', text):
        head = re.match(r'\[([^\]]+)\]', block)
        verdict = re.search(r'\n  (expects .*|unanswerable .*); evidence ([\d.]+)', block)
        if not head or not verdict: continue
        cos = re.search(r'  sentences:\n\s+[\d.]+ \(.*?cos ([\d.]+)', block)
        line = verdict.group(1)
        answerable = line.startswith('expects')
        answered = ('ABSTAINED' not in line) if answerable else ('ANSWERED' in line)
        holds = answerable and 'first quote holds it' in line
        out.append(dict(id=head.group(1), answerable=answerable, answered=answered, holds=holds,
                        evidence=float(verdict.group(2)), cos=float(cos.group(1)) if cos else 0.0))
    return out

def score(rows, floor_evidence, floor_cos):
    a = [r for r in rows if r['answerable']]; u = [r for r in rows if not r['answerable']]
    keep = lambda r: r['answered'] and r['evidence'] >= floor_evidence and r['cos'] >= floor_cos
    right = sum(1 for r in a if keep(r) and r['holds'])
    quoting = sum(1 for r in rows if keep(r))
    return dict(first=right / max(1, len(a)), answered=sum(1 for r in a if keep(r)) / max(1, len(a)),
                abstained=sum(1 for r in u if not keep(r)) / max(1, len(u)), precision=right / max(1, quoting))

def objective(s):  # balanced: right first quotes and abstentions weigh alike
    return (s['first'] + s['abstained']) / 2

corpora = collections.defaultdict(list)
for folder in sys.argv[1:]:
    for path in sorted(pathlib.Path(folder).glob('*.out')):
        corpus = re.sub(r'-[a-z]$', '', path.stem)  # news-a … news-g: one corpus
        corpus = 'news' if corpus.startswith('news-') and not re.match(r'news-(html|pdf)', corpus) else corpus
        corpus = re.sub(r'-[a-z]$', '', corpus)
        corpora[corpus].extend(parse(path))
evidences = sorted({round(r['evidence'], 2) for rows in corpora.values() for r in rows})
grid_e = [0] + [e for e in evidences if e <= 1.2]
grid_c = [0, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4]
fmt = lambda s: ' '.join(f"{k} {100 * v:5.1f}%" for k, v in s.items())
print('corpus        questions  current floors                                        | held-out floors (evidence, cos) and result')
for held in corpora:
    others = [r for name, rows in corpora.items() if name != held for r in rows]
    best = max(itertools.product(grid_e, grid_c), key=lambda f: (sum(objective(score(rows, *f)) for name, rows in corpora.items() if name != held), -f[0] - f[1]))
    print(f"{held:12} {len(corpora[held]):4}   {fmt(score(corpora[held], 0, 0))} | {best[0]:.2f} {best[1]:.2f}: {fmt(score(corpora[held], *best))}")
allrows = [name for name in corpora]
best = max(itertools.product(grid_e, grid_c), key=lambda f: (sum(objective(score(rows, *f)) for rows in corpora.values()), -f[0] - f[1]))
print(f"fitted on every corpus: evidence {best[0]:.2f}, cos {best[1]:.2f}")
