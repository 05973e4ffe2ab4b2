"""Prints "equal" when a -summary_json file's merged figures equal the stat
CSV's (-trace_stat) last row, else what differs.

Every counter with a (C) column, TotalCallCreated and CurrentCall must be
equal; RTD 1's mean within 1 ms of ResponseTime1(C) (the CSV keeps whole ms).
With --agents N the summary must also hold N agents whose SIPp counters add
up to the merged ones.
Usage: summary_vs_csv.py SUMMARY.json STAT.csv [--agents N]
"""
import json
import sys

s = json.load(open(sys.argv[1]))
rows = [line.rstrip('\n').split(';') for line in open(sys.argv[2])]
header, last = rows[0], rows[-1]
col = {name: i for i, name in enumerate(header)}
bad, compared = [], 0
merged = s['merged']
for name, value in merged['counters'].items():
    if name + '(C)' in col:
        compared += 1
        if last[col[name + '(C)']] != value:
            bad.append(f'{name}: csv {last[col[name + "(C)"]]} summary {value}')
for name, key in (('TotalCallCreated', 'total_calls_created'), ('CurrentCall', 'current_calls')):
    if last[col[name]] != merged[key]:
        bad.append(f'{name}: csv {last[col[name]]} summary {merged[key]}')
h, m, sec, us = (int(x) for x in last[col['ResponseTime1(C)']].split(':'))
csv_ms = ((h * 60 + m) * 60 + sec) * 1000 + us / 1000
if abs(csv_ms - merged['response_times'][0]['mean_ms']) > 1:
    bad.append(f'ResponseTime1(C) {csv_ms} ms vs mean {merged["response_times"][0]["mean_ms"]}')
if compared < 29:
    bad.append(f'only {compared} counters compared')
if len(sys.argv) > 4 and sys.argv[3] == '--agents':
    agents = s['agents']
    if len(agents) != int(sys.argv[4]):
        bad.append(f'{len(agents)} agents in the summary, expected {sys.argv[4]}')
    for name in ('OutgoingCall', 'SuccessfulCall', 'FailedCall', 'Retransmissions'):
        total = sum(int(a['stats']['counters'][name]) for a in agents)
        if total != int(merged['counters'][name]):
            bad.append(f'agents\' {name} add up to {total}, merged {merged["counters"][name]}')
    count = sum(int(a['stats']['response_times'][0]['count']) for a in agents)
    if count != int(merged['response_times'][0]['count']):
        bad.append(f'agents\' RTD 1 samples add up to {count}, merged '
                   f'{merged["response_times"][0]["count"]}')
print('; '.join(bad) or 'equal')
