# Doctests run on dualgrad's own modules; the wrapped numpy/scipy namespaces carry
# numpy's and scipy's docstrings, whose examples are theirs, not ours.
collect_ignore_glob = ["dualgrad/numpy/*", "dualgrad/scipy/*", "dualgrad/__main__.py",
                       "benchmarks/*", "docs/*", "notebooks/*"]
