#!/usr/bin/env python3
"""Names each test ctest skipped, with the reason its output gave.

Usage: list_skipped.py CTEST_STDOUT LASTTEST_LOG

ctest lists skipped tests under "The following tests did not run:" but
prints no reason; the reason is in each test's output in LastTest.log: a
shell test's "SKIP: ..." line, or the line after GoogleTest's "...: Skipped".
"""
import re
import sys


def skipped_names(ctest_out):
    names, listing = [], False
    ctest_out = re.sub(r"\x1b\[[0-9;]*m", "", ctest_out)  # colour, if forced
    for line in ctest_out.splitlines():
        if line.startswith("The following tests did not run:"):
            listing = True
        elif listing:
            match = re.match(r"\s*\d+ - (.+) \((Skipped|Disabled|Not Run)\)\s*$", line)
            if not match:
                break
            names.append(match.group(1))
    return names


def outputs(last_test_log):
    found = {}
    pattern = re.compile(r'^\d+/\d+ Test: (.+?)\n.*?^Output:\n-+\n(.*?)^<end of output>',
                         re.M | re.S)
    for match in pattern.finditer(last_test_log):
        found[match.group(1)] = match.group(2).splitlines()
    return found


def reason(lines):
    for i, line in enumerate(lines):
        if line.startswith("SKIP:"):
            return line[len("SKIP:"):].strip()
        if line.rstrip().endswith(": Skipped") and i + 1 < len(lines):
            return lines[i + 1].strip()
    rest = [line for line in lines if line.strip()]
    return rest[-1].strip() if rest else "(no output)"


def main():
    with open(sys.argv[1], errors="replace") as f:
        names = skipped_names(f.read())
    with open(sys.argv[2], errors="replace") as f:
        found = outputs(f.read())
    for name in names:
        print(f"skipped: {name}: {reason(found.get(name, []))}")
    print(f"test: {len(names)} skipped")


if __name__ == "__main__":
    main()
