"""The report ``import_cases`` prints before it writes (and instead of writing, with --dry-run)."""

from __future__ import annotations

from collections import Counter, defaultdict

from .mapping import Mapping
from .reading import CasePlan, Reading


def render(
    mapping: Mapping,
    reading: Reading,
    *,
    todo: list[CasePlan],
    keep: dict[str, int],
    left: Counter,
    conflicts: list,
    dry_run: bool,
    max_errors: int = 50,
) -> str:
    lines = [
        f"Import from {mapping.system} ({mapping.path.name})" + (": dry run, nothing is written" if dry_run else ""),
        "",
    ]
    labels = {name: f"{name} ({source.path.name})" for name, source in mapping.files.items()}
    width = max(len(label) for label in [*labels.values(), "file"])
    lines.append(f"{'file':<{width}} {'rows read':>10} {'valid':>10}")
    for name, label in labels.items():
        lines.append(f"{label:<{width}} {reading.rows_read[name]:>10,} {reading.rows_valid[name]:>10,}")
    statuses = Counter(case.status(mapping) for case in reading.cases.values())
    new = len(todo) - len(keep)
    lines += [
        "",
        f"Cases: {len(reading.cases):,}: {new:,} new, {len(keep):,} changed since the last import, "
        f"{left['unchanged']:,} unchanged, {left['worked_on_here']:,} worked on here since (left as they are).",
        "Statuses the data implies: "
        + (", ".join(f"{status} {count:,}" for status, count in sorted(statuses.items())) or "none"),
    ]
    by_file: dict[str, list] = defaultdict(list)
    for problem in reading.problems:
        by_file[problem.file].append(problem)
    total = len(reading.problems) + len(conflicts)
    if total:
        lines += ["", f"Errors ({total:,}):"]
        for name, problems in by_file.items():
            shown = problems[:max_errors]
            for problem in shown:
                where = f"line {problem.line}" if problem.line else "file"
                lines.append(f"  {name} {where}: {problem.message}")
            if len(problems) > len(shown):
                lines.append(f"  {name}: {len(problems) - len(shown):,} more errors (--max-errors to list more)")
        for case, number in conflicts[:max_errors]:
            lines.append(
                f"  {case.file} line {case.line}: tracking number {number} is already another complaint's "
                "(change tracking_number in the mapping)"
            )
    else:
        lines += ["", "Errors: none."]
    if reading.unmapped:
        lines += [
            "",
            'Values the mapping does not map (add them to the value table, or give it a default with "*"):',
        ]
        for (table, value), count in sorted(reading.unmapped.items(), key=lambda item: (item[0][0], -item[1])):
            file, line = reading.first_seen.get((table, value), ("", 0))
            where = f" (first in {file} line {line})" if file else ""
            lines.append(f"  [values.{table}] {value!r}: {count:,} row{'s' if count != 1 else ''}{where}")
    else:
        lines += ["Unmapped values: none."]
    return "\n".join(lines) + "\n"
