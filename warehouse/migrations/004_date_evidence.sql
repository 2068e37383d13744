-- Schema version 4: where each publication date came from.  A page keeps the dates its
-- feed entry and sitemap entry gave it (the publisher's own statements, read before the
-- page itself), and an article records which evidence its `published_at` rests on, so an
-- analyst can weigh or exclude guessed dates.  Rows stored before this version keep
-- NULL: their evidence was not recorded.
ALTER TABLE pages ADD COLUMN feed_date VARCHAR;
ALTER TABLE pages ADD COLUMN sitemap_date VARCHAR;
ALTER TABLE pages ADD COLUMN listed_lastmod VARCHAR;
ALTER TABLE articles ADD COLUMN date_source VARCHAR;
