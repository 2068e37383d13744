"""WARC/ARC reading: HTML responses become Pages; everything else is skipped and counted."""

import gzip as gzip_format
from io import BytesIO

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawler.warc import WarcError, read_warc

GBK_HTML = "<html><head><title>信用</title></head><body><p>失信被执行人名单，限制乘坐高铁。联系电话 13812345678</p></body></html>"


def write_warc(path, gzip: bool):
    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=gzip)
        writer.write_record(writer.create_warcinfo_record("test.warc", {"software": "test"}))

        def response(url, body: bytes, content_type: str, status: str = "200 OK"):
            headers = StatusAndHeaders(status, [("Content-Type", content_type), ("ETag", '"e1"')], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=BytesIO(body), http_headers=headers))

        response("https://news.example.com/a?utm_source=x#top",
                 b'<html><head><link rel="canonical" href="https://news.example.com/a"></head>'
                 b"<body><p>social credit</p></body></html>", "text/html; charset=utf-8")
        response("https://news.example.com/gbk", GBK_HTML.encode("gbk"), "text/html")
        response("https://news.example.com/logo.png", b"\x89PNG\r\n\x1a\nxxxx", "image/png")
        response("https://news.example.com/gone", b"<html>gone</html>", "text/html", status="404 Not Found")
        writer.write_record(writer.create_warc_record("https://news.example.com/a", "request",
                                                      payload=BytesIO(b"GET /a HTTP/1.1\r\n\r\n")))
    return path


@pytest.mark.parametrize("gzip", [True, False])
def test_html_responses_become_pages(tmp_path, gzip):
    path = write_warc(tmp_path / ("x.warc.gz" if gzip else "x.warc"), gzip)
    reading = read_warc(path)
    pages = list(reading)
    assert [p.url for p in pages] == ["https://news.example.com/a", "https://news.example.com/gbk"]
    first, gbk = pages
    assert first.origin == "warc" and first.status == 200 and first.etag == '"e1"'
    assert first.requested_url == "https://news.example.com/a?utm_source=x#top"
    assert gbk.encoding == "gb18030"
    assert "失信被执行人名单" in gbk.text()
    assert "13812345678" not in gbk.text()  # personal data redacted like crawled pages
    assert reading.skipped == {"warcinfo": 1, "request": 1, "not_html": 1, "http_status": 1}


def test_personal_data_can_be_kept(tmp_path):
    path = write_warc(tmp_path / "x.warc.gz", True)
    pages = list(read_warc(path, keep_personal_data=True))
    assert "13812345678" in pages[1].text()


@pytest.mark.parametrize("gzip", [True, False])
def test_truncated_file_raises_after_yielding_what_it_holds(tmp_path, gzip):
    whole = write_warc(tmp_path / "whole.warc", gzip).read_bytes()
    cut = tmp_path / "cut.warc"
    cut.write_bytes(whole[: int(len(whole) * 0.45)])
    reading = read_warc(cut)
    got = []
    with pytest.raises(WarcError, match=r"cut.warc: truncated .* at byte \d+"):
        for page in reading:
            got.append(page.url)
    assert got == ["https://news.example.com/a"]


def test_missing_and_non_warc_files(tmp_path):
    with pytest.raises(WarcError, match="cannot open"):
        list(read_warc(tmp_path / "absent.warc"))
    junk = tmp_path / "junk.warc"
    junk.write_text("this is not an archive\n" * 10)
    with pytest.raises(WarcError, match="junk.warc"):
        list(read_warc(junk))


def arc_record(url: str, content_type: str, payload: bytes, gzip: bool) -> bytes:
    """One ARC v1 record: a header line "URL IP date type length", the payload, a newline;
    gzipped archives compress each record as a gzip member of its own."""
    record = f"{url} 127.0.0.1 20240305093000 {content_type} {len(payload)}\n".encode() + payload + b"\n"
    return gzip_format.compress(record) if gzip else record


@pytest.mark.parametrize("gzip", [True, False])
def test_arc_files_are_read_like_warc_files(tmp_path, gzip):
    """The Internet Archive's older format (.arc, .arc.gz), as Heritrix and early crawls wrote it."""
    version = b"1 0 creditlens-tests\nURL IP-address Archive-date Content-type Archive-length\n"
    page = (b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
            b"<html><head><title>Blacklist</title></head><body><p>court blacklist</p></body></html>")
    image = b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\n\x89PNG\r\n\x1a\nxxxx"
    path = tmp_path / ("old.arc.gz" if gzip else "old.arc")
    path.write_bytes(arc_record("filedesc://old.arc", "text/plain", version, gzip)
                     + arc_record("http://news.example.com/arc-page", "text/html", page, gzip)
                     + arc_record("http://news.example.com/logo.png", "image/png", image, gzip))
    reading = read_warc(path)
    pages = list(reading)
    assert [(p.url, p.status, p.origin) for p in pages] == [("http://news.example.com/arc-page", 200, "warc")]
    assert pages[0].fetched_at.isoformat() == "2024-03-05T09:30:00+00:00"
    assert "court blacklist" in pages[0].text()
    assert reading.skipped == {"warcinfo": 1, "not_html": 1}
