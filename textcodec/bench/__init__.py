"""Benchmarks: datasets, peer codecs, metrics and reports (``textcodec bench``)."""
