"""The mutation score of the last ``mutmut run`` (``make mutate``), and what survived.

    python -m tests.mutation_report [build/mutants.txt]

Reads mutmut's results (``mutmut results --all true``), prints per module how many mutants
the fast tests killed, how many survived and how many no fast test reaches, and writes the
whole list to the file. A survivor that ``tests/mutants_explained.md`` names (by mutant, or by
function with ``*``) is explained there; the others are listed as still to do.
"""

import fnmatch
import re
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXPLAINED = ROOT / "tests" / "mutants_explained.md"
EXPLAINED_MORE = ROOT / "tests" / "mutants_explained"  # one file per area: *.md
KILLED = {"killed", "timeout"}  # a mutant that makes the tests hang is caught too
RESULT = re.compile(r"^\s*(?P<name>[\w.ǁ]+__mutmut_\d+): (?P<status>.+?)\s*$")


def results() -> dict[str, str]:
    """Mutant name → mutmut's status (killed, survived, no tests, timeout, not checked…)."""
    out = subprocess.run(
        [Path(sys.executable).parent / "mutmut", "results", "--all", "true"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return {m["name"]: m["status"] for line in out.splitlines() if (m := RESULT.match(line))}


def explained_patterns() -> list[str]:
    """The mutant names (or patterns) named in backquotes by ``tests/mutants_explained.md`` and
    the files of ``tests/mutants_explained/``."""
    files = [EXPLAINED, *sorted(EXPLAINED_MORE.glob("*.md"))]
    text = "\n".join(f.read_text("utf-8") for f in files if f.exists())
    return re.findall(r"`([^`\s]+__mutmut_[^`\s]+)`", text)


def module_of(name: str) -> str:
    return name.split(".x")[0]


def function_of(name: str) -> str:
    return name.rsplit("__mutmut_", 1)[0]


def score(counts: Counter) -> tuple[float, float]:
    """(killed of those the fast tests reach, killed of all) in percent."""
    killed = sum(counts[s] for s in KILLED)
    reached = killed + counts["survived"]
    total = reached + counts["no tests"]
    return (100 * killed / reached if reached else 0.0, 100 * killed / total if total else 0.0)


def report(status: dict[str, str]) -> str:
    patterns = explained_patterns()
    by_module: dict[str, Counter] = defaultdict(Counter)
    for name, state in status.items():
        by_module[module_of(name)][state] += 1
    lines = [
        f"{'module':32} {'killed':>7} {'survived':>8} {'no tests':>8} {'unrun':>6}"
        f" {'score':>6} {'of all':>6}"
    ]
    total: Counter = Counter()
    for module in sorted(by_module):
        counts = by_module[module]
        total.update(counts)
        reached, overall = score(counts)
        unrun = sum(n for s, n in counts.items() if s not in KILLED | {"survived", "no tests"})
        lines.append(
            f"{module:32} {sum(counts[s] for s in KILLED):7} {counts['survived']:8}"
            f" {counts['no tests']:8} {unrun:6} {reached:5.1f}% {overall:5.1f}%"
        )
    reached, overall = score(total)
    others = [f"{s} {n}" for s, n in total.items() if s not in KILLED | {"survived", "no tests"}]
    lines.append(
        f"\nmutation score: {reached:.1f}% of the {sum(total[s] for s in KILLED)}"
        f" + {total['survived']} mutants the fast tests reach ({overall:.1f}% counting the"
        f" {total['no tests']} no fast test reaches); other states: {', '.join(others) or 'none'}"
    )
    survivors = sorted(n for n, s in status.items() if s == "survived")
    unexplained = [n for n in survivors if not any(fnmatch.fnmatch(n, p) for p in patterns)]
    lines.append(
        f"\nsurvivors: {len(survivors)}, explained in {EXPLAINED.name} or {EXPLAINED_MORE.name}/: "
        f"{len(survivors) - len(unexplained)}, not yet: {len(unexplained)}"
    )
    lines += [f"  {name}" for name in unexplained]
    stale = stale_explanations(patterns, status)
    lines.append(f"\nexplained but not surviving (killed now, or no longer made): {len(stale)}")
    lines += [f"  {pattern}" for pattern in stale]
    untested = Counter(function_of(n) for n, s in status.items() if s == "no tests")
    lines.append(f"\nfunctions no fast test reaches ({len(untested)}; mutants each):")
    lines += [f"  {function} ({count})" for function, count in sorted(untested.items())]
    return "\n".join(lines) + "\n"


def stale_explanations(patterns: list[str], status: dict[str, str]) -> list[str]:
    """Explanations to delete: every mutant they name was killed, or is no longer made (its
    code changed). A mutant not run yet keeps its explanation."""
    stale = []
    for pattern in patterns:
        named = [s for n, s in status.items() if fnmatch.fnmatch(n, pattern)]
        if all(s in KILLED for s in named):
            stale.append(pattern)
    return sorted(set(stale))


def main() -> None:
    text = report(results())
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "build" / "mutants.txt"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    head, _, _ = text.partition("\nfunctions no fast test reaches")
    print(head)
    print(f"the whole list: {out}")


if __name__ == "__main__":
    main()
