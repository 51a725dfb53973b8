"""Tiered huddles and problem solving (docs/outcomes.md, "Tiered huddles and problem
solving"): every board exists (`boards`), what each tier's board shows (`tiers`),
the problem logs' writes and the three depths of solving (`problems`), their reads
(`log`), the A3 (`a3`), and the pages (`views`, `problem_views`, `forms`)."""
