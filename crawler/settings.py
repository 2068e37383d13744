"""Scrapy settings for crawling real news sites politely, unattended, for months.

`crawler.runner.run_crawl` starts from these and applies the caller's overrides;
`scrapy crawl sources` from the repository root uses them as they are.  Keys named
CREDITLENS_* are ours (see crawler/runner.py for the list).
"""

BOT_NAME = "creditlens"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# Identify ourselves: the User-Agent becomes "creditlens/0.1 (+CONTACT)" (see the spiders'
# update_settings); operators should set a contact address or URL site owners can use.
USER_AGENT = "creditlens/0.1"
CREDITLENS_CONTACT = ""
ROBOTSTXT_OBEY = True
ROBOTSTXT_USER_AGENT = "creditlens"

# Politeness: few parallel requests per site, AutoThrottle adapting the delay to the
# server's latency, an honest retry policy with backoff and Retry-After.
CONCURRENT_REQUESTS = 32
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_GIVE_UP_LOG_LEVEL = "INFO"  # every failure is recorded in `pages` with its error_kind; cron mail stays quiet
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
CREDITLENS_RETRY_BACKOFF = 2.0  # seconds before the first retry, doubled for each next one
CREDITLENS_RETRY_BACKOFF_MAX = 60.0
CREDITLENS_RETRY_AFTER_MAX = 300.0  # a longer Retry-After gives up (recorded) instead of stalling the crawl

# Limits: a stuck server or a huge file never stalls the run.
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
DOWNLOAD_FAIL_ON_DATALOSS = True  # a truncated body is a failure ("truncated"), not half an article
REDIRECT_MAX_TIMES = 10
DEPTH_LIMIT = 2  # link hops a section crawl follows away from its start URLs (feed/sitemap hops do not count)
CREDITLENS_MAX_AGE_DAYS = 90  # feed/sitemap entries dated older than this are not fetched (0: no limit)
CREDITLENS_DISCOVERY = ["feeds", "sitemaps", "section", "urllist"]
CREDITLENS_PROGRESS = "auto"
CREDITLENS_KEEP_PERSONAL_DATA = False

# Every response reaches the spider, which records errors as pages with an error_kind.
HTTPERROR_ALLOW_ALL = True

# No remote control: the telnet console is off and no web service is enabled.
TELNETCONSOLE_ENABLED = False

# Only http and https are ever fetched: a page linking file://localhost/etc/passwd must find
# nothing to read it with (crawler/guard.py refuses such requests before they get here).
DOWNLOAD_HANDLERS = {"file": None, "s3": None, "ftp": None, "data": None}
# Hosts that are, or resolve to, private, loopback, link-local (cloud metadata) or other
# non-public addresses are refused unless this is set ([crawl] allow_private_networks).
CREDITLENS_ALLOW_PRIVATE_NETWORKS = False

# The section depth is counted by the spiders themselves (feed and sitemap hops are free),
# so Scrapy's own depth middleware, which counts every hop, is replaced.
SPIDER_MIDDLEWARES = {
    "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
}
DOWNLOADER_MIDDLEWARES = {
    "crawler.guard.RequestGuardMiddleware": 10,  # first: every request and redirect hop, checked
    "crawler.middlewares.CanonicalUrlMiddleware": 50,
    "crawler.middlewares.ConditionalRequestMiddleware": 560,
    "crawler.middlewares.RedirectLoopMiddleware": 650,  # sees responses before RedirectMiddleware (600)
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.BackoffRetryMiddleware": 550,
}
ITEM_PIPELINES = {"crawler.pipelines.SpoolPipeline": 300}
EXTENSIONS = {"crawler.progress.ProgressLine": 500, "crawler.fetchlog.OneLineFetchFailures": 0}

# Scrapy starts CONCURRENT_ITEMS asyncio workers for the output of every callback; a page
# yields one item and a few requests, so the default 100 only adds task churn (measured:
# ~100 tasks per page, a third of the crawl's CPU).  Our pipeline is synchronous anyway.
CONCURRENT_ITEMS = 4

# Broad crawls over many sites: the scheduler spreads requests across domains.
SCHEDULER_PRIORITY_QUEUE = "scrapy.pqueues.DownloaderAwarePriorityQueue"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
LOG_LEVEL = "WARNING"
