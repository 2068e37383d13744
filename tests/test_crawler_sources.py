"""The source registry: bundled outlets, user configs, and errors that name file, entry and field."""

import pytest

from crawler.sources import RegistryError, Source, load_registry, select, source_for_url

GOOD = """
[crawl]
concurrency = 4

[[source]]
id = "mysite"
name = "My Site"
homepage = "https://www.mysite.example/"
feeds = ["https://www.mysite.example/rss.xml"]
"""


def write(tmp_path, text, name="my.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_bundled_registry_loads_real_outlets():
    sources = load_registry()
    assert len(sources) >= 10
    assert len({s.id for s in sources}) == len(sources)
    assert all(s.homepage.startswith("http") and s.allowed_domains for s in sources)


def test_config_sources_are_added_and_other_tables_ignored(tmp_path):
    sources = load_registry([write(tmp_path, GOOD)])
    mine = sources[-1]
    assert mine == Source(id="mysite", name="My Site", homepage="https://www.mysite.example/",
                          feeds=["https://www.mysite.example/rss.xml"], allowed_domains=["mysite.example"])
    assert len(sources) == len(load_registry()) + 1


def test_include_bundled_sources_false_and_later_file_wins(tmp_path):
    first = write(tmp_path, "include_bundled_sources = false\n" + GOOD, "a.toml")
    second = write(tmp_path, GOOD.replace('"My Site"', '"Renamed"'), "b.toml")
    sources = load_registry([first, second])
    assert [(s.id, s.name) for s in sources] == [("mysite", "Renamed")]


@pytest.mark.parametrize(
    "entry, message",
    [
        ('feeds = "https://x.example/rss"', "my.toml: source 'mysite': field 'feeds' must be a list of http(s) URLs"),
        ('feeds = ["ftp://x.example/rss"]', "field 'feeds' must be a list of http(s) URLs"),
        ('sitemap = ["https://x.example/s.xml"]', "source 'mysite': unknown key 'sitemap' (did you mean 'sitemaps'?)"),
        ('allowed_domains = ["http://x.example"]', "source 'mysite': field 'allowed_domains' must be a list of host"),
        ('language = 3', "source 'mysite': field 'language' must be a string"),
    ],
)
def test_bad_field_is_named(tmp_path, entry, message):
    text = GOOD.replace('feeds = ["https://www.mysite.example/rss.xml"]', entry)
    with pytest.raises(RegistryError) as caught:
        load_registry([write(tmp_path, text)])
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_missing_fields_and_unnamed_entries(tmp_path):
    with pytest.raises(RegistryError, match=r"my.toml: source 'x': field 'homepage' is missing"):
        load_registry([write(tmp_path, '[[source]]\nid = "x"\nname = "X"\n')])
    with pytest.raises(RegistryError, match=r"my.toml: source #2: field 'id' is missing"):
        load_registry([write(tmp_path, GOOD + '[[source]]\nname = "Y"\nhomepage = "https://y.example/"\n')])
    with pytest.raises(RegistryError, match=r"field 'id' is used by an earlier entry"):
        load_registry([write(tmp_path, GOOD + "[[source]]" + GOOD.split("[[source]]")[1])])
    with pytest.raises(RegistryError, match=r"write \[\[source\]\], not \[source\]"):
        load_registry([write(tmp_path, '[source]\nid = "x"\n')])


def test_file_errors_name_the_file_and_line(tmp_path):
    with pytest.raises(RegistryError, match=r"nope.toml: no such file"):
        load_registry([tmp_path / "nope.toml"])
    with pytest.raises(RegistryError, match=r"my.toml: TOML syntax error: .*line 3"):
        load_registry([write(tmp_path, '[[source]]\nid = "x"\nname = \n')])


def test_select_by_id_or_name_and_unknown_names():
    sources = [Source("a", "Alpha News", "https://a.example/"), Source("b", "Beta", "https://b.example/")]
    assert [s.id for s in select(sources, ["alpha news", "b"])] == ["a", "b"]
    assert select(sources, []) == sources
    with pytest.raises(RegistryError, match="unknown source 'c' \\(known: a, b\\)"):
        select(sources, ["c"])


def test_source_for_url_prefers_the_longest_domain():
    broad = Source("broad", "Broad", "https://example.com/")
    narrow = Source("narrow", "Narrow", "https://news.example.com/", allowed_domains=["news.example.com"])
    assert source_for_url("https://news.example.com/a", [broad, narrow]) is narrow
    assert source_for_url("https://www.example.com/a", [broad, narrow]) is broad
    assert source_for_url("https://other.org/", [broad, narrow]) is None


def test_bundled_registry_has_chinese_outlets_with_kinds_and_own_domains():
    sources = {s.id: s for s in load_registry()}
    chinese = [s for s in sources.values() if s.language == "zh"]
    names = {s.name for s in chinese}
    for outlet in ("人民网", "新华网", "中国法院网", "信用中国", "澎湃新闻", "财新网", "21世纪经济报道", "环球网"):
        assert outlet in names
    assert any(s.country in ("HK", "TW") for s in chinese)  # traditional characters
    assert {s.kind for s in chinese} >= {"state media", "government", "commercial"}
    assert all(s.kind and (s.feeds or s.sitemaps or s.start_urls) for s in chinese)
    # each edition keeps its own pages where a publisher has an English and a Chinese site
    assert source_for_url("https://www.news.cn/legal/20240508/c.html", sources.values()).id == "xinhua_zh"
    assert source_for_url("https://english.news.cn/20240508/c/c.html", sources.values()).id == "xinhua"
    assert source_for_url("https://finance.caixin.com/2024-05-08/1.html", sources.values()).id == "caixin"
    assert source_for_url("https://www.caixinglobal.com/2024-05-08/a.html", sources.values()).id == "caixinglobal"
