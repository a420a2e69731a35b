"""Checks PDFs with page-validation (PyPI), which implements the veraPDF rule
sets: every file against PDF/UA-1, screen files (`-screen.pdf`) against PDF/A-2a
too. Prints one line per file and profile, and each failed rule; exits 1 if any
rule failed.

    python3 tests/tools/validate_pdf.py FILE.pdf...
"""
import sys

import page

failed = 0
for path in sys.argv[1:]:
    profiles = ["PDF_UA_1"]
    if path.endswith("-screen.pdf"):
        profiles.append("PDF_A_2A")
    for name in profiles:
        report = page.validate_pdf(path, profile=getattr(page.ValidationProfile, name))
        print(f"{name} {'compliant' if report.is_compliant else 'NOT compliant'} {path}")
        if not report.is_compliant:
            failed += 1
            for f in report.failures:
                print(f"  {f.rule_id}: {f.message}")
sys.exit(1 if failed else 0)
