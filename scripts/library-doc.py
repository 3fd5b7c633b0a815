#!/usr/bin/env python3
"""Writes docs/scenario-library.md from the scenario files: the coverage
matrix (channel x style, channel x difficulty, special needs) and one row
per scenario with its personas, objectives, traps and endings."""
import pathlib
ROOT = pathlib.Path(__file__).resolve().parent.parent
import re, glob, os, sys
rows=[]
for f in sorted(glob.glob(str(ROOT/'scenarios'/'*.ron'))):
    s=open(f).read()
    sid=re.search(r'^\s*id: "([^"]+)"', s, re.M).group(1)
    t=re.search(r'title: \(zh: "([^"]*)", en: "([^"]*)"\)', s)
    ch=re.search(r'channel: (\w+)', s).group(1)
    diff=re.search(r'difficulty: (\w+)', s).group(1)
    cit=s[s.index('citizen: ('):]
    d=re.search(r'disc: \(primary: (\w)(?:, secondary: (?:Some\()?(\w)\)?)?\)', cit)
    main=d.group(1)+('/'+d.group(2) if d.group(2) else '')
    pers=[]
    if 'personas:' in cit[:cit.index('start:') if 'start:' in cit else 5000]:
        block=cit[cit.index('personas:'):]
        block=block[:block.index('\n    ),') if '\n    ),' in block else 4000]
        for m in re.finditer(r'id: "([^"]+)".*?disc: \(primary: (\w)(?:, secondary: (?:Some\()?(\w)\)?)?\)', block, re.S):
            pers.append(m.group(1)+' '+m.group(2)+('/'+m.group(3) if m.group(3) else ''))
    needs=re.search(r'needs: \[([^\]]*)\]', cit)
    needs=needs.group(1).strip() if needs else ''
    obj=re.search(r'objectives: \[(.*?)\n    \],', s, re.S)
    objs=re.findall(r'zh: "([^"]*)"', obj.group(1)) if obj else []
    flags=re.findall(r'red_flag: (?:Some\()?(\w+)', s)
    from collections import Counter
    fl=Counter(flags)
    outs=Counter(re.findall(r'outcome: ([A-Z][A-Za-z]+),', s))
    rows.append((sid,t.group(1),t.group(2),ch,diff,main,pers,needs,objs,fl,outs))
def chname(c): return '窗口 counter' if c=='Counter' else '12345 热线 hotline'
out=[]
out.append('| Situation | File | Channel | Styles (personas) | Difficulty | Needs | Objectives | Traps (red flags) | Endings |')
out.append('|---|---|---|---|---|---|---|---|---|')
for r in rows:
    sid,zh,en,ch,diff,main,pers,needs,objs,fl,outs=r
    styles='main '+main+''.join('<br>'+p for p in pers)
    traps=', '.join(f'{k}×{v}' if v>1 else k for k,v in sorted(fl.items()))
    ends=', '.join(f'{k}×{v}' if v>1 else k for k,v in sorted(outs.items()))
    out.append(f'| {zh}<br>{en} | `{sid}.ron` | {chname(ch)} | {styles} | {diff} | {needs or "—"} | {"；".join(objs)} | {traps} | {ends} |')
# coverage matrix
from collections import defaultdict
cov=defaultdict(list)
for r in rows:
    styles=[r[5][0]]+[p.split(' ')[1][0] for p in r[6]]
    for st in sorted(set(styles)):
        cov[(r[3],st)].append(r[0])
mat=['| Channel \\ primary style | D | I | S | C |','|---|---|---|---|---|']
for ch in ['Counter','Hotline']:
    mat.append(f'| {chname(ch)} | '+' | '.join(str(len(cov[(ch,st)])) for st in 'DISC')+' |')
diffm=['| Channel \\ difficulty | Introductory | Intermediate | Advanced |','|---|---|---|---|']
for ch in ['Counter','Hotline']:
    diffm.append(f'| {chname(ch)} | '+' | '.join(str(sum(1 for r in rows if r[3]==ch and r[4]==d)) for d in ['Introductory','Intermediate','Advanced'])+' |')
needm=defaultdict(list)
for r in rows:
    for n in [x.strip() for x in r[7].split(',') if x.strip()]:
        needm[n].append(r[0])
needs_lines=[f'- **{n}**: '+', '.join(f'`{x}`' for x in v) for n,v in sorted(needm.items())]
TABLE='\n'.join(out)
MATRIX=('\n'.join(mat)+'\n\n'+'\n'.join(diffm)+'\n\nSpecial needs:\n\n'+'\n'.join(needs_lines))

table=TABLE
mat=MATRIX
n=len(rows)
doc=f"""# Scenario library

{n} bundled scenarios, Chinese first with English alongside, for the 12345
hotline and the service window. Every one passes `counterpart validate
--strict`, training-validity checks included, and the content checks run
with every build for **every persona**: best route ≥ 90 that passes (the
citizen rates it 满意 or 基本满意) with every dimension ≥ 80, worst route
below 40, 6–15 trainee turns, at least three options a turn, wording
variants, a red-flag trap, and a reachable hang-up, walk-out or formal
complaint that fails.

Most scenarios have two personas: the same citizen played in two DISC
blends, often with another starting mood. The seed picks one per attempt,
and the best route differs between them (the same substance, said the way
each style needs it). Protocol cases (gas, a person at risk, public
opinion) have best routes that end in a warm, explained handover
(Escalated), not in "resolved".

Local rules (time limits, numbers, hours) are said as 按本市规定 ("under this
city's rules") and come from one city profile, `scenarios/city/profile.ron`:
a centre replaces the figures there with its own city's and the checker
names every scenario still saying the old ones (docs/city-profile.md).

## Coverage

Scenarios per channel and primary style (a scenario counts once for each
style its personas have):

{mat}

## The scenarios

Styles are primary/secondary; the first persona is `main`. Traps are the
red-flag options (ForbiddenPhrase 服务禁语, PushingAway 推诿, OverPromise
超出权限的承诺, DataLeak 泄露个人信息); each scenario also has plausible
distractors of the same length and courtesy that are wrong in substance.

{table}

Regenerate this page when a scenario is added or changed
with `python3 scripts/library-doc.py`: it reads the scenario files.
"""
open(ROOT/'docs'/'scenario-library.md','w').write(doc)
print(n)
