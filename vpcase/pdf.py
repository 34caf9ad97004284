"""HTML to PDF with WeasyPrint, with every outside fetch refused.

WeasyPrint fetches any URL scheme by default (file:, http:); a report or export must never
read a local file or call out, so styles and images are embedded in the HTML itself.
"""

from __future__ import annotations

from weasyprint import HTML
from weasyprint.urls import URLFetcher


class NoFetch(URLFetcher):
    allowed = ("data",)

    def fetch(self, url, headers=None):
        if not url.startswith("data:"):
            raise ValueError("vpcase PDFs load nothing from outside the document")
        return super().fetch(url, headers)


def render_pdf(html: str) -> bytes:
    """A tagged (PDF/UA-1) A4 document from self-contained HTML."""
    return HTML(string=html, base_url=None, url_fetcher=NoFetch(fail_on_errors=False)).write_pdf(
        pdf_variant="pdf/ua-1"
    )
