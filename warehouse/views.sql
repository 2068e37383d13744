-- The analysts' views of creditlens.duckdb, (re)created on every read-write open.
--
-- Conventions: every view starts with a comment line `-- <name>: <description>`
-- (warehouse/views.py reads the descriptions from it), views come in dependency
-- order, and statements end with a semicolon at the end of a line.
-- Dates are UTC calendar days.  "articles" counts relevant articles (each outlet's
-- copy of a syndicated story counts: that is attention); "stories" counts a
-- syndicated story once (articles whose duplicate_of is NULL).  Articles without a
-- publication date are left out of the views over time.

-- relevant_articles: every relevant article with its UTC publication day, week (Monday) and month; the base of the other views
CREATE OR REPLACE VIEW relevant_articles AS
SELECT article_id, url, source, title, author, published_at,
       CAST(timezone('UTC', published_at) AS DATE) AS day,
       CAST(date_trunc('week', timezone('UTC', published_at)) AS DATE) AS week,
       CAST(date_trunc('month', timezone('UTC', published_at)) AS DATE) AS month,
       language, word_count, relevance, duplicate_of,
       duplicate_of IS NULL AS is_original,
       text
FROM articles
WHERE is_relevant;

-- attention_daily: relevant articles and stories per day, and their share of all crawled articles that day (days without articles included as zero)
CREATE OR REPLACE VIEW attention_daily AS
WITH counts AS (
    SELECT CAST(timezone('UTC', published_at) AS DATE) AS day,
           count(*) FILTER (WHERE is_relevant) AS articles,
           count(*) FILTER (WHERE is_relevant AND duplicate_of IS NULL) AS stories,
           count(*) AS all_articles
    FROM articles
    WHERE published_at IS NOT NULL
    GROUP BY 1
), days AS (
    SELECT CAST(unnest(generate_series(min(day), max(day), INTERVAL 1 DAY)) AS DATE) AS day
    FROM counts
)
SELECT days.day,
       coalesce(counts.articles, 0) AS articles,
       coalesce(counts.stories, 0) AS stories,
       coalesce(counts.all_articles, 0) AS all_articles,
       round(counts.articles / nullif(counts.all_articles, 0), 4) AS share_of_all
FROM days LEFT JOIN counts USING (day)
ORDER BY days.day;

-- attention_weekly: relevant articles and stories per week (starting Monday), and their share of all crawled articles that week
CREATE OR REPLACE VIEW attention_weekly AS
SELECT CAST(date_trunc('week', day) AS DATE) AS week,
       sum(articles)::BIGINT AS articles,
       sum(stories)::BIGINT AS stories,
       sum(all_articles)::BIGINT AS all_articles,
       round(sum(articles) / nullif(sum(all_articles), 0), 4) AS share_of_all
FROM attention_daily
GROUP BY 1
ORDER BY 1;

-- attention_monthly: relevant articles and stories per month, and their share of all crawled articles that month
CREATE OR REPLACE VIEW attention_monthly AS
SELECT CAST(date_trunc('month', day) AS DATE) AS month,
       sum(articles)::BIGINT AS articles,
       sum(stories)::BIGINT AS stories,
       sum(all_articles)::BIGINT AS all_articles,
       round(sum(articles) / nullif(sum(all_articles), 0), 4) AS share_of_all
FROM attention_daily
GROUP BY 1
ORDER BY 1;

-- language_monthly: relevant articles, stories and outlets per month and language, for comparing domestic and foreign coverage
CREATE OR REPLACE VIEW language_monthly AS
SELECT month, coalesce(nullif(language, ''), 'unknown') AS language,
       count(*) AS articles,
       count(*) FILTER (WHERE is_original) AS stories,
       count(DISTINCT source) AS sources
FROM relevant_articles
WHERE month IS NOT NULL
GROUP BY ALL
ORDER BY month, language;

-- top_sources: outlets ranked by relevant articles, with their stories, all crawled articles, share of all relevant coverage and first/last relevant date
CREATE OR REPLACE VIEW top_sources AS
WITH counts AS (
    SELECT source,
           count(*) FILTER (WHERE is_relevant) AS articles,
           count(*) FILTER (WHERE is_relevant AND duplicate_of IS NULL) AS stories,
           count(*) AS all_articles,
           min(published_at) FILTER (WHERE is_relevant) AS first_published,
           max(published_at) FILTER (WHERE is_relevant) AS last_published
    FROM articles
    GROUP BY source
)
SELECT counts.source,
       coalesce(sources.name, counts.source) AS name,
       counts.articles,
       counts.stories,
       counts.all_articles,
       round(counts.articles / nullif(sum(counts.articles) OVER (), 0), 4) AS share_of_coverage,
       counts.first_published,
       counts.last_published
FROM counts LEFT JOIN sources ON sources.source_id = counts.source
ORDER BY counts.articles DESC, counts.source;

-- top_entities: people, organisations and places ranked by the relevant articles that mention them, with mentions and number of outlets
CREATE OR REPLACE VIEW top_entities AS
WITH counts AS (
    SELECT article_entities.entity_id,
           mode(article_entities.text) AS most_common_text,
           mode(article_entities.label) AS label,
           count(*) AS articles,
           CAST(sum(article_entities.mentions) AS BIGINT) AS mentions,
           count(DISTINCT articles.source) AS sources
    FROM article_entities JOIN articles USING (article_id)
    WHERE articles.is_relevant
    GROUP BY article_entities.entity_id
)
SELECT counts.entity_id,
       coalesce(entity_catalog.name, counts.most_common_text) AS name,
       entity_catalog.type,
       counts.label,
       counts.articles,
       counts.mentions,
       counts.sources
FROM counts LEFT JOIN entity_catalog USING (entity_id)
ORDER BY counts.articles DESC, counts.mentions DESC, counts.entity_id;

-- entity_cooccurrence: pairs of entities mentioned in the same relevant article, with the number of such articles (each pair once, entity_a < entity_b; counted at the end of each process run)
CREATE OR REPLACE VIEW entity_cooccurrence AS
SELECT pairs.entity_a,
       coalesce(ca.name, pairs.entity_a) AS name_a,
       pairs.entity_b,
       coalesce(cb.name, pairs.entity_b) AS name_b,
       pairs.articles
FROM entity_pair_counts AS pairs
LEFT JOIN entity_catalog ca ON ca.entity_id = pairs.entity_a
LEFT JOIN entity_catalog cb ON cb.entity_id = pairs.entity_b
ORDER BY pairs.articles DESC, pairs.entity_a, pairs.entity_b;

-- theme_trends: relevant articles per month and theme, and their share of the month's relevant articles (months without the theme included as zero)
CREATE OR REPLACE VIEW theme_trends AS
WITH months AS (
    SELECT month, articles AS relevant_articles FROM attention_monthly
), hits AS (
    SELECT relevant_articles.month, themes.theme, count(DISTINCT themes.article_id) AS articles
    FROM themes JOIN relevant_articles USING (article_id)
    WHERE relevant_articles.month IS NOT NULL
    GROUP BY ALL
), names AS (
    SELECT theme, arg_max(name, taxonomy_version) AS name FROM theme_catalog GROUP BY theme
)
SELECT months.month,
       themes.theme,
       coalesce(names.name, themes.theme) AS name,
       coalesce(hits.articles, 0) AS articles,
       coalesce(round(hits.articles / nullif(months.relevant_articles, 0), 4), 0) AS share_of_month
FROM months
CROSS JOIN (SELECT DISTINCT theme FROM hits) themes
LEFT JOIN hits ON hits.month = months.month AND hits.theme = themes.theme
LEFT JOIN names ON names.theme = themes.theme
ORDER BY months.month, articles DESC, themes.theme;

-- theme_sources: relevant articles per month, theme and outlet: which outlets drove the attention to a theme
CREATE OR REPLACE VIEW theme_sources AS
SELECT relevant_articles.month, themes.theme, relevant_articles.source,
       count(DISTINCT themes.article_id) AS articles
FROM themes JOIN relevant_articles USING (article_id)
WHERE relevant_articles.month IS NOT NULL
GROUP BY ALL
ORDER BY month, theme, articles DESC, source;

-- current_topics: the topics of the current topic model (topic_models.is_current): label, top terms with weights, size and share
CREATE OR REPLACE VIEW current_topics AS
SELECT topics.topic_id, topics.label, topics.terms, topics.weights, topics.size, topics.share, topics.npmi,
       topic_models.model_id, topic_models.method, topic_models.fitted_at
FROM topics JOIN topic_models USING (model_id)
WHERE topic_models.is_current
ORDER BY topics.topic_id;

-- article_main_topic: each article's dominant topic in the current topic model and its weight
CREATE OR REPLACE VIEW article_main_topic AS
SELECT article_topics.article_id,
       arg_max(article_topics.topic_id, article_topics.weight) AS topic_id,
       max(article_topics.weight) AS weight
FROM article_topics JOIN topic_models USING (model_id)
WHERE topic_models.is_current
GROUP BY article_topics.article_id;

-- topic_trends: per month and current topic, the relevant articles whose dominant topic it is, the summed topic weight and that weight's share of the month
CREATE OR REPLACE VIEW topic_trends AS
WITH weighted AS (
    SELECT relevant_articles.month, article_topics.article_id, article_topics.topic_id, article_topics.weight
    FROM article_topics
    JOIN topic_models USING (model_id)
    JOIN relevant_articles USING (article_id)
    WHERE topic_models.is_current AND relevant_articles.month IS NOT NULL
), weights AS (
    SELECT month, topic_id, sum(weight) AS weight FROM weighted GROUP BY ALL
), dominant AS (
    SELECT month, topic_id, count(*) AS articles
    FROM (SELECT month, arg_max(topic_id, weight) AS topic_id FROM weighted GROUP BY article_id, month)
    GROUP BY ALL
), months AS (
    SELECT month FROM attention_monthly
)
SELECT months.month,
       current_topics.topic_id,
       current_topics.label,
       coalesce(dominant.articles, 0) AS articles,
       round(coalesce(weights.weight, 0), 4) AS weight,
       coalesce(round(weights.weight / nullif(sum(weights.weight) OVER (PARTITION BY months.month), 0), 4), 0) AS share_of_month
FROM months
CROSS JOIN current_topics
LEFT JOIN weights ON weights.month = months.month AND weights.topic_id = current_topics.topic_id
LEFT JOIN dominant ON dominant.month = months.month AND dominant.topic_id = current_topics.topic_id
ORDER BY months.month, current_topics.topic_id;

-- top_words: English words (stop words left out) ranked by the share of a sample of relevant stories using them: the 1,000 most recently published
CREATE OR REPLACE VIEW top_words AS
WITH sample AS (
    SELECT article_id, text
    FROM relevant_articles
    WHERE is_original AND (language IS NULL OR language LIKE 'en%')
    ORDER BY published_at DESC NULLS LAST, article_id
    LIMIT 1000
), words AS (
    SELECT article_id, unnest(regexp_extract_all(lower(text), '[a-z][a-z''-]*[a-z]')) AS word
    FROM sample
)
SELECT word,
       count(DISTINCT article_id) AS articles,
       count(*) AS occurrences,
       round(count(DISTINCT article_id) / (SELECT count(*) FROM sample), 4) AS share_of_articles
FROM words
WHERE length(word) >= 3 AND word NOT IN ($STOPWORDS)
GROUP BY word
ORDER BY articles DESC, occurrences DESC, word;

-- story_samples: one row per relevant story (syndicated copies left out) with what a sample is filtered on: date, outlet, language, themes (unordered) and dominant topic
CREATE OR REPLACE VIEW story_samples AS
SELECT relevant_articles.article_id, relevant_articles.published_at, relevant_articles.day, relevant_articles.month,
       relevant_articles.source, relevant_articles.language, relevant_articles.title, relevant_articles.url,
       coalesce(article_themes.themes, []) AS themes,
       article_main_topic.topic_id,
       current_topics.label AS topic,
       left(relevant_articles.text, 300) AS snippet
FROM relevant_articles
-- list(theme ORDER BY score) costs ten times more than an unordered list at a million articles
LEFT JOIN (SELECT article_id, list(theme) AS themes FROM themes GROUP BY article_id) article_themes
    USING (article_id)
LEFT JOIN article_main_topic USING (article_id)
LEFT JOIN current_topics USING (topic_id)
WHERE relevant_articles.is_original;

-- stories: each relevant story once (the article whose duplicate_of is NULL) with the outlets that carried it, its number of articles (itself and its copies), its language and the cross-lingual story it belongs to
CREATE OR REPLACE VIEW stories AS
WITH copies AS (
    SELECT duplicate_of AS article_id, count(*) AS copies, list(DISTINCT source) AS sources
    FROM articles
    WHERE is_relevant AND duplicate_of IS NOT NULL
    GROUP BY duplicate_of
), crosslingual AS (
    SELECT DISTINCT story_id, unnest([article_a, article_b]) AS article_id FROM crosslingual_links
)
SELECT relevant_articles.article_id AS story_id,
       relevant_articles.published_at, relevant_articles.day, relevant_articles.month,
       relevant_articles.source, relevant_articles.title, relevant_articles.url,
       1 + coalesce(copies.copies, 0) AS articles,
       list_sort(list_distinct(list_prepend(relevant_articles.source, coalesce(copies.sources, [])))) AS outlets,
       relevant_articles.language,
       crosslingual.story_id AS crosslingual_story_id
FROM relevant_articles LEFT JOIN copies USING (article_id) LEFT JOIN crosslingual USING (article_id)
WHERE relevant_articles.is_original;

-- crosslingual_stories: one row per article of a story reported in more than one language: its language, outlet, date, what it shares with the other side (entities, figures) and how it told the story (themes, speakers, figures)
CREATE OR REPLACE VIEW crosslingual_stories AS
WITH members AS (
    SELECT story_id, article_a AS article_id, article_b AS other_id, days_apart, shared_entities, shared_figures
    FROM crosslingual_links
    UNION ALL
    SELECT story_id, article_b, article_a, days_apart, shared_entities, shared_figures
    FROM crosslingual_links
), linked AS (
    SELECT story_id, article_id,
           list(DISTINCT other_id ORDER BY other_id) AS linked_articles,
           min(days_apart) AS days_apart,
           list_sort(list_distinct(flatten(list(shared_entities)))) AS shared_entities,
           list_sort(list_distinct(flatten(list(shared_figures)))) AS shared_figures
    FROM members
    GROUP BY story_id, article_id
), named AS (
    SELECT linked.story_id, linked.article_id,
           list(coalesce(entity_catalog.name, shared.entity_id) ORDER BY shared.entity_id) AS shared_entity_names
    FROM linked, unnest(linked.shared_entities) AS shared(entity_id)
    LEFT JOIN entity_catalog ON entity_catalog.entity_id = shared.entity_id
    GROUP BY ALL
)
SELECT linked.story_id, articles.language, articles.source, articles.published_at,
       articles.title, articles.url, linked.article_id,
       linked.linked_articles, linked.days_apart,
       named.shared_entity_names AS shared_entities, linked.shared_figures,
       (SELECT list(theme ORDER BY theme) FROM themes WHERE themes.article_id = linked.article_id) AS themes,
       (SELECT list(DISTINCT coalesce(quotes.speaker, quotes.role, quotes.organisation))
          FROM quotes WHERE quotes.article_id = linked.article_id) AS speakers,
       (SELECT count(*) FROM quotes WHERE quotes.article_id = linked.article_id) AS quotes,
       (SELECT count(*) FROM figures WHERE figures.article_id = linked.article_id) AS figures
FROM linked
JOIN articles USING (article_id)
LEFT JOIN named USING (story_id, article_id)
ORDER BY linked.story_id, articles.published_at, articles.language;

-- quotes_detail: every quote in a relevant article, with speaker, organisation, outlet, date and link
CREATE OR REPLACE VIEW quotes_detail AS
SELECT relevant_articles.published_at, relevant_articles.day, relevant_articles.month, relevant_articles.source,
       relevant_articles.title, relevant_articles.url, quotes.article_id,
       coalesce(speakers.name, quotes.speaker) AS speaker, quotes.entity_id AS speaker_id,
       coalesce(organisations.name, quotes.organisation) AS organisation, quotes.organisation_id,
       quotes.role, quotes.kind, quotes.quote
FROM quotes
JOIN relevant_articles USING (article_id)
LEFT JOIN entity_catalog speakers ON speakers.entity_id = quotes.entity_id
LEFT JOIN entity_catalog organisations ON organisations.entity_id = quotes.organisation_id;

-- quotes_by_speaker: who is quoted in relevant articles: quotes, articles, outlets, first and last date and the latest quote, per speaker
CREATE OR REPLACE VIEW quotes_by_speaker AS
SELECT speaker, speaker_id,
       mode(organisation) AS organisation,
       count(*) AS quotes,
       count(DISTINCT article_id) AS articles,
       count(DISTINCT source) AS sources,
       min(published_at) AS first_quoted,
       max(published_at) AS last_quoted,
       arg_max(quote, published_at) AS latest_quote
FROM quotes_detail
GROUP BY speaker, speaker_id
ORDER BY quotes DESC, speaker;

-- quotes_by_organisation: which organisations speak in relevant articles: quotes, distinct speakers, articles and outlets, per organisation
CREATE OR REPLACE VIEW quotes_by_organisation AS
SELECT organisation, organisation_id,
       count(*) AS quotes,
       count(DISTINCT speaker) AS speakers,
       count(DISTINCT article_id) AS articles,
       count(DISTINCT source) AS sources
FROM quotes_detail
WHERE organisation IS NOT NULL
GROUP BY organisation, organisation_id
ORDER BY quotes DESC, organisation;

-- reported_figures: every figure reported in a relevant article (value, unit, what it counts) with its sentence, outlet, date and link
CREATE OR REPLACE VIEW reported_figures AS
SELECT relevant_articles.published_at, relevant_articles.day, relevant_articles.month, relevant_articles.source,
       relevant_articles.title, relevant_articles.url, figures.article_id,
       figures.subject, figures.value, figures.unit, figures.sentence, figures.start_char, figures.converted_from
FROM figures JOIN relevant_articles USING (article_id);

-- figures_over_time: per month, subject and unit, how often a figure was reported in relevant articles and its smallest, median, largest and latest value (a bracketed conversion is not a second report)
CREATE OR REPLACE VIEW figures_over_time AS
SELECT month, subject, unit,
       count(*) AS reports,
       count(DISTINCT article_id) AS articles,
       min(value) AS min_value,
       median(value) AS median_value,
       max(value) AS max_value,
       arg_max(value, published_at) AS latest_value
FROM reported_figures
WHERE month IS NOT NULL AND converted_from IS NULL
GROUP BY month, subject, unit
ORDER BY month, reports DESC, subject;

-- figure_provenance: figures that two articles or more report (same subject, unit and value up to rounding or the article's own currency conversion): per report its group, position in time and outlet, the group's first report, and the outlets that changed the value (grouped at the end of each process run; rules in warehouse/provenance.py)
CREATE OR REPLACE VIEW figure_provenance AS
WITH reports AS (
    SELECT g.group_id, g.position, g.article_id, g.start_char, g.compared_unit, g.compared_value, g.first_compared_value,
           g.compared_value <> g.first_compared_value AS value_changed,
           r.published_at, r.day, r.source, r.title, r.url, r.duplicate_of IS NOT NULL AS is_copy,
           f.value AS reported_value, f.unit AS reported_unit, f.subject AS reported_subject, f.sentence
    FROM figure_groups g
    JOIN relevant_articles r USING (article_id)
    JOIN figures f ON f.article_id = g.article_id AND f.start_char = g.start_char AND f.converted_from IS NULL
), groups AS (
    SELECT group_id,
           count(*) AS reports,
           count(DISTINCT source) AS outlets,
           coalesce(list_sort(list_distinct(list(source) FILTER (WHERE value_changed))), []) AS changed_by,
           arg_min(reported_subject, position) AS subject,
           arg_min(reported_unit, position) AS unit,
           arg_min(reported_value, position) AS first_value,
           arg_min(article_id, position) AS first_article_id,
           arg_min(source, position) AS first_source,
           arg_min(published_at, position) AS first_published_at,
           arg_min(day, position) AS first_day,
           arg_min(title, position) AS first_title,
           arg_min(url, position) AS first_url
    FROM reports
    GROUP BY group_id
    HAVING count(*) > 1
)
SELECT groups.group_id, groups.subject, groups.unit, groups.first_value,
       groups.first_source, groups.first_day, groups.first_published_at, groups.first_title, groups.first_url,
       groups.first_article_id, groups.reports, groups.outlets, groups.changed_by,
       reports.position, reports.position = 0 AS is_first,
       reports.article_id, reports.start_char, reports.source, reports.published_at, reports.day, reports.title, reports.url,
       reports.is_copy, reports.reported_value, reports.reported_unit, reports.reported_subject,
       reports.compared_unit, reports.compared_value, reports.first_compared_value, reports.value_changed,
       reports.sentence
FROM reports JOIN groups USING (group_id)
ORDER BY groups.first_published_at, groups.group_id, reports.position;
