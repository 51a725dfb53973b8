"""What tells one release of the code from another, for the page cache.

The cache keeps rendered pages and parts of pages under keys that hold the data
versions of what they show (agencies.versions): exact while the code stays the
same. A deploy changes the code that renders them, and a Redis shared by every
host outlives the deploy: without more, the new code would serve pages, or rows of
pages, rendered by the old (the scorecard's rows once sat under headings the new
code had changed), and pages that name static files the new release no longer has,
until they expire. So every page key also holds the release (config/settings.py):
`RELEASE` when the deploy sets it (a git commit, a build number), else a digest of
the files that render pages, worked out when the process starts (~450 files,
2.6 MB: 50-70 ms measured on a busy 2-core machine).
"""

import hashlib

# The folders of the code that renders pages, and the kinds of file in them that can
# change a page: Python, templates, and the static files pages name.
SOURCES = ("config", "agencies", "customers", "widgets", "outcomes", "templates", "static")
SUFFIXES = {".py", ".html", ".txt", ".css", ".js", ".svg", ".json"}
# The npm packages pages load (the design system, the chart library), by version.
LOCKFILES = ("package-lock.json",)


def code_digest(root):
    """A short digest of the files under `root` that render pages: the same for the
    same code, another for any change to one of them (content or name)."""
    digest = hashlib.sha256()
    paths = [p for folder in SOURCES for p in (root / folder).rglob("*")]
    paths += [root / name for name in LOCKFILES]
    for path in sorted(paths):
        if path.suffix in SUFFIXES and path.is_file():
            digest.update(str(path.relative_to(root)).encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]
