#!/usr/bin/python3
"""Check that every metric a Grafana dashboard queries is one the metrics
endpoint exports (tests/daemon/dashboard.sh).

  dashboard_check.py DASHBOARD.json SCRAPE.txt

Every PromQL expression of the dashboard (panel targets, template variable
queries, annotations) is read for metric names: with string literals and
label matchers removed, every identifier that is not a function, keyword,
label name of a by/without/on/ignoring clause, or duration.  Each name must
be declared by the scrape (a "# TYPE" line, or the _bucket, _sum and _count
series of a histogram).  The scrape itself must parse with
prometheus_client.  Prints what it checked; exits 1 naming each unknown
metric and the panel that queries it.
"""
import json
import re
import sys

from prometheus_client.parser import text_string_to_metric_families

KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right",
            "offset", "bool", "and", "or", "unless", "inf", "nan", "atan2",
            # aggregation operators, which may come before their (...)
            "sum", "min", "max", "avg", "group", "stddev", "stdvar", "count",
            "count_values", "bottomk", "topk", "quantile"}
IDENT = re.compile(r"[A-Za-z_:][A-Za-z0-9_:]*")


def expressions(node, where="dashboard"):
    """(where, expression) for every PromQL string in the dashboard."""
    if isinstance(node, dict):
        title = node.get("title", where) if "targets" in node else where
        for key, value in node.items():
            if key in ("expr", "definition") and isinstance(value, str):
                yield title, value
            elif key == "query" and isinstance(value, str) and \
                    node.get("type") == "query":
                yield title, value
            elif key == "query" and isinstance(value, dict):
                yield title, value.get("query", "")
            else:
                yield from expressions(value, title if key != "panels" else where)
    elif isinstance(node, list):
        for item in node:
            yield from expressions(item, where)


def metric_names(expr):
    expr = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)    # string literals
    expr = re.sub(r"\{[^}]*\}", "", expr)              # label matchers
    expr = re.sub(r"\[[^\]]*\]", "", expr)             # ranges
    # label lists of by/without/on/ignoring/group_* clauses
    expr = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)",
                  r"\1", expr)
    # label_values(metric, label): the label is not a metric
    expr = re.sub(r"label_values\s*\(([^,()]*),[^)]*\)", r"label_values(\1)", expr)
    names = []
    for m in IDENT.finditer(expr):
        word = m.group(0)
        rest = expr[m.end():].lstrip()
        if word.lower() in KEYWORDS or rest.startswith("("):
            continue            # a keyword or a function
        if word.startswith("$"):
            continue
        if m.start() > 0 and expr[m.start() - 1] == "$":
            continue            # a Grafana variable: $__rate_interval
        if re.fullmatch(r"[0-9.e]+", word):
            continue
        names.append(word)
    return names


def exported(scrape_text):
    list(text_string_to_metric_families(scrape_text))   # must parse
    names = set()
    for line in scrape_text.splitlines():
        parts = line.split()
        if len(parts) >= 4 and parts[:2] == ["#", "TYPE"]:
            names.add(parts[2])
            if parts[3] in ("histogram", "summary"):
                names.update(parts[2] + s for s in ("_bucket", "_sum", "_count"))
    return names


def main():
    dash = json.load(open(sys.argv[1], encoding="utf-8"))
    have = exported(open(sys.argv[2], encoding="utf-8").read())
    bad, used, nexpr = [], set(), 0
    for where, expr in expressions(dash):
        nexpr += 1
        names = metric_names(expr)
        if not names:
            bad.append("%s: %r queries no metric" % (where, expr))
        for name in names:
            used.add(name)
            if name not in have:
                bad.append("%s: %s is not exported (in %r)" % (where, name, expr))
    for b in bad:
        print("dashboard_check:", b)
    print("dashboard_check: %d expressions, %d metrics used, %d exported"
          % (nexpr, len(used), len(have)))
    if nexpr == 0 or bad:
        sys.exit(1)
    print("used:", " ".join(sorted(used)))


if __name__ == "__main__":
    main()
