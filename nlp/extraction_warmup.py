"""Imported by the extraction pool's forkserver, never by anything else: every stage of
extraction loads models or compiles patterns on first use (py3langid's model, trafilatura's
and htmldate's patterns, dateparser's tables for some 200 locales: about two seconds of
CPU), and a worker forked from a process that has paid this starts with it paid.  Workers
are replaced every PAGES_PER_WORKER pages, so without this each one paid it again.
"""

from nlp.dates import warm_up
from nlp.extraction import WARM_UP_PAGE, extract_page

extract_page(WARM_UP_PAGE, "http://localhost/warm-up")
warm_up()
