"""Write a synthetic call of any size in the SPEC's format, reproducibly from a seed.

    python benchmarks/generate.py --applications 10000 --out /tmp/call --seed 1 [--portfolio K]

The folder gets ``rubric.yaml`` and ``apps/`` (one YAML file per application, plus
``reviews.csv``). Scores follow the additive model of the peer-review literature:
score = application quality (per criterion) + reviewer leniency + noise, rounded and
clipped to the 1-5 scale; about three reviewers score each application on six criteria.
The rubric's rules use shares of the portfolio, so they stay feasible at any size.
The YAML is written as text (no yaml import), so 10,000 applications take a few seconds.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
from pathlib import Path

AGE_GROUPS = ["pre_birth", "early_years", "primary", "adolescent", "young_adult"]
PRACTICE_TYPES = ["early_help", "child_protection", "children_in_care", "permanence",
                  "adolescent_safeguarding", "workforce"]
ORG_TYPES = ["local_authority", "combined_authority", "voluntary_sector", "health", "other"]
ORG_TYPE_WEIGHTS = [50, 5, 30, 10, 5]
REGIONS = ["North East", "North West", "Yorkshire and The Humber", "East Midlands",
           "West Midlands", "East of England", "London", "South East", "South West"]
CRITERIA = [("promise", 30), ("need", 20), ("evaluability", 20), ("feasibility", 10),
            ("learning", 10), ("value", 10)]
REVIEWERS_PER_APPLICATION = 3
APPLICATIONS_PER_REVIEWER = 20


def rubric_text(portfolio: int, seed: int) -> str:
    """A rubric whose selection rules hold for any portfolio size (shares, not counts)."""
    q = json.dumps  # JSON strings are valid YAML double-quoted scalars
    criteria = "\n".join(
        f"  - {{id: {cid}, name: {q(cid.title())}, weight: {w}}}" for cid, w in CRITERIA)
    return f"""call: Synthetic benchmark call
version: "seed-{seed}"
scale: {{min: 1, max: 5}}
aggregate: mean
min_reviews: 2
disagreement: 2
categories:
  age_groups: {q(AGE_GROUPS)}
  practice_type: {q(PRACTICE_TYPES)}
  organisation.type: {q(ORG_TYPES)}
  organisation.region: {q(REGIONS)}
criteria:
{criteria}
eligibility:
  - {{id: in_england, field: facts.based_in_england, equals: true}}
  - {{id: running_long_enough, field: facts.months_running, at_least: 6}}
selection:
  size: {portfolio}
  budget: {portfolio * 60000}
  tie_break_seed: {seed}
  rules:
    - {{field: age_groups, each: [pre_birth, early_years, adolescent], at_least: 1}}
    - {{field: practice_type, share_at_most: 0.4}}
    - {{field: practice_type, distinct_at_least: {min(5, portfolio)}}}
    - {{field: organisation.region, share_at_most: 0.34}}
    - {{field: organisation.type, each: [voluntary_sector], share_at_least: 0.1}}
"""


def application_text(rng: random.Random, n: int) -> tuple[str, str]:
    """One application's id and file text."""
    app_id = f"SYN-{n:06d}"
    q = json.dumps
    ages = sorted(rng.sample(AGE_GROUPS, rng.choice([1, 1, 2, 3])), key=AGE_GROUPS.index)
    org_type = rng.choices(ORG_TYPES, ORG_TYPE_WEIGHTS)[0]
    in_england = "false" if rng.random() < 0.02 else "true"
    months = rng.choice([3, 12, 18, 24, 36, 48]) if rng.random() < 0.05 else rng.randint(6, 60)
    families = rng.randint(20, 900)
    text = f"""id: {app_id}
title: {q(f"Synthetic practice {n}")}
organisation:
  name: {q(f"Organisation {n}")}
  type: {org_type}
  region: {q(rng.choice(REGIONS))}
summary: {q(f"What synthetic practice {n} does, for whom, and why.")}
practice_type: {rng.choice(PRACTICE_TYPES)}
age_groups: {q(ages)}
requested_amount: {rng.randrange(20000, 80001, 500)}
contact: {{name: {q(f"Contact {n}")}, email: {q(f"contact{n}@example.org")}}}
facts: {{based_in_england: {in_england}, months_running: {months}, families_per_year: {families}}}
answers:
  theory_of_change: {q("Because earlier, steadier support helps families stay together.")}
"""
    return app_id, text


def review_rows(rng: random.Random, ids: list[str]) -> list[list[object]]:
    """About three reviewers per application, each with their own leniency."""
    n_reviewers = max(REVIEWERS_PER_APPLICATION + 1,
                      len(ids) * REVIEWERS_PER_APPLICATION // APPLICATIONS_PER_REVIEWER)
    reviewers = [f"reviewer{r:04d}" for r in range(n_reviewers)]
    leniency = {r: rng.gauss(0, 0.4) for r in reviewers}
    rows: list[list[object]] = []
    for app_id in ids:
        quality = rng.gauss(3.0, 0.8)
        for reviewer in rng.sample(reviewers, REVIEWERS_PER_APPLICATION):
            for criterion, _ in CRITERIA:
                if rng.random() < 0.002:
                    continue  # a forgotten score: some criteria end up with 2 reviewers
                raw = quality + leniency[reviewer] + rng.gauss(0, 0.7)
                rows.append([app_id, reviewer, criterion, min(5, max(1, round(raw))), ""])
    return rows


def generate(out: Path, applications: int, seed: int, portfolio: int | None = None) -> Path:
    """Write the call into ``out``; returns the applications folder."""
    rng = random.Random(seed)
    size = portfolio if portfolio is not None else max(8, applications // 20)
    apps = out / "apps"
    apps.mkdir(parents=True, exist_ok=True)
    (out / "rubric.yaml").write_text(rubric_text(size, seed), encoding="utf-8")
    ids = []
    for n in range(1, applications + 1):
        app_id, text = application_text(rng, n)
        (apps / f"{app_id}.yaml").write_text(text, encoding="utf-8")
        ids.append(app_id)
    with (apps / "reviews.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["application_id", "reviewer", "criterion", "score", "comment"])
        writer.writerows(review_rows(rng, ids))
    return apps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--portfolio", type=int, default=None,
                        help="portfolio size [default: applications / 20, at least 8]")
    args = parser.parse_args()
    generate(args.out, args.applications, args.seed, args.portfolio)


if __name__ == "__main__":
    main()
