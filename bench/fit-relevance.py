#!/usr/bin/env python3
"""Fits the abstention floors with the cross-encoder, leave one corpus out.

Reads `eval --explain` reports made with ANSWER_MIN_SCORE=0 and ANSWER_MIN_RELEVANCE=0 (nothing abstains
on evidence or relevance, so every question's first quote is judged): bench/eval-sets.sh with
EVAL_EXPLAIN=1 EVAL_OUT=DIR. A question is answered when its evidence reaches the evidence floor and the
cross-encoder's relevance of its two best sentences reaches the relevance floor; both floors are fitted on
all corpora but one and scored on the one left out, maximising right first quotes plus abstentions.
Usage: python3 bench/fit-relevance.py DIR… [--hold NAME…]   (NAME: a corpus never used for fitting, only scored)

The news articles as web pages and as PDFs (news-html, news-pdf) are always only scored: they are the
news sets' own questions on the same articles, so fitting on them would count the news three times
against one each for Markdown, web pages and PDFs (with them, the fit followed the news alone).
"""
import importlib.util, pathlib, sys

spec = importlib.util.spec_from_file_location('fit_evidence', pathlib.Path(__file__).with_name('fit-evidence.py'))
fit = importlib.util.module_from_spec(spec)
spec.loader.exec_module(fit)

def score(rows, relevance_floor, evidence_floor):
    answered = lambda r: r['open'] and r['relevance'] >= relevance_floor and r['evidence'] >= evidence_floor
    a = [r for r in rows if r['answerable']]; u = [r for r in rows if not r['answerable']]
    right = sum(1 for r in a if answered(r) and r['holds'])
    quoting = sum(1 for r in rows if answered(r))
    return dict(first=right / max(1, len(a)), answered=sum(map(answered, a)) / max(1, len(a)),
                abstained=sum(1 for r in u if not answered(r)) / max(1, len(u)), precision=right / max(1, quoting))

RELEVANCE_FLOORS = [round(0.05 * i, 2) for i in range(20)] + [0.97, 0.98, 0.99]
EVIDENCE_FLOORS = [0, 0.3, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.69]
GRID = [(r, e) for r in RELEVANCE_FLOORS for e in EVIDENCE_FLOORS]

def best_on(corpora, names):
    # Ties go to the lower floors (answer more).
    return max(GRID, key=lambda c: (sum(fit.objective(score(corpora[n], *c)) for n in names), -c[0], -c[1]))

args = sys.argv[1:]
FORMAT_CHECKS = {'news-html', 'news-pdf'}
held_out = FORMAT_CHECKS | (set(args[args.index('--hold') + 1:]) if '--hold' in args else set())
corpora = fit.corpora_of(args[:args.index('--hold')] if '--hold' in args else args)
fitting = [name for name in corpora if name not in held_out]
print('open (no floor):')
for name, rows in corpora.items():
    print(f'  {name:12} {len(rows):4} {fit.fmt(score(rows, 0, 0))}')
print('leave one corpus out (relevance floor, evidence floor):')
for held in fitting:
    floors = best_on(corpora, [name for name in fitting if name != held])
    print(f'  {held:12} {floors}: {fit.fmt(score(corpora[held], *floors))}')
floors = best_on(corpora, fitting)
print(f'fitted on every fitting corpus: {floors}')
for name, rows in corpora.items():
    print(f'  {name:12} {fit.fmt(score(rows, *floors))}{"  (held out)" if name in held_out else ""}')
