"""The vendor packages' files that the pages load, found in node_modules.

A package's dist/ holds far more than the pages use (echarts' is 122 MB of builds and source
maps, bootstrap's 20 MB); collecting all of it made `collectstatic` (hashing and compressing
every file to .br and .gz) the longest step of `make run`. STATIC_VENDOR names, per package,
the URL prefix, the directory and the glob patterns of the files served; a source map goes
with the file that names it (the manifest storage rewrites `sourceMappingURL` and needs it).
"""

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.contrib.staticfiles.utils import get_files, matches_patterns
from django.core.checks import Error
from django.core.files.storage import FileSystemStorage


class VendorFinder(BaseFinder):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.packages = []
        for prefix, root, patterns in getattr(settings, "STATIC_VENDOR", ()):
            storage = FileSystemStorage(location=root)
            storage.prefix = prefix
            self.packages.append((prefix, Path(root), tuple(patterns), storage))

    def check(self, **kwargs):
        return [
            Error(f"STATIC_VENDOR: {prefix!r} names no patterns.", id="hlgrid.E101")
            for prefix, _root, patterns, _storage in self.packages
            if not patterns
        ]

    def find(self, path, find_all=False, **kwargs):
        find_all = find_all or kwargs.get("all", False)  # Django < 6 also passes `all`
        found = []
        for prefix, root, patterns, _storage in self.packages:
            if not path.startswith(f"{prefix}/"):
                continue
            relative = path[len(prefix) + 1 :]
            candidate = root / relative
            if matches_patterns(relative, patterns) and candidate.is_file():
                if not find_all:
                    return str(candidate)
                found.append(str(candidate))
        return found

    def list(self, ignore_patterns):
        for _prefix, root, patterns, storage in self.packages:
            if root.is_dir():
                for path in get_files(storage, ignore_patterns):
                    if matches_patterns(path, patterns):
                        yield path, storage
