"""Tiered huddles and problem solving (docs/outcomes.md, "Tiered huddles and problem
solving"): the boards of each tier and what they show (`tiers`), their problem logs
and the three depths of solving (`problems`), who keeps their numbers alive
(`engagement`), and the pages (`views`, `problem_views`)."""
