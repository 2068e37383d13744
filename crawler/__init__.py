"""The crawler: source registry, Scrapy spiders and middlewares, the spool-writing pipeline, WARC reading.

Entry points for the command line: `crawler.sources.load_registry` / `select`,
`crawler.runner.run_crawl`, `crawler.warc.read_warc`.  Everything it fetches leaves as
`warehouse.records.Page` rows in the spool; it never touches the database.
"""
