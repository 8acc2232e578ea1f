"""Targets and the Markdown summary of one run's results."""

from typing import Any

PAGE_RATIO = 2.0
INTAKE_PER_SECOND = 20.0
SUBMIT_P95_MS = 1000.0
STATUS_P50_MS = 20.0
PUBLIC_P50_MS = 300.0
EXPORT_ROWS_PER_SECOND = 100_000
EXPORT_PEAK_MB = 200.0
ANNUAL_REPORT_SECONDS = 10.0
SEED_1M_SECONDS = 300.0
SEED_TARGET_SCALE = 1_000_000


def _ms(value: Any) -> str:
    if value is None:
        return "–"
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


def _met(ok: bool | None) -> str:
    return {True: "met", False: "NOT met", None: "not checked"}[ok]


def applicable_pages(results: dict) -> list[dict]:
    return [p for p in results.get("pages", {}).get("pages", []) if p.get("applies")]


def query_drift(results: dict) -> list[dict]:
    """Pages whose queries per request differ between this run and the reference database.

    ``depends_on_n`` is False only for a case tab showing a different number of rows at the two
    sizes: the two cases differ, so the comparison says nothing about N.
    """
    ref = results.get("reference")
    if not ref or not ref.get("pages"):
        return []
    theirs = {(p["login"], _page_kind(p["page"])): p for p in ref["pages"] if p.get("applies")}
    ours_cases = (results.get("pages") or {}).get("cases") or {}
    their_cases = ref.get("cases") or {}
    drift = []
    for page in applicable_pages(results):
        other = theirs.get((page["login"], _page_kind(page["page"])))
        if other is None or other["queries"] == page["queries"]:
            continue
        is_tab = page["page"].startswith("case ") and not page["page"].startswith("case list")
        statuses = (_case_status(ours_cases, page["login"]), _case_status(their_cases, page["login"]))
        alike = page.get("rows") == other.get("rows") and statuses[0] == statuses[1]
        drift.append(
            {
                "page": page["page"],
                "login": page["login"],
                "queries": page["queries"],
                "reference": other["queries"],
                "rows": page.get("rows"),
                "reference_rows": other.get("rows"),
                "statuses": statuses,
                "depends_on_n": not is_tab or alike,
            }
        )
    return drift


def _case_status(cases: dict, login: str) -> str | None:
    case = cases.get(login)
    return case.get("status") if isinstance(case, dict) else None


def _page_kind(name: str) -> str:
    # "case list, page 40" and "case list, page 500" are the same page at two sizes.
    return "case list, deep page" if name.startswith("case list, page") else name


def targets(results: dict) -> list[dict]:
    rows = []
    pages = applicable_pages(results)
    with_floor = [p for p in pages if p.get("ratio") is not None]
    over = [p for p in with_floor if p["ratio"] > PAGE_RATIO]
    rows.append(
        {
            "target": f"every staff page median ≤ {PAGE_RATIO:g}× its floor",
            "result": f"{len(with_floor) - len(over)} of {len(with_floor)} pages within"
            + (f"; worst {max(p['ratio'] for p in with_floor):.1f}×" if with_floor else ""),
            "met": (not over) if with_floor else None,
        }
    )
    ref = results.get("reference") or {}
    if ref.get("pages"):
        drift = [d for d in query_drift(results) if d["depends_on_n"]]
        sizes = f"N={results['scale']:,} and N={ref['scale']:,}"
        rows.append(
            {
                "target": "queries per request independent of N",
                "result": f"same counts at {sizes}" if not drift else f"{len(drift)} pages differ between {sizes}",
                "met": not drift,
            }
        )
    else:
        rows.append(
            {
                "target": "queries per request independent of N",
                "result": ref.get("error", "no reference database measured"),
                "met": None,
            }
        )
    intake = (results.get("intake") or {}).get("real") or {}
    if intake.get("load"):
        load, check = intake["load"], intake.get("check", {})
        clients = results["settings"]["intake_clients"]
        rows += [
            {
                "target": f"intake ≥ {INTAKE_PER_SECOND:g} complaints/s with {clients} clients",
                "result": f"{load['complaints_per_second']:.1f}/s",
                "met": load["complaints_per_second"] >= INTAKE_PER_SECOND,
            },
            {
                "target": f"submit p95 ≤ {SUBMIT_P95_MS / 1000:g} s",
                "result": f"{_ms(load['submit_p95_ms'])} ms",
                "met": load["submit_p95_ms"] is not None and load["submit_p95_ms"] <= SUBMIT_P95_MS,
            },
            {"target": "0 lost submissions", "result": str(check.get("lost", "?")), "met": check.get("lost") == 0},
            {
                "target": "0 duplicated submissions",
                "result": str(check.get("duplicated", "?")),
                "met": check.get("duplicated") == 0,
            },
        ]
    else:
        rows.append({"target": "intake", "result": intake.get("error", "not run"), "met": None})
    status = (results.get("pages") or {}).get("status_lookup") or {}
    rows.append(
        {
            "target": f"status lookup p50 ≤ {STATUS_P50_MS:g} ms",
            "result": f"{_ms(status.get('median_ms'))} ms (server)" if status.get("median_ms") else "not measured",
            "met": (status["median_ms"] <= STATUS_P50_MS and status.get("found", False))
            if status.get("median_ms")
            else None,
        }
    )
    rows += public_targets(results)
    seed = results.get("seeding")
    target = f"seeding 1M ≤ {SEED_1M_SECONDS / 60:g} min"
    if seed and seed.get("seconds"):
        result, met = f"{seed['seconds']:.0f} s at N={results['scale']:,}", None
        if results["scale"] >= SEED_TARGET_SCALE:
            met = seed["seconds"] <= SEED_1M_SECONDS
        elif results["scale"] >= 100_000:
            # Seeding is close to linear at this size; below it start-up costs dominate.
            result += f" (≈ {seed['seconds'] * SEED_TARGET_SCALE / results['scale']:.0f} s at 1M if linear)"
        rows.append({"target": target, "result": result, "met": met})
    else:
        rows.append({"target": target, "result": "not seeded in this run", "met": None})
    for row in rows:
        row["status"] = _met(row["met"])
    return rows


def public_targets(results: dict) -> list[dict]:
    public = results.get("public") or {}
    if public.get("error"):
        return [{"target": "public side", "result": public["error"], "met": None}]
    rows = []
    pages = [p for p in (public.get("pages") or {}).get("pages", []) if p.get("median_ms") is not None]
    for name in ("dashboard", "decisions list"):
        hits = [p for p in pages if p["page"].startswith(name)]
        worst = max(hits, key=lambda p: p["median_ms"]) if hits else None
        rows.append(
            {
                "target": f"{name} median < {PUBLIC_P50_MS:g} ms (every variant)",
                "result": f"worst {worst['page']}: {_ms(worst['median_ms'])} ms" if worst else "not measured",
                "met": worst["median_ms"] < PUBLIC_P50_MS if worst else None,
            }
        )
    for export in public.get("exports") or []:
        if "rows_per_second" not in export:
            rows.append({"target": "CSV export", "result": export.get("error", "not measured"), "met": None})
            continue
        rows.append(
            {
                "target": f"/data/{export['dataset']}.csv ≥ {EXPORT_ROWS_PER_SECOND:,} rows/s, "
                f"peak < {EXPORT_PEAK_MB:g} MB",
                "result": f"{export['rows']:,} rows at {export['rows_per_second']:,}/s, peak RSS "
                f"{export['peak_rss_mb']} MB (Django loaded: {export['peak_rss_mb_before']} MB)",
                "met": export["rows_per_second"] >= EXPORT_ROWS_PER_SECOND and export["peak_rss_mb"] < EXPORT_PEAK_MB,
            }
        )
    report = public.get("annual_report") or {}
    rows.append(
        {
            "target": f"annual report builds in < {ANNUAL_REPORT_SECONDS:g} s",
            "result": f"{report['seconds']} s ({report['year']})" if "seconds" in report else report.get("error", "?"),
            "met": report["seconds"] < ANNUAL_REPORT_SECONDS if "seconds" in report else None,
        }
    )
    return rows


def public_table(results: dict) -> list[str]:
    public = results.get("public") or {}
    pages = (public.get("pages") or {}).get("pages") or []
    if not pages:
        return []
    lines = [
        "",
        f"## Public pages ({public['pages'].get('published', 0):,} published cases)",
        "",
        "| page | median ms | p95 ms | queries | status |",
        "|---|--:|--:|--:|--:|",
    ]
    for p in pages:
        lines.append(
            f"| {p['page']} | {_ms(p.get('median_ms'))} | {_ms(p.get('p95_ms'))} | {p.get('queries', '–')} "
            f"| {p.get('status')} |"
        )
    return lines


def pages_table(results: dict) -> list[str]:
    lines = [
        "| page | role | median ms | p95 ms | queries | floor median ms | ratio | ≤ 2× | floor queries |",
        "|---|---|--:|--:|--:|--:|--:|:-:|--:|",
    ]
    for p in applicable_pages(results):
        floor = p.get("floor") or {}
        ratio = p.get("ratio")
        ok = "–" if ratio is None else ("yes" if ratio <= PAGE_RATIO else "**no**")
        if floor and floor.get("status") != 200:
            ok = f"floor failed ({floor.get('error') or floor.get('status')})"
        lines.append(
            f"| {p['page']} | {p['login']} | {_ms(p.get('median_ms'))} | {_ms(p.get('p95_ms'))} | {p['queries']} "
            f"| {_ms(floor.get('median_ms'))} | {f'{ratio:.1f}×' if ratio is not None else '–'} | {ok} "
            f"| {floor.get('queries', '–')} |"
        )
    return lines


def console_table(results: dict) -> str:
    head = f"{'page':<40} {'role':<13} {'median':>8} {'p95':>8} {'queries':>7} {'floor':>8} {'ratio':>6}"
    lines = [head, "-" * len(head)]
    for p in applicable_pages(results):
        floor = p.get("floor") or {}
        ratio = p.get("ratio")
        lines.append(
            f"{p['page'][:40]:<40} {p['login']:<13} {_ms(p.get('median_ms')):>8} {_ms(p.get('p95_ms')):>8} "
            f"{p['queries']:>7} {_ms(floor.get('median_ms')):>8} {(f'{ratio:.1f}x' if ratio is not None else '-'):>6}"
        )
    return "\n".join(lines)


def markdown(results: dict) -> str:
    meta = results["machine"]
    settings = results["settings"]
    out = [
        f"# Benchmark at N = {results['scale']:,} complaints",
        "",
        f"{results['finished_at']} · commit `{results['git']['commit'][:12]}`"
        + (" (uncommitted changes)" if results["git"].get("dirty") else "")
        + f" · {meta['cores']} cores ({meta['cpu']}) · {results.get('postgres', 'PostgreSQL')}",
        "",
        f"Command: `{results['command']}`"
        + (
            f" · load average (1, 5, 15 min) {meta['load_average_at_start']} at start, "
            f"{meta.get('load_average_at_end')} at end"
            if meta.get("load_average_at_start")
            else ""
        ),
        "",
        "## Targets",
        "",
        "| target | result | |",
        "|---|---|---|",
    ]
    out += [f"| {t['target']} | {t['result']} | {t['status']} |" for t in targets(results)]
    out += [
        "",
        "## Staff pages",
        "",
        f"Server time through Django's test client (no network), DEBUG off: median and p95 of "
        f"{settings['requests']} requests after {settings['warmups']} warm-ups; queries of one request. "
        "The floor is a bare view serving the same rows from one hand-written SQL query (see Notes).",
        "",
        *pages_table(results),
        *public_table(results),
    ]
    pages = results.get("pages") or {}
    skipped = [p for p in pages.get("pages", []) if not p.get("applies")]
    if skipped:
        out += [
            "",
            "Not applicable (the page refuses the role): "
            + "; ".join(f"{p['page']} for {p['login']} ({p.get('note', p['status'])})" for p in skipped)
            + ".",
        ]
    cut = [p for p in applicable_pages(results) if p.get("cut_short")]
    if cut:
        out += [
            "",
            "Cut short by the per-page time budget: "
            + ", ".join(f"{p['page']} ({p['login']}, n={p['n']})" for p in cut)
            + ".",
        ]
    drift = query_drift(results)
    ref = results.get("reference") or {}
    if ref.get("pages"):
        line = f"Queries per request compared with a reference database of N = {ref['scale']:,}: "
        grows = [d for d in drift if d["depends_on_n"]]
        tabs = [d for d in drift if not d["depends_on_n"]]
        if grows:
            line += (
                "these pages make a different number of queries (here vs there): "
                + "; ".join(
                    f"{d['page']} ({d['login']}): {d['queries']} vs {d['reference']}"
                    + (
                        f", showing {d['rows']} vs {d['reference_rows']} rows"
                        if d["rows"] != d["reference_rows"]
                        else ""
                    )
                    for d in grows
                )
                + ". "
            )
        else:
            line += "no page's count depends on N. "
        if tabs:
            line += (
                "Case tabs whose two cases differ in rows or status (not counted): "
                + "; ".join(
                    f"{d['page']} ({d['login']}): {d['queries']} vs {d['reference']} queries, "
                    f"{d['rows']} vs {d['reference_rows']} rows"
                    + (f", {d['statuses'][0]} vs {d['statuses'][1]}" if d["statuses"][0] != d["statuses"][1] else "")
                    for d in tabs
                )
                + "."
            )
        out += ["", line.strip()]
    if pages.get("errors"):
        out += ["", "Server errors seen: " + "; ".join(f"`{e}`" for e in pages["errors"][:10])]
    intake = results.get("intake") or {}
    if intake.get("real"):
        out += [
            "",
            f"## Intake ({settings['intake_clients']} clients, {settings['intake_seconds']:g} s, "
            "gunicorn with 2 workers)",
            "",
            "| | complaints/s | submit p50 ms | submit p95 ms | whole filing p50 ms | p95 ms | confirmed "
            "| lost | duplicated | errors |",
            "|---|--:|--:|--:|--:|--:|--:|--:|--:|---|",
        ]
        for label, key in (("public form", "real"), ("floor", "floor")):
            part = intake.get(key) or {}
            load, check = part.get("load"), part.get("check", {})
            if not load:
                out.append(f"| {label} | {part.get('error', 'not run')} | | | | | | | | |")
                continue
            errors = ", ".join(f"{k} ×{v}" for k, v in load["errors"].items()) or "none"
            out.append(
                f"| {label} | {load['complaints_per_second']:.1f} | {_ms(load['submit_p50_ms'])} | "
                f"{_ms(load['submit_p95_ms'])} | {_ms(load['filing_p50_ms'])} | {_ms(load['filing_p95_ms'])} | "
                f"{load['filings_confirmed']} | {check.get('lost', '?')} | {check.get('duplicated', '?')} | {errors} |"
            )
        real = intake["real"]
        if real.get("load"):
            out += [
                "",
                "A filing is the whole public form: GET /file/, start, seven steps with one photo upload, review, "
                "send, confirmation page (each POST followed by the GET of the next page). "
                + (
                    f"Every {settings['double_submit_every']}th filing sends the final form twice at once (a double "
                    f"click); {real['load']['double_submits']} did. "
                    if settings["double_submit_every"]
                    else ""
                )
                + "The floor is a form page plus one POST storing one "
                "complaint, one party, one officer and one allegation through the ORM.",
            ]
            check = real.get("check") or {}
            if check.get("stored_without_confirmation"):
                out += [f"Stored although the client saw an error: {check['stored_without_confirmation']}."]
    status = pages.get("status_lookup") or {}
    http_status = intake.get("status_lookup_http") or {}
    out += ["", "## Status lookup", ""]
    if status.get("median_ms"):
        out += [
            "| | p50 ms | p95 ms | n |",
            "|---|--:|--:|--:|",
            f"| server (test client) | {_ms(status['median_ms'])} | {_ms(status['p95_ms'])} | {status['n']} |",
        ]
        if http_status.get("p50_ms"):
            out.append(
                f"| HTTP, one client (gunicorn) | {_ms(http_status['p50_ms'])} | {_ms(http_status['p95_ms'])} "
                f"| {http_status['n']} |"
            )
        out += [
            "",
            f"POST /status/ with {status['tracking_number']} (a decided case) and the demo code"
            + ("." if status.get("found") else "; **the lookup did not find the complaint**."),
        ]
    else:
        out.append(status.get("error", "not measured"))
    seed = results.get("seeding")
    out += ["", "## Seeding", ""]
    if seed:
        out += [
            "| | seconds | peak memory MB |",
            "|---|--:|--:|",
            f"| migrate | {results['setup']['migrate_seconds']:.1f} | |",
            f"| seed_demo --complaints {results['scale']:,} | {seed['seconds']:.1f} | "
            f"{seed['peak_rss_mb'] if seed.get('peak_rss_mb') is not None else '–'} |",
            f"| VACUUM ANALYZE | {results['setup']['vacuum_seconds']:.1f} | |",
            "",
            f"Peak memory: {seed.get('peak_rss_source', '')}.",
        ]
    else:
        out.append("Not seeded in this run (an existing bench database was measured).")
    out += ["", "## Notes", "", *[f"- {n}" for n in notes(results)], ""]
    return "\n".join(out)


def notes(results: dict) -> list[str]:
    pages = results.get("pages") or {}
    cases = pages.get("cases") or {}
    district = pages.get("district") or {}
    found = [
        "Floors: list pages (case list, intake queue) render the page's own template with the rows the page showed "
        "(same columns, same count, fetched by key with the filter form's district choices in the same query) and "
        "no total count; case tabs fetch the complaint and the tab's rows in one join and render a simple table "
        "inside the staff layout (the real tab templates need the whole case frame); dashboard, board queue and "
        "staff home fetch the cases the page links to and render a simple table. Session, user and permission "
        "reads of the shared middleware and layout count for floors too.",
        "Cases measured: "
        + ", ".join(f"{login} {c['tracking_number']} ({c['status']})" for login, c in cases.items() if c)
        + ".",
    ]
    if district:
        found.append(f"District filter: {district.get('name')} (the district with the most complaints).")
    deep = [p for p in pages.get("pages", []) if p.get("deep_page")]
    if deep:
        d = deep[0]["deep_page"]
        found.append(
            f"Deep page: page {d['wanted']} wanted, reached as a person would ({d['how']}): "
            + ", ".join(
                f"{p['login']} page {p['deep_page']['reached']}"
                + (" (its last)" if p["deep_page"]["reached"] < p["deep_page"]["wanted"] else "")
                for p in deep
            )
            + "."
        )
    found += [
        "Runs on its own database on the PostgreSQL server, created, migrated, seeded (`seed_demo`), "
        "VACUUM ANALYZEd and dropped by the run. Background tasks run in-process after commit (no broker), "
        "mail goes to a dummy backend, the cache is local memory, rate limits are raised.",
        "The intake numbers include the client threads' own work on the same machine; p95 of "
        f"{results['settings']['requests']} samples is close to the slowest sample.",
    ]
    found += results.get("notes", [])
    return found
