#!/usr/bin/env python3
"""Size and coupling of src/, for before/after comparisons of a redesign.

    tools/arch_metrics.py [--repo DIR] [--rev REV]

Prints the ten largest files and functions in src/ (lines), and the include
edges that cross from one top-level folder of src/ to another (common/ is
shared by design and counted apart). With --rev, reads that commit through
`git show` instead of the working tree. Functions are found by shape: a
definition starts at column 0 with a '(' and ends at the first '}' in
column 0; lambdas count towards the function that holds them.
"""
import argparse
import collections
import re
import subprocess


def files(repo, rev):
    if rev:
        out = subprocess.run(["git", "-C", repo, "ls-tree", "-r", "--name-only", rev, "src"],
                             capture_output=True, text=True, check=True).stdout.split()
    else:
        out = subprocess.run(["git", "-C", repo, "ls-files", "src"], capture_output=True, text=True,
                             check=True).stdout.split()
    return [f for f in out if f.endswith((".cc", ".h"))]


def read(repo, rev, path):
    if rev:
        return subprocess.run(["git", "-C", repo, "show", f"{rev}:{path}"], capture_output=True, text=True,
                              check=True).stdout
    with open(f"{repo}/{path}", encoding="utf-8", errors="replace") as f:
        return f.read()


START = re.compile(r"^[A-Za-z_][^;#]*\(")


def functions(path, text):
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if START.match(line) and not line.startswith(("namespace", "class ", "struct ", "enum ", "template", "using ")):
            # the body opens on this line or within the next few (wrapped parameters)
            for j in range(i, min(i + 6, len(lines))):
                if lines[j].rstrip().endswith("{"):
                    break
                if lines[j].rstrip().endswith(";"):
                    j = None
                    break
            else:
                j = None
            if j is not None:
                k = j + 1
                while k < len(lines) and lines[k] != "}" and not lines[k].startswith("};"):
                    k += 1
                name = re.sub(r"\s+", " ", line.split("(")[0]).split(" ")[-1]
                yield (k - i + 1, f"{path}:{i + 1} {name}")
                i = k
        i += 1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repo", default=".")
    ap.add_argument("--rev")
    a = ap.parse_args()
    sizes, funcs = [], []
    edges = collections.Counter()
    for f in files(a.repo, a.rev):
        text = read(a.repo, a.rev, f)
        sizes.append((text.count("\n"), f))
        if f.endswith(".cc"):
            funcs.extend(functions(f, text))
        stage = f.split("/")[1]
        for inc in re.findall(r'^#include "([a-z_]+)/', text, re.M):
            if inc != stage:
                edges[(stage, inc)] += 1
    print("largest files (lines):")
    for n, f in sorted(sizes, reverse=True)[:10]:
        print(f"  {n:5d}  {f}")
    print("largest functions (lines):")
    for n, f in sorted(funcs, reverse=True)[:10]:
        print(f"  {n:5d}  {f}")
    cross = {e: n for e, n in edges.items() if e[1] != "common"}
    print(f"include edges between folders of src/ (common/ apart): {len(cross)} edges, {sum(cross.values())} includes")
    for (s, t), n in sorted(cross.items()):
        print(f"  {s} -> {t} ({n})")
    common = sorted(s for (s, t) in edges if t == "common")
    print(f"folders that include common/: {', '.join(common) if common else 'none'}")


if __name__ == "__main__":
    main()
