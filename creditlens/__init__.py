"""creditlens: media-coverage text mining for news about credit systems.

The command line and settings live here; the stages are the sibling packages
`crawler` (Scrapy), `nlp` (extraction, tagging, themes, topics) and `warehouse`
(DuckDB).  See docs/architecture.md.
"""

__version__ = "0.1.0"
